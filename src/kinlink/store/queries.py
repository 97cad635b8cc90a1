"""Queries over source tables that every area needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    Table,
    and_,
    false,
    func,
    or_,
    select,
)

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


def current_rows_of(conn: Connection, table: Table | str,
                    records: Sequence[tuple[str, str]]) -> list[RowMapping]:
    """The current version of every row of a source table that names one of these
    (agency, record_id) records, in (agency, key) order.

    Found through the table's (agency, record_id) index, so reading one person's rows costs
    a few look-ups however large the table (`current_rows` groups the whole table)."""
    t = SOURCE_TABLES[table] if isinstance(table, str) else table
    if not records:
        return []
    # Sorted here, not by the query: asked to ORDER BY (agency, key, version), SQLite
    # without statistics walks the table's unique (agency, key, version) index through
    # every row of the agency (4 ms per table at 100k) rather than sort a few found rows.
    query = select(t).where(records_in(t.c.agency, t.c.record_id, records))
    found = sorted(conn.execute(query).mappings(),
                   key=lambda r: (r["agency"], r["key"], r["version"]))
    latest: dict[tuple[str, str], RowMapping] = {}
    for row in found:
        latest[(row["agency"], row["key"])] = row  # versions ascend: the last one stays
    return list(latest.values())


def records_in(agency: ColumnElement[str], record_id: ColumnElement[str],
               records: Iterable[tuple[str, str]]) -> ColumnElement[bool]:
    """`(agency, record_id) IN records`, written as one `agency = ? AND record_id IN (...)`
    per agency: SQLite scans the whole table for a row-value IN list, but uses an
    (agency, record_id) index for this."""
    by_agency: dict[str, list[str]] = {}
    for a, r in records:
        by_agency.setdefault(a, []).append(r)
    if not by_agency:
        return false()
    return or_(*(and_(agency == a, record_id.in_(ids)) for a, ids in sorted(by_agency.items())))
