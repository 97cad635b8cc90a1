"""Erasing one source record: every stored trace of it goes, its metadata stays.

Source records are otherwise never deleted (versions are appended; decisions, merges and
splits are events). Erasure is the one exception, decided by a retention review or a
lawful request, and it is complete: every version of every row about the record, the rows
of other records that name it (a relationship, an order's other party), its place in a
person, the review queue and the real-time index, and the network snapshot, which names
it (rebuilt by the next `kinlink network build`). Alerts resting on it keep their history
but lose their text. What remains is one `erasures` row: which record, when, who, why and
how many rows of each table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from kinlink.errors import InputError, NotFoundError
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.linkage import linkage_keys, linkage_records
from kinlink.store.schema.network import (
    alert_events,
    alerts,
    network_builds,
    network_edges,
    network_markers,
    network_persons,
)
from kinlink.store.schema.resolution import review_items
from kinlink.store.schema.retention import erasures
from kinlink.store.schema.source import SOURCE_TABLES, people, quarantine, risk_markers

ERASED = "(erased)"
"""What an alert's summary says once a record it rested on is erased."""


@dataclass(frozen=True)
class Erasure:
    """The metadata kept of one erasure."""

    id: int
    agency: str
    record_id: str
    erased_at: datetime
    actor: str
    reason: str
    rows: dict[str, int]


def _count(result: Any) -> int:
    return max(int(result.rowcount or 0), 0)


def _source_rows(conn: Connection, agency: str, record_id: str) -> dict[str, int]:
    rows: dict[str, int] = {}
    for name, table in SOURCE_TABLES.items():
        conditions = [table.c.record_id == record_id] if "record_id" in table.c else []
        if name == "relationships":  # a link is about both of its records
            conditions.append(table.c.related_record_id == record_id)
        if conditions:
            rows[name] = _count(conn.execute(delete(table).where(
                table.c.agency == agency, or_(*conditions))))
    # Another record's order names this one as its other party: that name goes.
    rows["risk_markers (other party)"] = _count(conn.execute(
        update(risk_markers).where(risk_markers.c.agency == agency,
                                   risk_markers.c.related_record_id == record_id)
        .values(related_record_id=None)))
    held = [q.id for q in conn.execute(select(quarantine.c.id, quarantine.c.raw)
                                       .where(quarantine.c.agency == agency))
            if _raw(q.raw).get("record_id") == record_id]
    rows["quarantine"] = _count(conn.execute(delete(quarantine).where(
        quarantine.c.id.in_(held)))) if held else 0
    return rows


def _raw(value: Any) -> dict[str, Any]:
    """A quarantined row's raw values (stored as JSON, or as JSON text by bulk loads)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _derived_rows(conn: Connection, agency: str, record_id: str,
                  at: datetime) -> dict[str, int]:
    uid = f"{agency}:{record_id}"
    rows = {
        "record_persons": _count(conn.execute(delete(record_persons).where(
            record_persons.c.agency == agency, record_persons.c.record_id == record_id))),
        "review_items": _count(conn.execute(delete(review_items).where(
            or_(review_items.c.uid_l == uid, review_items.c.uid_r == uid)))),
    }
    indexed = conn.execute(select(linkage_records.c.rid).where(
        linkage_records.c.agency == agency, linkage_records.c.record_id == record_id)
    ).scalars().all()
    if indexed:
        conn.execute(delete(linkage_keys).where(linkage_keys.c.rid.in_(indexed)))
        conn.execute(delete(linkage_records).where(linkage_records.c.rid.in_(indexed)))
    rows["linkage_records"] = len(indexed)
    for table in (network_edges, network_markers, network_persons, network_builds):
        conn.execute(delete(table))  # the snapshot names the record: rebuilt on demand
    rows["alerts (redacted)"] = _redact_alerts(conn, uid, at)
    return rows


def _redact_alerts(conn: Connection, uid: str, at: datetime) -> int:
    """Alerts resting on the record lose their text; their history says why."""
    resting = [(a.id, a.status) for a in conn.execute(
        select(alerts.c.id, alerts.c.status, alerts.c.evidence))
        if uid in (a.evidence or {}).get("records", [])]
    for alert_id, status in resting:
        conn.execute(update(alerts).where(alerts.c.id == alert_id).values(
            summary=ERASED, evidence={"records": [], "erased": True}, updated_at=at))
        conn.execute(insert(alert_events).values(
            alert_id=alert_id, at=at, actor="kinlink", from_status=status, to_status=status,
            reason="a record this alert rested on was erased"))
    return len(resting)


def erase_record(store: Store, agency: str, record_id: str, *, actor: str, reason: str,
                 at: datetime) -> Erasure:
    """Erase the record everywhere, in one transaction, keeping only its metadata."""
    if not actor.strip() or not reason.strip():
        raise InputError("an erasure needs an actor and a reason")
    with store.begin() as conn:
        exists = conn.execute(select(people.c.id).where(
            people.c.agency == agency, people.c.record_id == record_id).limit(1)).first()
        if exists is None:
            raise NotFoundError(f"no person record {agency}:{record_id}")
        rows = (_source_rows(conn, agency, record_id)
                | _derived_rows(conn, agency, record_id, at))
        rows = {table: n for table, n in rows.items() if n}
        erasure_id = conn.execute(insert(erasures).values(
            agency=agency, record_id=record_id, erased_at=at, actor=actor.strip(),
            reason=reason.strip(), rows=rows).returning(erasures.c.id)).scalar_one()
    return Erasure(int(erasure_id), agency, record_id, at, actor.strip(), reason.strip(), rows)


def erasures_done(store: Store) -> list[Erasure]:
    """Every erasure, oldest first."""
    with store.connect() as conn:
        return [Erasure(**r._mapping) for r in conn.execute(
            select(erasures).order_by(erasures.c.id))]

