"""Who a person is across agencies, and why: every source record and how linkage joined them.

The person page reads this: each agency's records of the person (the current version of
every source row naming them: people, addresses, relationships, markers, referrals), how
firmly linkage holds each record in (its cluster confidence), the person's history (created,
merged, split, retired, with the reason written by the resolution run) and the pairs of their
records a reviewer was or is asked about. A record not yet resolved is a person of its own,
named "agency:record_id" as the network names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from kinlink.errors import NotFoundError
from kinlink.store import Store
from kinlink.store.queries import current_rows_of
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.resolution import person_events, review_items
from kinlink.store.schema.source import SOURCE_TABLES

# The source tables that name a person's record, and the column that does.
_RECORD_TABLES = ("people", "addresses", "relationships", "risk_markers", "referrals")
_BOOKKEEPING = ("id", "key", "row_hash")


@dataclass(frozen=True)
class SourceRecord:
    """One agency's record of the person, with every current row that names it."""

    agency: str
    record_id: str
    confidence: float | None  # weakest link holding it in the person; None: unresolved
    person: dict[str, Any]  # the people row's fields
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # table -> rows

    @property
    def uid(self) -> str:
        return f"{self.agency}:{self.record_id}"


@dataclass(frozen=True)
class IdentityEvent:
    """Something a resolution run did to the person."""

    kind: str  # create | merge | split | retire
    other_person_id: str | None
    records: list[str]
    reason: str
    at: datetime


@dataclass(frozen=True)
class PairInDoubt:
    """A pair of the person's records (or one of theirs and another's) put to a reviewer."""

    item_id: int
    uid_l: str
    uid_r: str
    match_probability: float
    explanation: str
    status: str


@dataclass(frozen=True)
class PersonIdentity:
    """Every record of a person and why they are one person."""

    person_id: str
    resolved: bool
    records: list[SourceRecord]
    events: list[IdentityEvent]
    in_doubt: list[PairInDoubt]

    @property
    def agencies(self) -> list[str]:
        return sorted({r.agency for r in self.records})


def person_identity(store: Store, person_id: str) -> PersonIdentity:
    """The person's records and identity history; NotFoundError if no record is theirs."""
    with store.connect() as conn:
        held = _records_of(conn, person_id)
        if not held:
            raise NotFoundError(f"no person {person_id}")
        resolved = ":" not in person_id
        uids = [f"{a}:{r}" for a, r in held]
        rows = {name: _rows(conn, name, list(held)) for name in _RECORD_TABLES}
        records = [
            SourceRecord(agency=a, record_id=r, confidence=confidence,
                         person=next(iter(rows["people"].get((a, r), [])), {}),
                         rows={name: found.get((a, r), []) for name, found in rows.items()
                               if name != "people"})
            for (a, r), confidence in sorted(held.items())
        ]
        return PersonIdentity(person_id=person_id, resolved=resolved, records=records,
                              events=_events(conn, person_id) if resolved else [],
                              in_doubt=_in_doubt(conn, uids))


def person_agencies(store: Store, person_id: str) -> set[str]:
    """The agencies holding records of the person (before any of them is read)."""
    with store.connect() as conn:
        return {agency for agency, _record in _records_of(conn, person_id)}


def _records_of(conn: Connection, person_id: str) -> dict[tuple[str, str], float | None]:
    """(agency, record_id) -> cluster confidence of the person's records."""
    rp = record_persons.c
    if ":" in person_id:  # an unresolved record stands for itself
        agency, record_id = person_id.split(":", 1)
        people = SOURCE_TABLES["people"].c
        found = conn.execute(select(people.id).where(
            people.agency == agency, people.record_id == record_id).limit(1)).first()
        return {(agency, record_id): None} if found else {}
    return {(a, r): c for a, r, c in conn.execute(
        select(rp.agency, rp.record_id, rp.cluster_confidence).where(rp.person_id == person_id))}


def _rows(conn: Connection, name: str,
          records: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(agency, record_id) -> current rows of a source table naming those records."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in current_rows_of(conn, name, records):
        shown = {k: v for k, v in row.items() if k not in _BOOKKEEPING}
        found.setdefault((row["agency"], row["record_id"]), []).append(shown)
    return found


def _events(conn: Connection, person_id: str) -> list[IdentityEvent]:
    e = person_events.c
    query = (select(e.kind, e.person_id, e.other_person_id, e.record_uids, e.reason,
                    e.created_at)
             .where(or_(e.person_id == person_id, e.other_person_id == person_id))
             .order_by(e.id))
    return [IdentityEvent(kind=kind, records=list(uids or []), reason=reason, at=at,
                          other_person_id=other if subject == person_id else subject)
            for kind, subject, other, uids, reason, at in conn.execute(query)]


def _in_doubt(conn: Connection, uids: list[str]) -> list[PairInDoubt]:
    r = review_items.c
    query = (select(r.id, r.uid_l, r.uid_r, r.match_probability, r.explanation, r.status)
             .where(or_(r.uid_l.in_(uids), r.uid_r.in_(uids))).order_by(r.id))
    return [PairInDoubt(item_id=i, uid_l=left, uid_r=right, match_probability=p,
                        explanation=why, status=status)
            for i, left, right, p, why, status in conn.execute(query)]
