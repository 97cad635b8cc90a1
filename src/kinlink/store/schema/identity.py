"""Resolved persons and which source records belong to each.

`record_persons` is the one table every later capability (network, timeliness,
the web app) reads to turn a source record into a person. Linkage runs rewrite it;
how persons came and went is kept in the linkage tables' event log.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

persons = Table(
    "persons",
    metadata,
    Column("person_id", String(16), primary_key=True),  # stable across runs, e.g. P0000001
    Column("status", String(16), nullable=False, default="active"),  # active | retired
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_run_id", Integer),
    Column("retired_run_id", Integer),
)

record_persons = Table(
    "record_persons",
    metadata,
    Column("agency", String(64), nullable=False),
    Column("record_id", Text, nullable=False),
    Column("person_id", String(16), nullable=False),
    Column("run_id", Integer),
    Column("cluster_confidence", Float),  # weakest link probability holding the record in
    PrimaryKeyConstraint("agency", "record_id"),
)
Index("ix_record_persons_person", record_persons.c.person_id)
