"""The truth of the second-look prompts: every case of every rule, planted or natural.

Computed from the written extracts with every record joined to its true person (what a
careful analyst holding all four agencies' records, correctly joined up, would list),
under the packaged rules (`kinlink/review/second_look.toml`), never with Kinlink's own
prompt code. What "near the child" means on a day, per rule (as `docs/chronology.md`):

- an adult (18+ on the day) is a *parent, step-parent or carer* when a relationship row of
  that type from a record of the adult to a record of the child had begun by the day; a
  *household member* when a `household-member` row between them was current on the day,
  or a record of each gives the same address line (an address written for more than 40
  persons says nothing);
- a serious marker is *mentioned* when the deciding agency holds that marker (begun by the
  day) on a record of the adult that one of its own relationship rows (begun by the day)
  ties to a record of the child;
- an adult *joined* the household on the earliest start of the `household-member` (either
  way) or `step-parent` rows between them.

`truth/second_look.csv`: child_person_id, rule, referral_id, incident_id, adult_person_id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from kinlink.review.second_look import PACKAGED, SecondLookConfig, load_second_look
from kinlink.synth.hidden import SHARED_ADDRESS_LIMIT
from kinlink.synth.population import Population
from kinlink.synth.records import AgencyData

CARE = ("parent", "step-parent", "carer")
Row = tuple[str, str, str, str, str]  # child, rule, referral_id, incident_id, adult


def _date(text: object) -> date | None:
    return date.fromisoformat(str(text)[:10]) if text else None


def _age(dob: np.datetime64, on: date) -> int:
    born = dob.astype(object)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass
class Link:
    """A relationship row between two persons (through their records)."""

    agency: str
    a: int  # record_id's person
    b: int  # related_record_id's person
    ra: str  # the records' uids
    rb: str
    type: str
    start: date | None
    end: date | None

    def begun(self, on: date) -> bool:
        return self.start is None or self.start <= on


@dataclass(frozen=True)
class TrueReferral:
    """A written referral row, with the true person of its record."""

    agency: str
    referral_id: str
    person: int
    received: date
    decided: date | None
    nfa: bool
    assessment: date | None  # authorised, else started
    authorised: date | None
    planned: bool
    closed: date | None

    def decision(self, closure_days: int) -> date | None:
        """The day nothing more was decided (as `kinlink.review.prompts.Referral`)."""
        if self.nfa:
            return self.decided or self.received
        if (self.authorised and self.closed and not self.planned
                and 0 <= (self.closed - self.authorised).days <= closure_days):
            return self.closed
        return None


def _referrals(a: AgencyData, person: dict[str, int]) -> Iterator[TrueReferral]:
    refs = a.tables.get("referrals", {})
    for i in range(len(refs.get("referral_id", []))):
        r = {c: refs[c][i] for c in refs}
        received = _date(r["referral_date"])
        assert received is not None  # every written referral has its date
        authorised = _date(r["assessment_authorised_date"])
        yield TrueReferral(a.name, str(r["referral_id"]), person[r["record_id"]], received,
                           _date(r["decision_date"]), r["nfa"] == "true",
                           authorised or _date(r["assessment_start_date"]), authorised,
                           bool(r["cp_plan_start_date"]), _date(r["closure_date"]))


@dataclass
class Joined:
    """The extracts joined up by true identity: links, markers, addresses, referrals."""

    links: dict[int, list[Link]] = field(default_factory=lambda: defaultdict(list))
    markers: dict[int, list[tuple[str, str, str, date | None, date | None]]] = field(
        default_factory=lambda: defaultdict(list))  # agency, uid, marker, start, end
    home: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    referrals: list[TrueReferral] = field(default_factory=list)
    attendances: list[tuple[int, str, str, str, date]] = field(default_factory=list)


def join_up(agencies: list[AgencyData]) -> Joined:
    """Every agency's rows, with persons in place of records."""
    out = Joined()
    at: dict[str, set[int]] = defaultdict(set)
    for a in agencies:
        person = dict(zip(a.record_id.tolist(), a.person.tolist(), strict=True))
        rel = a.tables.get("relationships", {})
        for x, y, kind, start, end in zip(*(rel.get(c, []) for c in (
                "record_id", "related_record_id", "type", "from_date", "to_date")), strict=True):
            link = Link(a.name, person[x], person[y], f"{a.name}:{x}", f"{a.name}:{y}", kind,
                        _date(start), _date(end))
            out.links[link.a].append(link)
            out.links[link.b].append(link)
        marks = a.tables.get("risk_markers", {})
        for rid, marker, start, end in zip(*(marks.get(c, []) for c in (
                "record_id", "marker", "start_date", "end_date")), strict=True):
            out.markers[person[rid]].append((a.name, f"{a.name}:{rid}", marker, _date(start),
                                             _date(end)))
        for i, line in enumerate(a.people.get("address", np.empty(0)).tolist()):
            if line:
                at[line].add(int(a.person[i]))
        out.referrals.extend(_referrals(a, person))
        _attendances(a, person, out)
    for people in at.values():
        if len(people) <= SHARED_ADDRESS_LIMIT:
            for p in people:
                out.home[p] |= people - {p}
    return out


def _attendances(a: AgencyData, person: dict[str, int], out: Joined) -> None:
    incidents = a.tables.get("incidents")
    present = a.tables.get("incident_people")
    if incidents is None or present is None:
        return
    what = {i: (t, _date(at)) for i, t, at in zip(incidents["incident_id"].tolist(),
                                                  incidents["type"].tolist(),
                                                  incidents["occurred_at"].tolist(), strict=True)}
    for inc, rid, role in zip(present["incident_id"].tolist(), present["record_id"].tolist(),
                              present["role"].tolist(), strict=True):
        kind, day = what[inc]
        if day is not None:
            out.attendances.append((person[rid], inc, kind or "", role, day))


class Truth:
    """The rules applied to the joined-up extracts."""

    def __init__(self, pop: Population, agencies: list[AgencyData],
                 config: SecondLookConfig) -> None:
        self.pop, self.config = pop, config
        self.on = pop.as_of.astype(object)
        self.data = join_up(agencies)
        self.data.referrals.sort(key=lambda r: (r.person, r.received, r.referral_id))

    def rows(self) -> list[Row]:
        c = self.config
        found: list[Row] = []
        for enabled, rule in ((c.repeat.enabled, self._repeat), (c.incident.enabled,
                              self._incidents), (c.nfa.enabled, self._nfa),
                              (c.joined.enabled, self._joined)):
            if enabled:
                found.extend(rule())
        return sorted(set(found))

    def _adult(self, person: int, on: date) -> bool:
        return _age(self.pop.dob[person], on) >= 18

    def _repeat(self) -> Iterator[Row]:
        rule = self.config.repeat
        by_child: dict[int, list[TrueReferral]] = defaultdict(list)
        for r in self.data.referrals:
            by_child[r.person].append(r)
        for child, refs in by_child.items():
            for i, ref in enumerate(refs):
                window = [r for r in refs[:i + 1]
                          if (ref.received - r.received).days <= rule.window_days]
                if len(window) >= rule.count:
                    yield _row(child, "repeat-referrals", ref.referral_id)

    def _incidents(self) -> Iterator[Row]:
        rule = self.config.incident
        received: dict[int, list[date]] = defaultdict(list)
        for r in self.data.referrals:
            received[r.person].append(r.received)
        for child, incident, kind, role, day in self.data.attendances:
            until = date.fromordinal(day.toordinal() + rule.referral_within_days)
            if kind in rule.incident_types and role in rule.child_roles and until <= self.on \
                    and not any(day <= d <= until for d in received[child]):
                yield _row(child, "incident-no-referral", "", incident)

    def near(self, child: int, on: date) -> set[int]:
        """Adults who are a parent, step-parent, carer or household member on the day."""
        out = set(self.data.home.get(child, set()))
        for link in self.data.links.get(child, []):
            if not link.begun(on):
                continue
            if link.type in CARE and link.b == child:
                out.add(link.a)
            elif link.type == "household-member" and (link.end is None or link.end >= on):
                out.add(link.b if link.a == child else link.a)
        return {a for a in out if a != child and self._adult(a, on)}

    def _mentioned(self, child: int, adult: int, marker: str, agency: str, on: date) -> bool:
        tied = {link.ra if link.a == adult else link.rb
                for link in self.data.links.get(adult, [])
                if link.agency == agency and link.begun(on)
                and {link.a, link.b} == {adult, child}}
        return any(ag == agency and uid in tied and m == marker and (s is None or s <= on)
                   for ag, uid, m, s, _ in self.data.markers.get(adult, []))

    def _nfa(self) -> Iterator[Row]:
        rule = self.config.nfa
        for r in self.data.referrals:
            on = r.decision(rule.no_services_closure_days)
            if on is None:
                continue
            child = r.person
            for adult in self.near(child, on):
                serious = {m for _, _, m, s, e in self.data.markers.get(adult, [])
                           if m in rule.serious_markers and (s is None or s <= on)
                           and (e is None or e >= on)}
                if any(not self._mentioned(child, adult, m, r.agency, on) for m in serious):
                    yield _row(child, "nfa-with-serious-marker", r.referral_id)
                    break

    def _joined(self) -> Iterator[Row]:
        rule = self.config.joined
        last: dict[int, tuple[date, str]] = {}
        for r in self.data.referrals:
            when = r.assessment
            if when is not None and when <= self.on and (
                    r.person not in last or (when, r.referral_id) > last[r.person]):
                last[r.person] = (when, r.referral_id)
        for child, (assessed, referral) in last.items():
            starts: dict[tuple[int, str], date] = {}
            for link in self.data.links.get(child, []):
                adult = link.b if link.a == child else link.a
                joins = link.type in rule.join_relations and (
                    link.type == "household-member" or link.a == adult)
                if joins and link.start is not None and link.start <= self.on:
                    key = (adult, link.type)
                    starts[key] = min(starts.get(key, link.start), link.start)
            for (adult, _), start in starts.items():
                marked = any(m in rule.markers and (s is None or s <= self.on)
                             for _, _, m, s, _ in self.data.markers.get(adult, []))
                if start > assessed and marked and self._adult(adult, self.on):
                    yield _row(child, "marker-adult-joined", referral, "", adult)


def _row(child: int, rule: str, referral: str, incident: str = "", adult: int | None = None
         ) -> Row:
    return (f"T{child + 1:07d}", rule, referral, incident,
            f"T{adult + 1:07d}" if adult is not None else "")


def second_look_truth(pop: Population, agencies: list[AgencyData]
                      ) -> dict[str, list[str | None]]:
    """Columns of `truth/second_look.csv` under the packaged rules."""
    rows = Truth(pop, agencies, load_second_look(PACKAGED)).rows()
    names = ("child_person_id", "rule", "referral_id", "incident_id", "adult_person_id")
    return {n: [r[i] or None for r in rows] for i, n in enumerate(names)}
