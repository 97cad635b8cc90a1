"""What was erased: metadata only, never the data itself.

An erasure removes every stored trace of one source record (see `kinlink.retention`); this
table keeps what the Data Protection Act asks to be kept of it: which record, when, by
whom, why, and how many rows of each table went.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String, Table, Text

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

erasures = Table(
    "erasures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(64), nullable=False),
    Column("record_id", Text, nullable=False),  # the agency's reference, not the person
    Column("erased_at", UtcDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("rows", JSON, nullable=False),  # table name -> rows removed or redacted
)
