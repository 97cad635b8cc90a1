"""One child's network as a structured, JSON-serialisable answer with its evidence.

Who counts, from the child (as of a date):

- one step: parents, step-parents and carers; household members (recorded, or inferred
  from the same address at overlapping dates: current on the date, else "former"); people
  at the same incident (recorded there, or the child named in the incident's text);
  persons the child is recorded as an associate of; the other party of an order;
- two steps: the current partners of a parent, step-parent or carer ("parent's partner",
  recorded as partners or both recorded at a domestic-abuse incident), their former
  partners, the other parents of their children ("parent's co-parent") and the people a
  parent lives with ("parent's household member": a parent living apart from the child
  with a new partner); the partners of an adult the child lives with ("household member's
  partner": a mother's new partner when no agency recorded her as the child's mother).

Adults are persons of 18 or more on the date, or of unknown age without a pupil number.
Each adult carries every link that puts them there (source records, agency, dates,
confidence, recorded or inferred) and every marker on any of their records, ranked by what
it adds to the risk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, and_, bindparam, literal, or_, select, union_all

from kinlink.clock import SYSTEM_CLOCK
from kinlink.errors import NotFoundError
from kinlink.network.graph import IDS, active_on, markers_of, persons_of
from kinlink.network.persons import age_on, is_child
from kinlink.network.risk import CLOSENESS, RiskSummary, combine, level_of, recency, severity
from kinlink.store import Store
from kinlink.store.schema.network import network_edges

PARENT_LIKE = {"parent", "step-parent", "carer"}
ROLE_ORDER = (
    "parent", "step-parent", "carer", "household member", "parent's partner",
    "household member's partner", "parent's household member", "order party",
    "partner", "at an incident with the child", "named at an incident with the child",
    "recorded associate", "former household member", "parent's co-parent",
    "parent's former partner", "household member's former partner",
)
"""When several links put one adult near a child, the first role here is the one shown."""
RECORDED_VISIBLE = {"relationship", "incident", "order"}
"""Sources where an agency itself tied a record of the child to a record of the adult."""


@dataclass
class Link:
    """One edge between two persons with its provenance."""

    relation: str  # what the other person is to this one
    source: str  # relationship | co-residence | incident | incident-text | order | ...
    recorded: bool
    agencies: list[str]
    records: list[str]
    detail: str | None
    from_date: date | None
    to_date: date | None
    confidence: float
    via: str | None = None  # the person in between, for a two-step link


@dataclass
class Marker:
    """A risk marker of a person, with where it comes from and what it weighs."""

    marker: str
    agency: str
    record_id: str
    start_date: date | None
    end_date: date | None
    current: bool
    severity: float
    weight: float  # what it adds to the child's risk
    identity: str  # why this record is this person
    notes: str | None = None
    visible: bool = False  # an agency ties a record with this marker to a record of the child

    @property
    def uid(self) -> str:
        return f"{self.agency}:{self.record_id}"


@dataclass
class Person:
    person_id: str
    name: str
    dob: str | None
    age: int | None
    records: list[str]
    is_child: bool = False


@dataclass
class Adult:
    person: Person
    role: str  # parent, household member, parent's partner, ...
    steps: int
    links: list[Link]
    markers: list[Marker] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return max((m.weight for m in self.markers), default=0.0)


@dataclass
class ChildNetwork:
    """A child's adults and their risks as of a date, with every piece of evidence."""

    child: Person
    as_of: date
    is_child: bool
    adults: list[Adult]
    children: list[Adult]  # other children linked to this one (siblings, household)
    own_markers: list[Marker]
    risk: RiskSummary

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (dates as ISO text)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _role(edge: dict[str, Any], on: date) -> str | None:
    """The role of the other end of a one-step edge, None when it does not count."""
    relation = edge["relation"]
    if relation in PARENT_LIKE:
        return relation
    if relation == "household-member":
        return "household member" if active_on(edge, on) else "former household member"
    if relation == "co-present":
        return ("named at an incident with the child" if edge["source"] == "incident-text"
                else "at an incident with the child")
    if relation == "associate":
        return "recorded associate"
    if relation in ("order-respondent", "order-protected"):
        return "order party"
    if relation == "partner":
        return "partner"
    return None


SECOND_STEP = ("partner", "co-parent", "ex-partner", "co-present", "household-member")
"""Relations read from a parent or a household member to reach a second step."""


def _partner_role(edge: dict[str, Any], on: date) -> str | None:
    """'partner' or 'former partner' when the edge makes its ends (ex-)partners."""
    if edge["relation"] == "partner":
        return "partner" if active_on(edge, on) else "former partner"
    if edge["relation"] == "ex-partner":
        return "former partner"
    if edge["relation"] == "co-present" and "(domestic-abuse)" in (edge["detail"] or ""):
        # Both recorded at a domestic incident: by definition of one, intimate partners.
        return "partner"
    return None


def _second_role(edge: dict[str, Any], on: date, *, via_parent: bool) -> str | None:
    """The role of someone two steps away, through a parent or a household member."""
    partner = _partner_role(edge, on)
    if not via_parent:
        return f"household member's {partner}" if partner else None
    if partner:
        return f"parent's {partner}"
    if edge["relation"] == "co-parent":
        return "parent's co-parent"  # the other parent of a half-sibling: maybe long gone
    if edge["relation"] == "household-member" and active_on(edge, on):
        return "parent's household member"
    return None


def _link(edge: dict[str, Any], via: str | None = None) -> Link:
    return Link(edge["relation"], edge["source"], bool(edge["recorded"]),
                edge["agencies"].split(";"), edge["records"].split(";"), edge["detail"],
                edge["from_date"], edge["to_date"], float(edge["confidence"]), via)


def _person(pid: str, info: dict[str, Any] | None, on: date) -> Person:
    info = info or {}
    name = " ".join(p for p in (info.get("first_name"), info.get("surname")) if p) or pid
    age = age_on(info.get("dob"), on)
    return Person(pid, name, info.get("dob"), age, (info.get("records") or pid).split(";"),
                  is_child(age, bool(info.get("pupil"))))


def _begun(column: Any) -> Any:
    return or_(column.is_(None), column <= _ON)


_ON = bindparam("on", type_=Date)
_E, _E1 = network_edges, network_edges.alias("e1")
_LEADS_ON = select(_E1.c.other_person_id).where(
    _E1.c.person_id.in_(IDS), _begun(_E1.c.from_date),
    or_(_E1.c.relation.in_(sorted(PARENT_LIKE)), and_(
        _E1.c.relation == "household-member", or_(_E1.c.to_date.is_(None), _E1.c.to_date >= _ON))))
_TWO_STEPS = union_all(
    select(_E, literal(1).label("step")).where(_E.c.person_id.in_(IDS), _begun(_E.c.from_date)),
    select(_E, literal(2).label("step")).where(
        _E.c.person_id.in_(_LEADS_ON), _E.c.relation.in_(SECOND_STEP), _begun(_E.c.from_date),
        or_(_E.c.relation != "co-present", _E.c.detail.like("%(domestic-abuse)%"))),
)
"""The edges a network needs, in one round trip: every edge of the children (step 1) and the
second-step edges of the persons they lead on to (step 2, as `_between` says), begun by the
date. The database narrows co-presence to domestic incidents; `_second_role` decides."""


def two_step_edges(conn: Connection, child_ids: Sequence[str], on: date
                   ) -> list[dict[str, Any]]:
    """Both steps of edges of the given children as of the date (see `_TWO_STEPS`)."""
    rows = conn.execute(_TWO_STEPS, {"ids": list(child_ids), "on": on})
    return [dict(r) for r in rows.mappings()]


class _Assembler:
    """Builds the networks of many children from one batch of store look-ups."""

    def __init__(self, conn: Connection, child_ids: Sequence[str], on: date) -> None:
        self.on = on
        # child -> one-step edges; parent or household member -> their second-step edges
        self.first: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.second: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in two_step_edges(conn, child_ids, on):
            (self.first if e["step"] == 1 else self.second)[e["person_id"]].append(e)
        everyone = set(child_ids) | {e["other_person_id"] for es in self.first.values()
                                     for e in es}
        everyone |= {e["other_person_id"] for es in self.second.values() for e in es}
        self.persons = persons_of(conn, list(everyone))
        self.markers = defaultdict(list)
        for m in markers_of(conn, list(everyone)):
            self.markers[m["person_id"]].append(m)

    def _between(self, edge: dict[str, Any]) -> bool | None:
        """Whether a one-step edge leads on to a second step: True through a parent, False
        through someone the child lives with, None when it does not lead on."""
        if edge["relation"] in PARENT_LIKE:
            return True
        if edge["relation"] == "household-member" and active_on(edge, self.on):
            return False
        return None

    def network(self, child_id: str) -> ChildNetwork:
        child = _person(child_id, self.persons.get(child_id), self.on)
        around: dict[str, Adult] = {}
        for edge in self.first.get(child_id, []):
            self._add(around, edge, _role(edge, self.on), 1)
        home = {e["other_person_id"] for e in self.first.get(child_id, [])
                if self._between(e) is False}
        for edge in self.first.get(child_id, []):
            via_parent = self._between(edge)
            if via_parent is None or (not via_parent and self._is_child(edge["other_person_id"])):
                continue
            for e in self.second.get(edge["other_person_id"], []):
                # Living with a parent says nothing new of someone the child lives with.
                if e["other_person_id"] != child_id and not (
                        e["relation"] == "household-member" and e["other_person_id"] in home):
                    self._add(around, e, _second_role(e, self.on, via_parent=via_parent), 2,
                              via=edge["other_person_id"])
        own = self._markers(child_id, "self", [], 1.0)
        adults = [a for a in around.values() if not a.person.is_child]
        for adult in adults:
            adult.markers = self._markers(adult.person.person_id, adult.role, adult.links,
                                          max(link.confidence for link in adult.links))
        adults.sort(key=lambda a: (-a.weight, a.steps, a.person.person_id))
        children = sorted((a for a in around.values() if a not in adults),
                          key=lambda a: a.person.person_id)
        return ChildNetwork(child, self.on, child.is_child,
                            adults, children, own, network_risk(child_id, adults, own))

    def _is_child(self, pid: str) -> bool:
        return _person(pid, self.persons.get(pid), self.on).is_child

    def _add(self, around: dict[str, Adult], edge: dict[str, Any], role: str | None, steps: int,
             via: str | None = None) -> None:
        if role is None:
            return
        pid = edge["other_person_id"]
        if pid not in around:
            around[pid] = Adult(_person(pid, self.persons.get(pid), self.on), role, steps, [])
        adult = around[pid]
        if ROLE_ORDER.index(role) < ROLE_ORDER.index(adult.role):
            adult.role, adult.steps = role, steps
        adult.links.append(_link(edge, via))

    def _markers(self, pid: str, role: str, links: list[Link], confidence: float) -> list[Marker]:
        visible = {uid for link in links if link.recorded and link.source in RECORDED_VISIBLE
                   and link.via is None and link.relation != "associate"
                   for uid in link.records}
        out = []
        for m in self.markers.get(pid, []):
            if m["start_date"] is not None and m["start_date"] > self.on:
                continue  # not known yet on the date asked about
            uid = f"{m['agency']}:{m['record_id']}"
            conf = min(confidence, float(m["confidence"] if m["confidence"] is not None else 1))
            weight = (severity(m["marker"]) * recency(m["start_date"], m["end_date"], self.on)
                      * CLOSENESS.get(role, 0.5) * conf)
            identity = m["identity"] or (
                f"record {uid} resolved into person {pid}, cluster confidence {conf:.2f}")
            out.append(Marker(m["marker"], m["agency"], m["record_id"], m["start_date"],
                              m["end_date"], m["end_date"] is None or m["end_date"] >= self.on,
                              severity(m["marker"]), round(weight, 4), identity, m["notes"],
                              uid in visible))
        # An agency that ties the child to any record carrying a marker knows that risk.
        known = {marker.marker for marker in out if marker.visible}
        for marker in out:
            marker.visible = marker.marker in known
        return sorted(out, key=lambda m: (-m.weight, -(m.start_date or date.min).toordinal()))


def network_risk(child_id: str, adults: list[Adult], own: list[Marker]) -> RiskSummary:
    """The child's risk from its own markers and those of the adults around it."""
    weights = [m.weight for m in own] + [m.weight for a in adults for m in a.markers]
    score = combine(weights)
    ranked = sorted([(m.weight, f"{m.marker} (own)") for m in own]
                    + [(m.weight, f"{m.marker} ({a.role})") for a in adults
                       for m in a.markers], reverse=True)
    top = list(dict.fromkeys(label for _, label in ranked))[:5]
    return RiskSummary(child_id, score, level_of(score), top, len(adults),
                       sum(1 for a in adults if a.markers))


def child_networks(store: Store, person_ids: Sequence[str], *,
                   as_of: date | None = None) -> dict[str, ChildNetwork]:
    """The networks of many persons at once, from the graph as last built (unknown ids are
    left out). Never rebuilds: see `graph.network_status` for whether it is stale."""
    on = as_of or SYSTEM_CLOCK.today()
    out: dict[str, ChildNetwork] = {}
    ids = list(dict.fromkeys(person_ids))
    with store.connect() as conn:
        for i in range(0, len(ids), 2000):
            assembler = _Assembler(conn, ids[i:i + 2000], on)
            out.update((pid, assembler.network(pid)) for pid in ids[i:i + 2000]
                       if pid in assembler.persons)
    return out


def child_network(store: Store, person_id: str, *, as_of: date | None = None) -> ChildNetwork:
    """One person's network as of a date (today by default); NotFoundError if unknown."""
    networks = child_networks(store, [person_id], as_of=as_of)
    if person_id not in networks:
        raise NotFoundError(f"no person {person_id!r} in the network (resolved person ids look "
                            "like P0000001; unresolved records like police:R123)")
    return networks[person_id]
