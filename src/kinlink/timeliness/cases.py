"""The case path of each referral, read from the store with every version of the record.

A referral's row holds the dates of the Children in Need path: referral, decision (or no
further action), assessment start and authorisation, strategy discussion, section 47
enquiry, initial child protection conference, plan and reviews, closure. Each later
extract that changed the row added a version; the versions give each clock its history.

The child is the person the referral's record resolved to (`record_persons`); a record not
resolved yet is keyed `"{agency}:{record_id}"` and marked unresolved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import RowMapping, and_, select

from kinlink.store import Store
from kinlink.store.queries import records_in
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.source import ingest_runs, people, referrals

EVENT_COLUMNS: dict[str, str] = {
    "referral": "referral_date",
    "decision": "decision_date",
    "assessment_start": "assessment_start_date",
    "assessment_authorised": "assessment_authorised_date",
    "strategy_discussion": "strategy_discussion_date",
    "s47_start": "s47_start_date",
    "icpc": "icpc_date",
    "cp_plan_start": "cp_plan_start_date",
    "cp_plan_end": "cp_plan_end_date",
    "review_conference": "review_conference_dates",
    "closure": "closure_date",
}
"""Each event of the case path and the referral column holding its date(s).

`nfa` is the decision itself when the referral's `nfa` flag is set."""

DATE_LIST_COLUMNS: dict[str, str] = {"review_conference": "review_conference_dates",
                                     "strategy_discussion": "strategy_discussion_dates"}
"""Events whose dates (also) come as a `;`-separated list of ISO dates."""

FLAG_EVENTS: dict[str, str] = {"icpc_not_required": "icpc_not_required"}
"""Events recorded as a yes/no flag with no date of their own."""


def as_datetime(value: date | datetime) -> datetime:
    """A date or datetime as a naive datetime; a bare date is midnight (time not recorded)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.combine(value, time())


def has_time(moment: datetime) -> bool:
    """Whether a time of day was recorded (midnight is read as 'date only')."""
    return moment.time() != time()


@dataclass(frozen=True)
class CasePath:
    """A referral's events as one version of its record states them."""

    dates: Mapping[str, tuple[datetime, ...]]
    nfa: bool = False
    team: str | None = None
    triage_rating: str | None = None
    primary_need: str | None = None
    flags: frozenset[str] = frozenset()  # flag events set on the row (`FLAG_EVENTS`)
    unreadable: tuple[tuple[str, str], ...] = ()  # (column, piece) of list dates not dates

    def first(self, event: str) -> datetime | None:
        """The event's earliest date, if recorded."""
        found = self.dates.get(event, ())
        return min(found) if found else None

    @property
    def undated(self) -> frozenset[str]:
        """Events known to have happened though no date says when (NFA without a decision
        date, a conference found not required)."""
        nfa = {"nfa"} if self.nfa and not self.dates.get("nfa") else set()
        return frozenset(nfa) | self.flags

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | RowMapping) -> CasePath:
        """Read the events from one row of the referrals table."""
        dates: dict[str, tuple[datetime, ...]] = {}
        unreadable: list[tuple[str, str]] = []
        for event, column in EVENT_COLUMNS.items():
            listed = DATE_LIST_COLUMNS.get(event)
            value = row.get(column) if column != listed else None
            found = {as_datetime(value)} if value else set()
            if listed:
                parsed, bad = _date_list(row.get(listed))
                found.update(parsed)
                unreadable.extend((listed, piece) for piece in bad)
            dates[event] = tuple(sorted(found))
        dates["nfa"] = dates["decision"] if row.get("nfa") else ()
        flags = frozenset(event for event, column in FLAG_EVENTS.items() if row.get(column))
        return cls(dates, bool(row.get("nfa")), row.get("team") or None,
                   row.get("triage_rating") or None, row.get("primary_need") or None,
                   flags, tuple(unreadable))


def _date_list(text: str | None) -> tuple[tuple[datetime, ...], list[str]]:
    """Parse `;`-separated ISO dates, keeping the pieces that are not dates aside."""
    parsed, bad = [], []
    for piece in (text or "").split(";"):
        if piece := piece.strip():
            try:
                parsed.append(as_datetime(date.fromisoformat(piece)))
            except ValueError:
                bad.append(piece)
    return tuple(sorted(parsed)), bad


@dataclass(frozen=True)
class ReferralVersion:
    """One version of a referral row and when Kinlink first saw it (its ingest's start)."""

    version: int
    seen_at: datetime
    path: CasePath


@dataclass(frozen=True)
class Case:
    """One referral: the child it is about and every version of its case path."""

    agency: str
    referral_key: str
    referral_id: str
    record_id: str
    child_key: str
    child_resolved: bool
    child_dob: date | None
    versions: tuple[ReferralVersion, ...] = field(repr=False)

    @property
    def path(self) -> CasePath:
        """The case path as the newest version states it."""
        return self.versions[-1].path

    @property
    def first_seen(self) -> datetime:
        return self.versions[0].seen_at

    @property
    def last_seen(self) -> datetime:
        """When the newest version arrived: no date in it can be later than this."""
        return self.versions[-1].seen_at

    @property
    def team(self) -> str | None:
        return self.path.team

    @property
    def referral_date(self) -> datetime | None:
        return self.path.first("referral")


def partial_dob(text: str | None) -> date | None:
    """A date of birth from a full or partial date: `YYYY` reads as 1 July and `YYYY-MM`
    as the 15th, the middle of what is known."""
    if not text:
        return None
    try:
        if len(text) == 4:
            return date(int(text), 7, 1)
        if len(text) == 7:
            return date(int(text[:4]), int(text[5:7]), 15)
        return date.fromisoformat(text)
    except ValueError:
        return None


_CHUNK = 500  # persons per IN (...) query, well under every backend's parameter limit


def _children(store: Store, records: Sequence[tuple[str, str]] | None = None
              ) -> dict[tuple[str, str], str]:
    """Person id of every referral's child record (of these records) that has been resolved."""
    query = (
        select(referrals.c.agency, referrals.c.record_id, record_persons.c.person_id)
        .join(record_persons, and_(record_persons.c.agency == referrals.c.agency,
                                   record_persons.c.record_id == referrals.c.record_id))
        .distinct()
    )
    if records is not None:
        query = query.where(records_in(referrals.c.agency, referrals.c.record_id, records))
    with store.connect() as conn:
        return {(a, r): p for a, r, p in conn.execute(query)}


def _latest_dobs(rows: Iterable[Sequence[Any]]) -> dict[tuple[str, str], str | None]:
    """The date of birth in the newest version of each (agency, record_id), from rows of
    (agency, record_id, version, dob)."""
    newest: dict[tuple[str, str], tuple[int, str | None]] = {}
    for agency, record_id, version, dob in rows:
        if (agency, record_id) not in newest or version > newest[(agency, record_id)][0]:
            newest[(agency, record_id)] = (version, dob)
    return {record: dob for record, (_, dob) in newest.items()}


def _dobs(store: Store, persons: set[str],
          records: Sequence[tuple[str, str]] | None = None
          ) -> tuple[dict[tuple[str, str], date], dict[str, date]]:
    """Dates of birth of the referrals' own records (of these records only, when given),
    and of the children's persons (from any of their records, for a referral record that
    has none)."""
    # Only the records needed are read (all their versions, newest kept here): grouping
    # the whole people table by key costs seconds on a large borough.
    columns = (people.c.agency, people.c.record_id, people.c.version, people.c.dob)
    own = (select(*columns)
           .join(referrals, and_(referrals.c.agency == people.c.agency,
                                 referrals.c.record_id == people.c.record_id))
           .distinct())
    if records is not None:  # one person's referrals: not every referral's child
        own = own.where(records_in(people.c.agency, people.c.record_id, records))
    linked = (select(record_persons.c.person_id, *columns)
              .join(people, and_(people.c.agency == record_persons.c.agency,
                                 people.c.record_id == record_persons.c.record_id)))
    ordered = sorted(persons)
    person_of: dict[tuple[str, str], str] = {}
    rows: list[Sequence[Any]] = []
    with store.connect() as conn:
        by_record = {r: d for r, text in _latest_dobs(conn.execute(own)).items()
                     if (d := partial_dob(text))}
        for i in range(0, len(ordered), _CHUNK):
            for person, *row in conn.execute(
                    linked.where(record_persons.c.person_id.in_(ordered[i:i + _CHUNK]))):
                person_of[(row[0], row[1])] = person
                rows.append(row)
    by_person: dict[str, date] = {}
    # Full dates of birth before partial ones ('2015-07-01' sorts after '2015').
    for record, text in sorted(_latest_dobs(rows).items(), key=lambda kv: -len(kv[1] or "")):
        if (d := partial_dob(text)) and person_of[record] not in by_person:
            by_person[person_of[record]] = d
    return by_record, by_person


def load_cases(store: Store, *, agency: str | None = None,
               records: Sequence[tuple[str, str]] | None = None) -> list[Case]:
    """Every referral in the store (of one agency, or about these (agency, record_id)
    records, when given) with all its versions."""
    query = (
        select(referrals, ingest_runs.c.started_at.label("seen_at"))
        .join(ingest_runs, ingest_runs.c.id == referrals.c.ingest_run_id)
        .order_by(referrals.c.agency, referrals.c.key, referrals.c.version)
    )
    if agency is not None:
        query = query.where(referrals.c.agency == agency)
    if records is not None:  # one person's referrals: a few indexed look-ups
        query = query.where(records_in(referrals.c.agency, referrals.c.record_id, records))
    with store.connect() as conn:
        rows = conn.execute(query).mappings().all()
    children = _children(store, records)
    dob_by_record, dob_by_person = _dobs(store, set(children.values()), records)

    grouped: dict[tuple[str, str], list[RowMapping]] = {}
    for row in rows:
        grouped.setdefault((row["agency"], row["key"]), []).append(row)
    cases = []
    for (agency_name, key), versions in grouped.items():
        latest = versions[-1]
        record = (agency_name, latest["record_id"])
        person = children.get(record)
        cases.append(Case(
            agency=agency_name, referral_key=key, referral_id=latest["referral_id"],
            record_id=latest["record_id"],
            child_key=person or f"{agency_name}:{latest['record_id']}",
            child_resolved=person is not None,
            child_dob=dob_by_record.get(record) or (dob_by_person.get(person) if person else None),
            versions=tuple(ReferralVersion(v["version"], as_datetime(v["seen_at"]),
                                           CasePath.from_row(v)) for v in versions),
        ))
    return cases
