"""Trained linkage models and the real-time matching index.

- `linkage_models`: every trained model, versioned; the Splink settings with m and u,
  when and on how many records it was trained, and where its charts are.
- `linkage_records`: each current people record prepared for matching (the prepared
  fields as JSON), with the source row it was prepared from, so a refresh after ingest
  re-prepares only what changed.
- `linkage_keys`: the blocking keys of each prepared record (see
  `kinlink.linkage.settings.blocking_keys`), indexed so real-time candidates are one
  indexed lookup on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from kinlink.store.schema.base import metadata

linkage_models = Table(
    "linkage_models",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("engine", String(16), nullable=False),
    Column("training_record_count", Integer, nullable=False),
    Column("settings", JSON, nullable=False),  # Splink settings incl. m/u and the prior
    Column("charts", JSON, nullable=False, default=dict),  # chart name -> HTML path
    Column("training_seconds", Integer),
)

linkage_records = Table(
    "linkage_records",
    metadata,
    Column("uid", Text, primary_key=True),  # "{agency}:{record_id}"
    Column("agency", String(64), nullable=False),
    Column("record_id", Text, nullable=False),
    Column("source_row_id", Integer, nullable=False),  # people.id of the version prepared
    Column("first_name", Text),  # kept as columns for term frequencies
    Column("surname", Text),
    Column("features", Text, nullable=False),  # the prepared record, JSON
)

linkage_keys = Table(
    "linkage_keys",
    metadata,
    Column("key", Text, nullable=False),
    Column("uid", Text, nullable=False),
    PrimaryKeyConstraint("key", "uid"),
)
Index("ix_linkage_keys_uid", linkage_keys.c.uid)
