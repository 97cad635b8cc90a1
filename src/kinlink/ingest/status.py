"""What is loaded and what was rejected: read-only views for the CLI and the web app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, func, or_, select

from kinlink.ingest.format import TABLES
from kinlink.store import Store
from kinlink.store.schema.source import SOURCE_TABLES, ingest_runs, quarantine


@dataclass(frozen=True)
class TableStatus:
    """One agency's rows in one source table."""

    agency: str
    table: str
    current_rows: int  # keys stored (each counted once, at its latest version)
    versions: int  # rows stored, counting every version
    quarantined: int  # rows the latest ingest of this table quarantined
    last_ingest: datetime | None  # when the latest ingest of this table finished


@dataclass(frozen=True)
class QuarantinedRow:
    """A row (or one bad value of it) that an ingest refused to store."""

    id: int
    run_id: int
    agency: str
    table: str
    file: str
    row: int  # 1-based data row; the header is row 0
    field: str | None
    reason: str
    raw: dict[str, Any]  # the row as read, column -> text


def _latest_runs(conn: Connection) -> dict[tuple[str, str], tuple[int, datetime | None, int]]:
    """For each (agency, table): the last run that read it, when it finished, rows quarantined."""
    latest: dict[tuple[str, str], tuple[int, datetime | None, int]] = {}
    query = select(ingest_runs.c.id, ingest_runs.c.agency, ingest_runs.c.finished_at,
                   ingest_runs.c.files).order_by(ingest_runs.c.id)
    for run_id, agency, finished_at, files in conn.execute(query):
        for table, counts in (files or {}).items():
            latest[agency, table] = (run_id, finished_at, int(counts.get("quarantined", 0)))
    return latest


def store_status(store: Store) -> list[TableStatus]:
    """Rows loaded per agency and table, with quarantine counts and the last ingest time."""
    with store.connect() as conn:
        latest = _latest_runs(conn)
        stored: dict[tuple[str, str], tuple[int, int]] = {}
        for name, table in SOURCE_TABLES.items():
            query = select(table.c.agency, func.count(table.c.key.distinct()),
                           func.count()).group_by(table.c.agency)
            for agency, current, versions in conn.execute(query):
                stored[agency, name] = (int(current), int(versions))
    order = list(TABLES)
    pairs = sorted(set(stored) | set(latest), key=lambda p: (p[0], order.index(p[1])))
    return [
        TableStatus(agency, table, *stored.get((agency, table), (0, 0)),
                    latest[agency, table][2] if (agency, table) in latest else 0,
                    latest[agency, table][1] if (agency, table) in latest else None)
        for agency, table in pairs
    ]


def _quarantine_filter(conn: Connection, *, agency: str | None, table: str | None,
                       run_id: int | None, latest: bool) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if agency:
        conditions.append(quarantine.c.agency == agency)
    if table:
        conditions.append(quarantine.c.table_name == table)
    if run_id is not None:
        conditions.append(quarantine.c.ingest_run_id == run_id)
    elif latest:
        # Only what the latest ingest of each agency's table rejected: older runs'
        # rejections were either fixed or repeated there.
        runs = [and_(quarantine.c.agency == a, quarantine.c.table_name == t,
                     quarantine.c.ingest_run_id == r)
                for (a, t), (r, _, _) in _latest_runs(conn).items()
                if (agency is None or a == agency) and (table is None or t == table)]
        conditions.append(or_(false(), *runs))
    return and_(*conditions) if conditions else quarantine.c.id.is_not(None)


def list_quarantine(store: Store, *, agency: str | None = None, table: str | None = None,
                    run_id: int | None = None, latest: bool = True, limit: int | None = 100,
                    offset: int = 0) -> list[QuarantinedRow]:
    """Quarantined rows in run, file and row order.

    By default only those from the latest ingest of each agency's table; `latest=False`
    lists every run's, `run_id` one run's.
    """
    with store.connect() as conn:
        where = _quarantine_filter(conn, agency=agency, table=table, run_id=run_id,
                                   latest=latest)
        query = (select(quarantine).where(where)
                 .order_by(quarantine.c.ingest_run_id, quarantine.c.id)
                 .limit(limit).offset(offset))
        return [QuarantinedRow(r.id, r.ingest_run_id, r.agency, r.table_name, r.file,
                               r.row_number, r.field, r.reason, r.raw)
                for r in conn.execute(query)]


def count_quarantine(store: Store, *, agency: str | None = None, table: str | None = None,
                     run_id: int | None = None, latest: bool = True) -> int:
    """How many rows `list_quarantine` would list without a limit."""
    with store.connect() as conn:
        where = _quarantine_filter(conn, agency=agency, table=table, run_id=run_id,
                                   latest=latest)
        return int(conn.execute(select(func.count()).select_from(quarantine).where(where))
                   .scalar_one())
