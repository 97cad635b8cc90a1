"""Appending to, checking and reading the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select, update

from kinlink.store import Store
from kinlink.store.schema.audit import audit_head, audit_log

GENESIS = "0" * 64
"""The `prev_hash` of the first entry."""

_BATCH = 5_000


@dataclass(frozen=True)
class NewEntry:
    """What the gate asks to log: who, what kind of processing, which action on what, why."""

    username: str
    role: str
    agency: str | None
    kind: str
    action: str
    resource: str
    outcome: str
    reason: str | None = None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One stored entry of the log, with its place in the chain."""

    id: int
    at: datetime
    username: str
    role: str
    agency: str | None
    kind: str
    action: str
    resource: str
    reason: str | None
    outcome: str
    detail: dict[str, Any] | None
    prev_hash: str
    hash: str

    def as_row(self) -> dict[str, Any]:
        """The entry as flat values (the detail as JSON text), for CSV and JSON output."""
        return asdict(self) | {"at": self.at.isoformat(),
                               "detail": None if self.detail is None else _dumps(self.detail)}


@dataclass(frozen=True)
class Verification:
    """The result of checking the chain: how many entries, and the first broken one."""

    entries: int
    first_broken: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken is None and self.problem is None


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(entry_id: int, at: datetime, new: NewEntry | AuditEntry, prev_hash: str) -> str:
    """The SHA-256 of an entry's fields and the hash before it (what `verify` recomputes)."""
    fields = [entry_id, at.astimezone(UTC).isoformat(), new.username, new.role, new.agency,
              new.kind, new.action, new.resource, new.reason, new.outcome,
              None if new.detail is None else _dumps(new.detail), prev_hash]
    return hashlib.sha256(_dumps(fields).encode()).hexdigest()


def _entry(row: Any) -> AuditEntry:
    values = dict(row)
    values["detail"] = None if values["detail"] is None else json.loads(values["detail"])
    return AuditEntry(**values)


class AuditLog:
    """The audit log of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def append(self, new: NewEntry, at: datetime) -> AuditEntry:
        """Add an entry at the end of the chain, in its own transaction.

        The first statement writes the head row and reads it back: on PostgreSQL that row
        lock makes concurrent appenders wait their turn; on SQLite the write takes the
        database's write lock. Either way no two entries get the same number or
        predecessor.
        """
        with self.store.begin() as conn:
            last_id, last_hash = conn.execute(
                update(audit_head).where(audit_head.c.id == 1)
                .values(last_id=audit_head.c.last_id)
                .returning(audit_head.c.last_id, audit_head.c.last_hash)).one()
            entry_id = last_id + 1
            digest = entry_hash(entry_id, at, new, last_hash)
            values = asdict(new) | {"id": entry_id, "at": at, "prev_hash": last_hash,
                                    "hash": digest}
            values["detail"] = None if new.detail is None else _dumps(new.detail)
            conn.execute(insert(audit_log).values(**values))
            conn.execute(update(audit_head).where(audit_head.c.id == 1)
                         .values(last_id=entry_id, last_hash=digest))
        return AuditEntry(**(asdict(new) | {"id": entry_id, "at": at, "prev_hash": last_hash,
                                            "hash": digest}))

    def verify(self) -> Verification:
        """Walk the chain from the first entry; name the first that does not fit.

        An edited entry no longer matches its hash; a deleted one leaves a gap in the
        numbers and a `prev_hash` that points nowhere; reordered entries break the chain
        where they were swapped; cut-off newest entries leave the head pointing past the end.
        """
        prev_hash, expected_id, count = GENESIS, 1, 0
        with self.store.connect() as conn:
            for entry in self._walk(conn):
                broken = _check(entry, expected_id, prev_hash)
                if broken:
                    return Verification(count, first_broken=broken[0], problem=broken[1])
                prev_hash, expected_id, count = entry.hash, entry.id + 1, count + 1
            head_id, head_hash = conn.execute(
                select(audit_head.c.last_id, audit_head.c.last_hash)).one()
        if head_id != count or head_hash != prev_hash:
            return Verification(count, first_broken=count + 1 if head_id > count else None,
                                problem=f"the head names entry {head_id} but the chain "
                                        f"ends at entry {count}: entries are missing")
        return Verification(count)

    def _walk(self, conn: Connection, query: Select[Any] | None = None) -> Iterator[AuditEntry]:
        """Entries of `query` (default all) in id order, read a batch at a time."""
        query = select(audit_log) if query is None else query
        after = 0
        while True:
            rows = conn.execute(query.where(audit_log.c.id > after)
                                .order_by(audit_log.c.id).limit(_BATCH)).mappings().all()
            if not rows:
                return
            for row in rows:
                yield _entry(row)
            after = rows[-1]["id"]

    def search(self, *, username: str | None = None, action: str | None = None,
               kind: str | None = None, resource: str | None = None,
               since: datetime | None = None, until: datetime | None = None,
               limit: int | None = 100) -> list[AuditEntry]:
        """Entries matching every filter given, oldest first."""
        query = _filtered(username=username, action=action, kind=kind, resource=resource,
                          since=since, until=until).order_by(audit_log.c.id).limit(limit)
        with self.store.connect() as conn:
            return [_entry(r) for r in conn.execute(query).mappings()]

    def count(self) -> int:
        """How many entries the log holds."""
        with self.store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())

    def entries(self, *, since: datetime | None = None,
                until: datetime | None = None) -> Iterator[AuditEntry]:
        """Every entry in the period, oldest first, read in batches (for export)."""
        query = _filtered(username=None, action=None, kind=None, resource=None,
                          since=since, until=until)
        with self.store.connect() as conn:
            yield from self._walk(conn, query)


def _filtered(**filters: Any) -> Select[Any]:
    query = select(audit_log)
    for name in ("username", "action", "kind", "resource"):
        if filters[name] is not None:
            query = query.where(audit_log.c[name] == filters[name])
    if filters["since"] is not None:
        query = query.where(audit_log.c.at >= filters["since"])
    if filters["until"] is not None:
        query = query.where(audit_log.c.at <= filters["until"])
    return query


def _check(entry: AuditEntry, expected_id: int, prev_hash: str) -> tuple[int, str] | None:
    """The first broken entry's number and what is wrong, if this entry does not fit."""
    if entry.id != expected_id:
        return expected_id, f"entry {expected_id} is missing (the next entry is {entry.id})"
    if entry.prev_hash != prev_hash:
        return entry.id, (f"entry {entry.id} does not follow entry {entry.id - 1} "
                          "(moved or replaced)")
    if entry_hash(entry.id, entry.at, entry, entry.prev_hash) != entry.hash:
        return entry.id, f"entry {entry.id} was changed after it was written"
    return None
