"""Queries over source tables that every area needs."""

from __future__ import annotations

from sqlalchemy import Select, Table, and_, func, select

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
