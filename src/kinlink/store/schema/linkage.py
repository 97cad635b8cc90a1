"""Trained linkage models and the real-time matching index.

- `linkage_models`: every trained model, versioned; the Splink settings with m and u,
  when and on how many records it was trained, where its charts are, and what training
  chose and found (`details`: the blocking profile and rules, levels left untrained).
- `linkage_records`: each current people record prepared for matching, packed as text
  (`kinlink.linkage.scoring.PairScorer.pack`), with the source row it was prepared from,
  so a refresh after ingest re-prepares only what changed, and the layout (a fingerprint
  of the prepared columns, comparisons and blocking rules) it was packed with.
- `linkage_keys`: the blocking keys of each prepared record (see
  `kinlink.linkage.blocking.index_keys`) as 64-bit hashes, so real-time candidates are
  one indexed lookup on SQLite and PostgreSQL.
- `linkage_terms`: how many indexed records hold each value of each term-frequency
  column, so a matcher starts without counting a million records.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

linkage_models = Table(
    "linkage_models",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("engine", String(16), nullable=False),
    Column("training_record_count", Integer, nullable=False),
    Column("settings", JSON, nullable=False),  # Splink settings incl. m/u and the prior
    Column("charts", JSON, nullable=False, default=dict),  # chart name -> HTML path
    Column("training_seconds", Integer),
    # what training chose and found: the blocking profile and rules, untrained levels
    Column("details", JSON),
)

linkage_records = Table(
    "linkage_records",
    metadata,
    Column("rid", Integer, primary_key=True, autoincrement=False),  # assigned by refresh
    Column("agency", String(64), nullable=False),
    Column("record_id", Text, nullable=False),
    Column("source_row_id", Integer, nullable=False),  # people.id of the version prepared
    Column("layout", BigInteger, nullable=False),
    Column("features", Text, nullable=False),  # the prepared record, packed
    UniqueConstraint("agency", "record_id"),
)

linkage_keys = Table(
    "linkage_keys",
    metadata,
    Column("key", BigInteger, nullable=False),  # hash of a blocking key's text
    Column("rid", Integer, nullable=False),
    PrimaryKeyConstraint("key", "rid"),
    sqlite_with_rowid=False,  # the primary key is the table: no second copy of 12M keys
)

linkage_terms = Table(
    "linkage_terms",
    metadata,
    Column("column_name", Text, nullable=False),
    Column("value", Text, nullable=False),  # JSON of the value
    Column("records", Integer, nullable=False),
    PrimaryKeyConstraint("column_name", "value"),
)
