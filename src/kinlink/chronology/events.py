"""Building a child's chronology from every agency's rows on the child and the adults near them.

The adults are those of the child's network (`kinlink.network.view`): parents, household
members, parents' partners, people at an incident with the child, ... Each of their
records, and each of the child's, is read for dated facts:

- `people`: the child's birth (the date most records agree on); between two extracts, a
  changed address (`address-changed`) or, in an education record, a changed school
  reference (`school-changed`);
- `addresses`: `moved-in`, `moved-out`;
- `relationships`: household members `joined-household` / `left-household`; other links
  (partner, step-parent, carer, ...) `relationship-began` / `-ended`; parent and sibling
  rows are left out (they begin at birth);
- `risk_markers`: `marker-started` / `-ended`, or `order-started` / `-ended` for orders;
- `incident_people` + `incidents`: one `incident`, naming each network person's role;
- `referrals` (the child's): `referral`, `referral-decision` (no further action or not),
  `assessment-started`, `-authorised`, `strategy-discussion`, `section-47-enquiry`,
  `initial-conference`, `plan-started`, `review-conference`, `plan-ended`, `case-closed`.

A fact the agency holds without its date (a marker with no start, a relationship with no
start, a decided referral with no decision date) is an event with no date, flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

from sqlalchemy import Connection

from kinlink.chronology.model import (
    About,
    Chronology,
    Event,
    EventKind,
    Filters,
    Subject,
)
from kinlink.chronology.sources import (
    Row,
    incidents_of,
    people_versions,
    rows_on_records,
    uid,
)
from kinlink.network.view import ChildNetwork, child_network
from kinlink.store import Store

ORDERS = ("non-molestation-order-respondent", "non-molestation-order-protected")
BIRTH_LINKS = ("parent", "sibling")
"""Relationship types that begin at birth: the birth already tells them."""
REFERRAL_STEPS: tuple[tuple[str, EventKind, str], ...] = (
    ("assessment_start_date", EventKind.ASSESSMENT_STARTED, "child and family assessment started"),
    ("assessment_authorised_date", EventKind.ASSESSMENT_AUTHORISED,
     "assessment completed and authorised"),
    ("strategy_discussion_date", EventKind.STRATEGY_DISCUSSION, "strategy discussion"),
    ("s47_start_date", EventKind.S47_ENQUIRY, "section 47 enquiry started"),
    ("icpc_date", EventKind.INITIAL_CONFERENCE, "initial child protection conference"),
    ("cp_plan_start_date", EventKind.PLAN_STARTED, "child protection plan began"),
    ("cp_plan_end_date", EventKind.PLAN_ENDED, "child protection plan ended"),
    ("closure_date", EventKind.CASE_CLOSED, "case closed"),
)


def day_of(value: date | datetime | None) -> date | None:
    """The calendar day of a stored date or date-time."""
    return value.date() if isinstance(value, datetime) else value


def subjects_of(network: ChildNetwork) -> dict[str, Subject]:
    """The child and every adult of the network, by each of their record uids."""
    child = network.child
    out = {r: Subject(child.person_id, child.name, About.CHILD, "child") for r in child.records}
    for adult in network.adults:
        person = adult.person
        subject = Subject(person.person_id, person.name, About.ADULT, adult.role)
        out.update((r, subject) for r in person.records if r not in out)
    return out


class _Builder:
    """Reads the rows on the subjects' records and turns them into events."""

    def __init__(self, conn: Connection, network: ChildNetwork) -> None:
        self.conn, self.network = conn, network
        self.subjects = subjects_of(network)
        self.records = set(self.subjects)

    def events(self) -> Iterator[Event]:
        yield from self._birth()
        yield from self._versions()
        yield from self._addresses()
        yield from self._relationships()
        yield from self._markers()
        yield from self._incidents()
        yield from self._referrals()

    def _event(self, on: date | datetime | None, kind: EventKind, row: Row, table: str,
               summary: str, record: str | None = None) -> Event:
        subject = self.subjects[uid(row["agency"], row["record_id"])]
        at = on if isinstance(on, datetime) and on.time() != datetime.min.time() else None
        return Event(day_of(on), kind, row["agency"], record or uid(row["agency"],
                     row["record_id"]), table, subject, summary, at)

    def _birth(self) -> Iterator[Event]:
        child = self.network.child
        dob = child.dob
        born = date.fromisoformat(dob) if dob and len(dob) == 10 else None
        if born is not None:
            summary = "born"
        elif dob:
            summary = f"born in {dob} (the day is not known)"
        else:
            summary = "born: no agency holds a date of birth"
        first = sorted(r for r, s in self.subjects.items() if s.about is About.CHILD)[0]
        agency = first.partition(":")[0]
        yield Event(born, EventKind.BIRTH, agency, ";".join(child.records), "people",
                    self.subjects[first], summary)

    def _versions(self) -> Iterator[Event]:
        previous: dict[str, Row] = {}
        for row in people_versions(self.conn, self.records):
            record = uid(row["agency"], row["record_id"])
            before = previous.get(record)
            previous[record] = row
            if before is None:
                continue
            when = row["recorded_at"] or row["loaded_at"]
            if (row["address"], row["postcode"]) != (before["address"], before["postcode"]):
                yield self._event(when, EventKind.ADDRESS_CHANGED, row, "people",
                                  f"address now {_place(row)} (was {_place(before)})")
            if row["agency"] == "education" and row["local_id"] != before["local_id"]:
                yield self._event(when, EventKind.SCHOOL_CHANGED, row, "people",
                                  f"school reference now {row['local_id'] or 'blank'} "
                                  f"(was {before['local_id'] or 'blank'})")

    def _addresses(self) -> Iterator[Event]:
        for row in rows_on_records(self.conn, "addresses", self.records):
            yield self._event(row["from_date"], EventKind.MOVED_IN, row, "addresses",
                              f"moved in to {_place(row)}")
            if row["to_date"] is not None:
                yield self._event(row["to_date"], EventKind.MOVED_OUT, row, "addresses",
                                  f"moved out of {_place(row)}")

    def _relationships(self) -> Iterator[Event]:
        for row in rows_on_records(self.conn, "relationships", self.records):
            other = self.subjects.get(uid(row["agency"], row["related_record_id"]))
            if other is None or row["type"] in BIRTH_LINKS:
                continue
            household = row["type"] == "household-member"
            began = EventKind.JOINED_HOUSEHOLD if household else EventKind.RELATIONSHIP_BEGAN
            ended = EventKind.LEFT_HOUSEHOLD if household else EventKind.RELATIONSHIP_ENDED
            what = f"recorded as {row['type']} of {other.label}"
            yield self._event(row["from_date"], began, row, "relationships", what)
            if row["to_date"] is not None:
                yield self._event(row["to_date"], ended, row, "relationships",
                                  f"no longer {row['type']} of {other.label}")

    def _markers(self) -> Iterator[Event]:
        for row in rows_on_records(self.conn, "risk_markers", self.records):
            order = row["marker"] in ORDERS
            began = EventKind.ORDER_STARTED if order else EventKind.MARKER_STARTED
            ended = EventKind.ORDER_ENDED if order else EventKind.MARKER_ENDED
            notes = f": {row['notes']}" if row["notes"] else ""
            yield self._event(row["start_date"], began, row, "risk_markers",
                              f"{row['marker']} recorded{notes}")
            if row["end_date"] is not None and row["end_date"] <= self.network.as_of:
                yield self._event(row["end_date"], ended, row, "risk_markers",
                                  f"{row['marker']} ended")

    def _incidents(self) -> Iterator[Event]:
        """One event per incident: about the child when the child was there, else about the
        first adult recorded there; the summary names everyone of the network present."""
        attended, incidents = incidents_of(self.conn, self.records)
        present: dict[str, list[Row]] = {}
        for row in attended:
            present.setdefault(uid(row["agency"], row["incident_id"]), []).append(row)
        for key, rows in present.items():
            incident = incidents.get(key)
            if incident is None:
                continue
            rows.sort(key=lambda r: (self._who(r).about is not About.CHILD, r["record_id"]))
            roles = ", ".join(f"{self._who(r).label} ({r['role']})" for r in rows)
            where = f" at {_place(incident)}" if incident["address"] else ""
            yield self._event(incident["occurred_at"], EventKind.INCIDENT, rows[0],
                              "incidents", f"{incident['type'] or 'unclassified'} incident "
                              f"{incident['incident_id']}{where}: {roles}", record=key)

    def _who(self, row: Row) -> Subject:
        return self.subjects[uid(row["agency"], row["record_id"])]

    def _referrals(self) -> Iterator[Event]:
        child = {r for r, s in self.subjects.items() if s.about is About.CHILD}
        for row in rows_on_records(self.conn, "referrals", child):
            yield from referral_events(row, self._event)


EventMaker = Callable[..., Event]


def referral_events(row: Row, make: EventMaker) -> Iterator[Event]:
    """The events of one referral row (`make` is the builder's event factory)."""
    ref = uid(row["agency"], row["referral_id"])
    source = f" from {row['referral_source']}" if row["referral_source"] else ""
    team = f" to {row['team']}" if row["team"] else ""
    yield make(row["referral_date"], EventKind.REFERRAL, row, "referrals",
               f"referral {row['referral_id']}{source}{team}"
               f" (triage {row['triage_rating'] or 'not given'})", ref)
    later = any(row[c] is not None for c, _, _ in REFERRAL_STEPS[:2])
    if row["decision_date"] is not None or row["nfa"] or later:
        outcome = "no further action" if row["nfa"] else "further action"
        yield make(row["decision_date"], EventKind.DECISION, row, "referrals",
                   f"referral {row['referral_id']} decided: {outcome}", ref)
    for column, kind, text in REFERRAL_STEPS:
        if row[column] is not None:
            yield make(row[column], kind, row, "referrals",
                       f"{text} (referral {row['referral_id']})", ref)
    for held in (row["review_conference_dates"] or "").split(";"):
        if held:
            yield make(date.fromisoformat(held), EventKind.REVIEW_CONFERENCE, row, "referrals",
                       f"child protection review conference (referral {row['referral_id']})",
                       ref)


def _place(row: Row) -> str:
    return ", ".join(p for p in (row.get("address"), row.get("postcode")) if p) or "unknown"


def build_chronology(store: Store, person_id: str, *, as_of: date | None = None,
                     filters: Filters | None = None) -> Chronology:
    """The child's chronology as of a date (today by default): every event of the child
    and of the adults of their network, in order, undated events last and flagged."""
    on = as_of or date.today()
    network = child_network(store, person_id, as_of=on)
    with store.connect() as conn:
        builder = _Builder(conn, network)
        events = list(builder.events())
    keep = filters or Filters()
    chosen = sorted({(e.kind, e.record, e.subject.person_id, e.on, e.summary): e
                     for e in events if keep.keep(e)}.values(), key=Event.sort_key)
    subjects = list(dict.fromkeys(builder.subjects.values()))
    child = next(s for s in subjects if s.about is About.CHILD)
    return Chronology(child, network.child.dob, on, tuple(subjects), tuple(chosen))
