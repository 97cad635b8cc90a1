"""The audit log (Data Protection Act 2018, s62): append-only, each entry chained by hash.

`audit_log` holds one row per logged action, numbered without gaps from 1; `hash` covers
the entry's fields and the previous entry's hash. `audit_head` is a single row naming the
newest entry: appenders lock it first, which serialises them on PostgreSQL, and it lets
`verify` notice that the newest entries were cut off.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # 1, 2, 3, ... no gaps
    Column("at", UtcDateTime, nullable=False),
    Column("username", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("agency", String(64)),
    Column("kind", String(16), nullable=False),  # collection | alteration | consultation | ...
    Column("action", String(48), nullable=False),  # e.g. network.view
    Column("resource", Text, nullable=False),  # e.g. person:P0000001
    Column("reason", Text),  # why, when the user was asked
    Column("outcome", String(16), nullable=False),  # allowed | refused | failed
    Column("detail", Text),  # JSON: the call's parameters, or what was refused and why
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_audit_log_username_at", audit_log.c.username, audit_log.c.at)
Index("ix_audit_log_resource", audit_log.c.resource)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)
