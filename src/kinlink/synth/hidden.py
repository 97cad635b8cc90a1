"""Which (child, adult, risk) pairs the agencies' records hide, and why.

A pair is a child (under 18 on the reference date) and an adult with a risk marker
recorded by some agency (one of `ADULT_RISK_MARKERS`) who truly lives with the child, is
the child's parent, step-parent or carer, is a parent's partner, or was at an incident with
the child. The pair is visible when one agency has a record of the adult that carries the
marker and is directly linked to a record of the child (a relationship row either way, or
both named in `incident_people` of one incident). Otherwise it is hidden because of:

- `missing-link`: no agency links any record of the child to any record of the adult;
- `split-identity`: some agency links the child to a record of the adult, but the marker sits
  on a different record of the adult (a duplicate in the same agency, or another agency's);
- `wrong-place` (with either): the child is linked to the adult only as an `associate`
  record with adult-like details, or is named only in the summary of an incident at which
  the adult's record is present.

Whether a hidden pair is **discoverable** is decided from what the extracts say, with
every record joined to its true person (what a careful analyst holding all four agencies'
records, correctly joined up, could see), never from the hidden truth itself. Two persons
are *connected in the records* when some agency has a relationship row between their
records (any type, either direction), records both at one incident (or names one in the
summary of an incident the other is recorded at), has an order marker on one naming the
other, or when a record of each gives the same address (written address lines are exact
or a true former address; the extracts carry no address dates, so an address counts as
shared whenever it is written). A pair is discoverable when the child and the adult are
connected in the records, or through one adult go-between: the child is tied to them by a
parent, step-parent or carer row or a shared address, and they are tied to the adult by a
partner or ex-partner row or a shared address (a parent's partner seen as such).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from kinlink.synth.police import FREE_TEXT, RECORDED
from kinlink.synth.population import Population
from kinlink.synth.records import AgencyData, marker_rows
from kinlink.synth.risk import ADULT_RISK_MARKERS, Risks

Record = tuple[str, int]  # (agency, record index)


@dataclass
class RiskPairs:
    """Every (child, adult, marker) pair, how they are connected, and why it is hidden."""

    child: list[int]
    adult: list[int]
    marker: list[str]
    relation: list[str]
    hidden_because: list[str]  # "" when visible
    discoverable: list[bool]  # whether the joined-up records reveal the connection at all


def _marker_records(agencies: list[AgencyData]) -> dict[tuple[int, str], set[Record]]:
    out: dict[tuple[int, str], set[Record]] = defaultdict(set)
    for a, i, marker in marker_rows(agencies):
        if marker in ADULT_RISK_MARKERS:
            out[(int(a.person[i]), marker)].add((a.name, i))
    return out


def _links(agencies: list[AgencyData], wanted: np.ndarray,
           ) -> tuple[dict[tuple[int, int], set[Record]], set[tuple[int, int]]]:
    """Direct links between a child and an adult (by person): adult's records; wrong places."""
    links: dict[tuple[int, int], set[Record]] = defaultdict(set)
    wrong: set[tuple[int, int]] = set()
    for a in agencies:
        index = {rid: i for i, rid in enumerate(a.record_id.tolist())}
        associates = {r for r, kind in zip(a.log.record, a.log.kind, strict=True)
                      if kind == "wrong-place-associate"}
        pairs: list[tuple[int, int]] = []
        rel = a.tables.get("relationships")
        if rel is not None:
            pairs += [(index[x], index[y]) for x, y in zip(
                rel["record_id"].tolist(), rel["related_record_id"].tolist(), strict=True)]
        ip = a.tables.get("incident_people")
        if ip is not None:
            at: dict[str, list[int]] = defaultdict(list)
            for inc, rid in zip(ip["incident_id"].tolist(), ip["record_id"].tolist(),
                                strict=True):
                at[inc].append(index[rid])
            pairs += [(x, y) for recs in at.values() for x in recs for y in recs if x < y]
        for x, y in pairs:
            px, py = int(a.person[x]), int(a.person[y])
            for (c, rc), (d, rd) in (((px, x), (py, y)), ((py, y), (px, x))):
                if wanted[d]:
                    if rc in associates:
                        wrong.add((c, d))
                    else:
                        links[(c, d)].add((a.name, rd))
    return links, wrong


def _free_text(pop: Population, risks: Risks, fate: np.ndarray) -> set[tuple[int, int]]:
    """(child, adult) pairs where the child is named only in the summary of the adult's
    incident (the adult recorded there)."""
    by_incident: dict[int, list[int]] = defaultdict(list)
    for i, p, f in zip(risks.attend_incident.tolist(), risks.attend_person.tolist(),
                       fate.tolist(), strict=True):
        if f == RECORDED:
            by_incident[i].append(p)
    return {(int(p), a) for i, p, f in zip(risks.attend_incident.tolist(),
                                           risks.attend_person.tolist(), fate.tolist(),
                                           strict=True)
            if f == FREE_TEXT for a in by_incident[i]}


def _candidates(pop: Population, risks: Risks, risky: np.ndarray
                ) -> dict[tuple[int, int], set[str]]:
    """(child, adult) pairs connected in truth, with how."""
    age = pop.age()
    child = age < 18
    out: dict[tuple[int, int], set[str]] = defaultdict(set)
    adults = np.flatnonzero(risky)
    homes: dict[int, list[int]] = defaultdict(list)
    for c in np.flatnonzero(child & np.isin(pop.household, pop.household[adults])).tolist():
        homes[int(pop.household[c])].append(c)
    for a in adults.tolist():
        for c in homes.get(int(pop.household[a]), []):
            out[(c, a)].add("lives-with")
    parent_of: dict[int, list[int]] = defaultdict(list)
    for p1, p2, kind in zip(pop.rel_p1.tolist(), pop.rel_p2.tolist(), pop.rel_type.tolist(),
                            strict=True):
        if kind in ("parent", "step-parent", "carer") and child[p2]:
            parent_of[p1].append(p2)
            if risky[p1]:
                out[(p2, p1)].add(kind)
    for p1, p2, kind in zip(pop.rel_p1.tolist(), pop.rel_p2.tolist(), pop.rel_type.tolist(),
                            strict=True):
        if kind == "partner":
            for parent, other in ((p1, p2), (p2, p1)):
                if risky[other]:
                    for c in parent_of.get(parent, []):
                        if c != other:
                            out[(c, other)].add("parents-partner")
    present: dict[int, list[int]] = defaultdict(list)
    for i, p in zip(risks.attend_incident.tolist(), risks.attend_person.tolist(), strict=True):
        present[i].append(p)
    for people in present.values():
        for c in people:
            if child[c]:
                for a in people:
                    if risky[a] and a != c:
                        out[(c, a)].add("same-incident")
    return out


SHARED_ADDRESS_LIMIT = 40
"""An address written for more persons than this (a hostel) says nothing of who lives with
whom, as for the network's co-residence."""
CARE = ("parent", "step-parent", "carer")
PARTNERS = ("partner", "ex-partner")


@dataclass
class RecordedTies:
    """Connections between persons that the written extracts show (records joined by truth)."""

    any: set[tuple[int, int]]  # unordered pairs, stored both ways
    care: dict[int, set[int]]  # child -> persons recorded as their parent/step-parent/carer
    partner: dict[int, set[int]]  # person -> partners / ex-partners, both ways
    home: dict[int, set[int]]  # person -> persons with a record at the same address

    def discoverable(self, child: int, adult: int, adults: np.ndarray) -> bool:
        """Connected directly, or through an adult the child lives with or is cared for by
        who is the adult's partner or lives with them."""
        if (child, adult) in self.any:
            return True
        between = self.care.get(child, set()) | {m for m in self.home.get(child, set())
                                                 if adults[m]}
        return any(adult in self.partner.get(m, set()) | self.home.get(m, set())
                   for m in between if m != adult)


def _both_ways(pairs: set[tuple[int, int]]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for x, y in pairs:
        out[x].add(y)
        out[y].add(x)
    return out


def recorded_ties(agencies: list[AgencyData], free_text: set[tuple[int, int]]) -> RecordedTies:
    """Every connection between persons written in the extracts (see the module doc)."""
    direct: set[tuple[int, int]] = set(free_text)
    care: dict[int, set[int]] = defaultdict(set)
    partners: set[tuple[int, int]] = set()
    at: dict[str, set[int]] = defaultdict(set)
    for a in agencies:
        index = {rid: i for i, rid in enumerate(a.record_id.tolist())}
        person = a.person.tolist()
        rel = a.tables.get("relationships")
        if rel is not None:
            for x, y, kind in zip(rel["record_id"].tolist(), rel["related_record_id"].tolist(),
                                  rel["type"].tolist(), strict=True):
                px, py = person[index[x]], person[index[y]]
                direct.add((px, py))
                if kind in CARE:
                    care[py].add(px)
                elif kind in PARTNERS:
                    partners.add((px, py))
        ip = a.tables.get("incident_people")
        if ip is not None:
            present: dict[str, list[int]] = defaultdict(list)
            for inc, rid in zip(ip["incident_id"].tolist(), ip["record_id"].tolist(),
                                strict=True):
                present[inc].append(person[index[rid]])
            direct |= {(x, y) for people in present.values() for x in people for y in people}
        markers = a.tables.get("risk_markers")
        if markers is not None:
            direct |= {(person[index[x]], person[index[y]]) for x, y in zip(
                markers["record_id"].tolist(), markers["related_record_id"].tolist(),
                strict=True) if y is not None}
        for i, line in enumerate(a.people.get("address", np.empty(0)).tolist()):
            if line:
                at[line].add(person[i])
    home: set[tuple[int, int]] = {(x, y) for people in at.values()
                                  if len(people) <= SHARED_ADDRESS_LIMIT
                                  for x in people for y in people if x != y}
    direct |= home
    direct |= {(y, x) for x, y in direct}
    return RecordedTies(direct, care, _both_ways(partners), _both_ways(home))


def find_risk_pairs(pop: Population, risks: Risks, agencies: list[AgencyData],
                    fate: np.ndarray) -> RiskPairs:
    """Every connected (child, adult, recorded risk) pair, with why it is hidden (if it is)."""
    marker_records = _marker_records(agencies)
    risky = np.zeros(len(pop), dtype=bool)
    for person, _ in marker_records:
        risky[person] = True
    risky &= pop.age() >= 18
    links, wrong = _links(agencies, risky)
    free_text = _free_text(pop, risks, fate)
    wrong |= free_text
    ties = recorded_ties(agencies, free_text)
    adults = pop.age() >= 18
    markers_of: dict[int, list[str]] = defaultdict(list)
    for person, marker in sorted(marker_records):
        markers_of[person].append(marker)
    out = RiskPairs([], [], [], [], [], [])
    for (c, a), how in sorted(_candidates(pop, risks, risky).items()):
        linked = links.get((c, a), set())
        discoverable = ties.discoverable(c, a, adults)
        for marker in markers_of[a]:
            reasons = []
            if not linked & marker_records[(a, marker)]:
                reasons.append("split-identity" if linked else "missing-link")
                if (c, a) in wrong:
                    reasons.append("wrong-place")
            out.child.append(c)
            out.adult.append(a)
            out.marker.append(marker)
            out.relation.append(";".join(sorted(how)))
            out.hidden_because.append(";".join(reasons))
            out.discoverable.append(not reasons or discoverable)
    return out

