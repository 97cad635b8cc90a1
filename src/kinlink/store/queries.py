"""Queries over source tables that every area needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, Table, and_, false, func, or_, select

from kinlink.store.schema.source import SOURCE_TABLES


def current_rows(table: Table | str) -> Select:
    """Select the current version of every row of a source table (highest version per key)."""
    t = SOURCE_TABLES[table] if isinstance(table, str) else table
    latest = (
        select(t.c.agency, t.c.key, func.max(t.c.version).label("version"))
        .group_by(t.c.agency, t.c.key)
        .subquery("latest")
    )
    return select(t).join(
        latest,
        and_(t.c.agency == latest.c.agency, t.c.key == latest.c.key,
             t.c.version == latest.c.version),
    )


def record_keys_in(agency: ColumnElement[str], record_id: ColumnElement[str],
                   keys: Iterable[tuple[str, str]]) -> ColumnElement[bool]:
    """The condition `(agency, record_id) IN keys`, written as one `agency = ? AND
    record_id IN (...)` per agency, OR-ed, so that an index on (agency, record_id) serves
    it: SQLite scans the whole table for a row-value IN (`SCAN record_persons`)."""
    by_agency: dict[str, list[str]] = defaultdict(list)
    for a, r in keys:
        by_agency[a].append(r)
    if not by_agency:
        return false()
    return or_(*(and_(agency == a, record_id.in_(ids))
                 for a, ids in sorted(by_agency.items())))
