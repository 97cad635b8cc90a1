"""Recording, replacing and listing data-quality findings in `quality_findings`."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.store import Store
from kinlink.store.schema.quality import quality_findings

_DELETE_BATCH = 5_000  # ids per DELETE: well under every database's parameter limit

SEVERITIES = ("info", "warning", "error")
"""How much a finding matters: `error` means a result built on the record cannot be trusted."""


@dataclass(frozen=True)
class Finding:
    """Something wrong with one source record, and why, for a person to read and fix."""

    agency: str
    table_name: str
    record_key: str
    rule: str
    reason: str
    severity: str = "warning"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")


@dataclass(frozen=True)
class StoredFinding(Finding):
    """A finding as kept in the store: which area found it, when, and in which run."""

    id: int = 0
    area: str = ""
    detected_at: datetime | None = None
    run_id: int | None = None


def _insert(conn: Connection, area: str, findings: Iterable[Finding],
            run_id: int | None, at: datetime) -> int:
    rows = [{**asdict(f), "area": area, "detected_at": at, "run_id": run_id}
            for f in findings]
    if rows:
        conn.execute(insert(quality_findings), rows)
    return len(rows)


def _connection(target: Store | Connection) -> AbstractContextManager[Connection]:
    # Callers inside their own transaction pass its connection, so findings commit with it.
    return target.begin() if isinstance(target, Store) else nullcontext(target)


def record_findings(target: Store | Connection, *, area: str, findings: Iterable[Finding],
                    run_id: int | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
    """Add findings for `area`, keeping those already recorded; returns how many were added."""
    with _connection(target) as conn:
        return _insert(conn, area, findings, run_id, clock.now())


def replace_findings(target: Store | Connection, *, area: str, findings: Iterable[Finding],
                     run_id: int | None = None, agency: str | None = None,
                     clock: Clock = SYSTEM_CLOCK) -> int:
    """Replace `area`'s findings (only `agency`'s, when given) with `findings`, in one
    transaction; returns how many are now recorded."""
    with _connection(target) as conn:
        query = delete(quality_findings).where(quality_findings.c.area == area)
        if agency is not None:
            query = query.where(quality_findings.c.agency == agency)
        conn.execute(query)
        return _insert(conn, area, findings, run_id, clock.now())


def replace_record_findings(conn: Connection, *, area: str, agency: str, table_name: str,
                            record_keys: Iterable[str], findings: Iterable[Finding],
                            run_id: int | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
    """Replace `area`'s findings on the given records of one agency's table (others stay),
    inside the caller's transaction; returns how many were added.

    For a check that sees only some records in a run (an ingest of one extract)."""
    t = quality_findings
    keys = set(record_keys)
    stale = [id_ for id_, key in conn.execute(
        select(t.c.id, t.c.record_key).where(t.c.area == area, t.c.agency == agency,
                                             t.c.table_name == table_name)) if key in keys]
    for start in range(0, len(stale), _DELETE_BATCH):
        conn.execute(delete(t).where(t.c.id.in_(stale[start:start + _DELETE_BATCH])))
    return _insert(conn, area, findings, run_id, clock.now())


def list_findings(store: Store, *, area: str | None = None, agency: str | None = None,
                  table_name: str | None = None, record_key: str | None = None,
                  rule: str | None = None, severity: str | None = None) -> list[StoredFinding]:
    """Findings matching every filter given, most severe first, then by record."""
    t = quality_findings
    query = select(t)
    for column, value in (("area", area), ("agency", agency), ("table_name", table_name),
                          ("record_key", record_key), ("rule", rule), ("severity", severity)):
        if value is not None:
            query = query.where(t.c[column] == value)
    with store.connect() as conn:
        rows = conn.execute(query.order_by(t.c.agency, t.c.table_name, t.c.record_key,
                                           t.c.rule, t.c.id)).mappings().all()
    order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    found = [StoredFinding(**dict(r)) for r in rows]
    return sorted(found, key=lambda f: order[f.severity])
