"""One child's network as a structured, JSON-serialisable answer with its evidence.

Who counts, from the child (as of a date), is decided by the chain rules
(`network/chains.toml`, see `chains.py` and docs/network.md): every chain of up to three
links whose kinds the rules list puts the person it reaches in that rule's role, e.g.

- one step: parents, step-parents and carers; household members (current on the date, else
  "former"); people at the same incident (recorded there, or the child named in its
  text); persons the child is recorded as an associate of; the other party of an order;
  siblings;
- two steps: a parent's partner (recorded as partners or both recorded at a
  domestic-abuse incident), former partner, co-parent, parent and adult child; the people
  a parent lives with; the partner, parent and adult child of an adult the child lives
  with; the parent of a sibling (when the child's own parent link is missing);
- three steps: a sibling's parent's partner, a parent's parent's partner, a parent's
  partner's adult child.

Recorded relationship chains need no address, so a noisy address cuts none of them.
Adults are persons of 18 or more on the date, or of unknown age without a pupil number
or a social care referral, and anyone an agency records as the child's parent, step-parent
or carer (`RECORDED_PARENTS`).
Each adult carries every link that puts them there (source records, agency, dates,
confidence, recorded or inferred, the persons in between) and every marker on any of
their records, ranked by what it adds to the risk, and the markers of any thin record that
is probably them too (`probable.py`), marked `probable` and carrying that evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, Date, bindparam, or_, select

from kinlink.clock import SYSTEM_CLOCK
from kinlink.errors import NotFoundError
from kinlink.network.chains import (
    MAX_STEPS,
    ONLY_FROM_ADULTS,
    Role,
    Rules,
    Step,
    default_rules,
    kinds_of,
    relations_after,
)
from kinlink.network.graph import IDS, id_chunks, markers_of, persons_of
from kinlink.network.persons import age_on, is_child
from kinlink.network.probable import RELATION
from kinlink.network.risk import SELF_CLOSENESS, RiskSummary, combine, level_of, recency, severity
from kinlink.store import Store
from kinlink.store.lists import decode
from kinlink.store.schema.network import network_edges

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
    via: str | None = None  # the person this link starts from, for a link of a chain
    path: list[str] = field(default_factory=list)  # everyone in between, from the child out
    incidents: list[str] = field(default_factory=list)  # "agency:incident_id" behind it


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
    probable: bool = False  # on a thin record that is probably this person (`probable.py`)

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


def _link(edge: dict[str, Any], between: tuple[str, ...] = ()) -> Link:
    return Link(edge["relation"], edge["source"], bool(edge["recorded"]),
                decode(edge["agencies"]), decode(edge["records"]), edge["detail"],
                edge["from_date"], edge["to_date"], float(edge["confidence"]),
                between[-1] if between else None, list(between), decode(edge["incidents"]))


def _person(pid: str, info: dict[str, Any] | None, on: date) -> Person:
    info = info or {}
    name = " ".join(p for p in (info.get("first_name"), info.get("surname")) if p) or pid
    age = age_on(info.get("dob"), on)
    return Person(pid, name, info.get("dob"), age, decode(info.get("records")) or [pid],
                  is_child(age, bool(info.get("pupil"))))


def _begun(column: Any) -> Any:
    return or_(column.is_(None), column <= _ON)


_ON = bindparam("on", type_=Date)
_E = network_edges
_ALL_EDGES = select(_E).where(_E.c.person_id.in_(IDS), _begun(_E.c.from_date))
_RELATIONS = {
    "parent": ["parent"], "step-parent": ["step-parent"], "carer": ["carer"],
    "child": ["child", "step-child", "cared-for"], "partner": ["partner"],
    "former-partner": ["partner", "ex-partner"], "domestic-incident": ["co-present"],
    "co-parent": ["co-parent"], "household": ["household-member"],
    "former-household": ["household-member"], "sibling": ["sibling"],
    "incident": ["co-present"], "named-incident": ["co-present"], "associate": ["associate"],
    "order": ["order-respondent", "order-protected"],
}
"""The stored relations an edge of each kind of link (`chains.kinds_of`) may have."""
_ID_CHUNK = 2000
_PROBABLE = select(_E).where(_E.c.person_id.in_(IDS), _E.c.relation == RELATION)
RECORDED_PARENTS = frozenset({"parent", "step-parent", "carer"})
"""Roles of persons an agency records as the child's parent, step-parent or carer: adults
around the child whatever date of birth their records agree on (a mother resolved together
with a daughter of her name takes the daughter's date of birth; a teenage parent is one)."""


@cache
def _edges_of_kinds(kinds: frozenset[str]) -> Any:
    """The statement fetching the edges of given persons that may be of these kinds, begun
    by the date (composed once per set of kinds: composing costs more than running)."""
    relations = sorted({r for k in kinds for r in _RELATIONS[k]})
    query = _ALL_EDGES.where(_E.c.relation.in_(relations))
    if not kinds & {"incident", "named-incident"}:  # co-presence matters only as partners
        query = query.where(or_(_E.c.relation != "co-present",
                                _E.c.detail.like("%(domestic-abuse)%")))
    return query


def edges_from(conn: Connection, person_ids: Sequence[str], on: date,
               kinds: frozenset[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The edges of the given persons begun by the date (only those that may be of `kinds`,
    when given), by person."""
    out: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    query = _ALL_EDGES if kinds is None else _edges_of_kinds(kinds)
    ids = sorted(set(person_ids))
    for i in range(0, len(ids), _ID_CHUNK):
        for row in conn.execute(query, {"ids": ids[i:i + _ID_CHUNK], "on": on}).mappings():
            out[row["person_id"]].append(dict(row))
    return out


_Walk = tuple[str, str, Step, tuple[str, ...]]
"""A chain being followed: (child, the person it has reached, where in the rules, the
persons in between)."""


@dataclass
class _Reached:
    """One chain from a child to a person: the role it gives, its last edge, the persons
    in between (from the child outwards) and the kind of its last link."""

    role: Role | None
    edge: dict[str, Any]
    between: tuple[str, ...]
    kind: str


class _Assembler:
    """Builds the networks of many children from one batch of store look-ups: the children's
    edges, then the edges of the persons each chain of the rules goes on through, one step
    at a time (`chains.MAX_STEPS`)."""

    def __init__(self, conn: Connection, child_ids: Sequence[str], on: date,
                 rules: Rules) -> None:
        self.on, self.rules = on, rules
        self.reached: defaultdict[str, list[_Reached]] = defaultdict(list)
        self.persons: dict[str, dict[str, Any]] = {}
        self._built: dict[str, Person] = {}
        level: list[_Walk] = [(c, c, rules.start, ()) for c in child_ids]
        for steps in range(MAX_STEPS):
            going_on = {at for _, at, node, _ in level if node.next}
            edges = edges_from(conn, list(going_on), on,
                               relations_after(rules, steps) if steps else None)
            # The persons reached (and, with the first step, the children): whether each
            # is a child decides where a chain goes on.
            self._add_persons(conn, {e["other_person_id"] for es in edges.values() for e in es}
                              | (set(child_ids) if steps == 0 else set()))
            level = self._step(level, edges)
        self.probable = self._probable_of(conn, set(self.persons) - set(child_ids))
        self.markers: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in markers_of(conn, list(self.persons)):
            self.markers[m["person_id"]].append(m)

    def _probable_of(self, conn: Connection, ids: set[str]
                     ) -> defaultdict[str, list[dict[str, Any]]]:
        """The thin persons each reached person probably is too (`probable.py`), by person,
        and each thin person's namesakes; their rows join `persons`, so their markers are
        read with everyone else's."""
        out: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        for chunk in id_chunks(sorted(ids)):
            for row in conn.execute(_PROBABLE, {"ids": chunk}).mappings():
                out[row["person_id"]].append(dict(row))
        thin = {e["other_person_id"] for es in out.values() for e in es}
        self.namesakes: defaultdict[str, set[str]] = defaultdict(set)
        for chunk in id_chunks(sorted(thin)):
            for row in conn.execute(_PROBABLE, {"ids": chunk}).mappings():
                self.namesakes[row["person_id"]].add(row["other_person_id"])
        self._add_persons(conn, thin)
        return out

    def _add_persons(self, conn: Connection, ids: set[str]) -> None:
        new = [i for i in ids if i not in self.persons]
        if new:
            self.persons.update(persons_of(conn, new))

    def _step(self, level: list[_Walk], edges: dict[str, list[dict[str, Any]]]
              ) -> list[_Walk]:
        """Follow each chain one link on; record whom it reaches; return where it goes on."""
        going_on = []
        for child, at, node, between in level:
            for edge in edges.get(at, []):
                other = edge["other_person_id"]
                if other == child or other in between:
                    continue
                for kind in kinds_of(edge, self.on):
                    step = node.next.get(kind)
                    if step is None:
                        continue
                    self.reached[child].append(_Reached(step.role, edge, between, kind))
                    if step.next and (kind not in ONLY_FROM_ADULTS or not self._is_child(other)):
                        going_on.append((child, other, step, (*between, other)))
        return going_on

    def network(self, child_id: str) -> ChildNetwork:
        child = self._person(child_id)
        around: dict[str, Adult] = {}
        chains = self.reached.get(child_id, [])
        home = {r.edge["other_person_id"] for r in chains
                if not r.between and r.kind == "household"}
        for r in chains:
            # Living with someone the child lives with says nothing new.
            if r.between and r.kind in ONLY_FROM_ADULTS and r.edge["other_person_id"] in home:
                continue
            self._add(around, r)
        own = self._markers(child_id, "self", [], 1.0)
        adults = [a for a in around.values()
                  if not a.person.is_child or a.role in RECORDED_PARENTS]
        for adult in adults:
            adult.markers = self._markers(adult.person.person_id, adult.role, adult.links,
                                          max(link.confidence for link in adult.links),
                                          self._probably_also(adult, around, child_id))
        adults.sort(key=lambda a: (-a.weight, a.steps, a.person.person_id))
        children = sorted((a for a in around.values() if a not in adults),
                          key=lambda a: a.person.person_id)
        return ChildNetwork(child, self.on, child.is_child,
                            adults, children, own, network_risk(child_id, adults, own, self.on))

    def _person(self, pid: str) -> Person:
        """The person (built once per batch: one adult is near many of its children)."""
        if pid not in self._built:
            self._built[pid] = _person(pid, self.persons.get(pid), self.on)
        return self._built[pid]

    def _is_child(self, pid: str) -> bool:
        return self._person(pid).is_child

    def _add(self, around: dict[str, Adult], reached: _Reached) -> None:
        if reached.role is None:
            return
        role, steps = reached.role.name, len(reached.between) + 1
        pid = reached.edge["other_person_id"]
        if pid not in around:
            around[pid] = Adult(self._person(pid), role, steps, [])
        adult = around[pid]
        if self.rules.rank(role) < self.rules.rank(adult.role):
            adult.role, adult.steps = role, steps
        adult.links.append(_link(reached.edge, reached.between))

    def _probably_also(self, adult: Adult, around: dict[str, Adult], child_id: str
                       ) -> list[dict[str, Any]]:
        """The probable-identity edges of an adult to thin persons whose every namesake is
        around the child, unless the thin person is around the child in their own right
        (their markers would count twice)."""
        return [e for e in self.probable.get(adult.person.person_id, [])
                if e["other_person_id"] not in around and e["other_person_id"] != child_id
                and self.namesakes[e["other_person_id"]] <= around.keys()]

    def _markers(self, pid: str, role: str, links: list[Link], confidence: float,
                 probable: Sequence[dict[str, Any]] = ()) -> list[Marker]:
        visible = {uid for link in links if link.recorded and link.source in RECORDED_VISIBLE
                   and link.via is None and link.relation != "associate"
                   for uid in link.records}
        found = [(m, confidence, None) for m in self.markers.get(pid, [])]
        found += [(m, min(confidence, float(e["confidence"])), e["detail"])
                  for e in probable for m in self.markers.get(e["other_person_id"], [])]
        out = []
        for m, link_confidence, probably in found:
            if m["start_date"] is not None and m["start_date"] > self.on:
                continue  # not known yet on the date asked about
            uid = f"{m['agency']}:{m['record_id']}"
            conf = min(link_confidence,
                       float(m["confidence"] if m["confidence"] is not None else 1))
            weight = (severity(m["marker"]) * recency(m["start_date"], m["end_date"], self.on)
                      * self._closeness(role) * conf)
            identity = probably or m["identity"] or (
                f"record {uid} resolved into person {pid}, cluster confidence {conf:.2f}")
            out.append(Marker(m["marker"], m["agency"], m["record_id"], m["start_date"],
                              m["end_date"], m["end_date"] is None or m["end_date"] >= self.on,
                              severity(m["marker"]), round(weight, 4), identity, m["notes"],
                              uid in visible, probable=probably is not None))
        # An agency that ties the child to any record carrying a marker knows that risk.
        known = {marker.marker for marker in out if marker.visible}
        for marker in out:
            marker.visible = marker.marker in known
        return sorted(out, key=lambda m: (-m.weight, -(m.start_date or date.min).toordinal()))

    def _closeness(self, role: str) -> float:
        return SELF_CLOSENESS if role == "self" else self.rules.role(role).closeness


def network_risk(child_id: str, adults: list[Adult], own: list[Marker],
                 as_of: date | None = None) -> RiskSummary:
    """The child's risk from its own markers and those of the adults around it, as of the
    date the network was read on."""
    weights = [m.weight for m in own] + [m.weight for a in adults for m in a.markers]
    score = combine(weights)
    ranked = sorted([(m.weight, f"{m.marker} (own)") for m in own]
                    + [(m.weight, f"{m.marker} ({a.role})") for a in adults
                       for m in a.markers], reverse=True)
    top = list(dict.fromkeys(label for _, label in ranked))[:5]
    return RiskSummary(child_id, score, level_of(score), top, len(adults),
                       sum(1 for a in adults if a.markers),
                       as_of.isoformat() if as_of else None)


def child_networks(store: Store, person_ids: Sequence[str], *, as_of: date | None = None,
                   rules: Rules | None = None) -> dict[str, ChildNetwork]:
    """The networks of many persons at once, from the graph as last built (unknown ids are
    left out), by the chain rules given (default: the packaged `chains.toml`). Never
    rebuilds: see `graph.network_status` for whether it is stale."""
    on = as_of or SYSTEM_CLOCK.today()
    rules = rules or default_rules()
    out: dict[str, ChildNetwork] = {}
    ids = list(dict.fromkeys(person_ids))
    with store.connect() as conn:
        for i in range(0, len(ids), 2000):
            assembler = _Assembler(conn, ids[i:i + 2000], on, rules)
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
