"""Resolution runs, the person event log, and the review queue with its decisions.

A resolution run turns scored pairs into persons (`identity.record_persons`). Every
person that appears, merges, splits or retires is written to `person_events`, so a
practitioner can see why a person id changed. Pairs the model is unsure about wait in
`review_items`; what a reviewer decided is kept, never overwritten, in `review_decisions`
(the latest decision for a pair is the one every later run honours).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

resolution_runs = Table(
    "resolution_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("status", String(16), nullable=False, default="running"),  # running|done|failed
    Column("engine", String(16), nullable=False),
    Column("model_version", Integer),
    Column("threshold", Float, nullable=False),
    Column("records", Integer, nullable=False, default=0),
    Column("pairs", Integer, nullable=False, default=0),
    Column("persons", Integer, nullable=False, default=0),
    Column("created", Integer, nullable=False, default=0),
    Column("merges", Integer, nullable=False, default=0),
    Column("splits", Integer, nullable=False, default=0),
    Column("retired", Integer, nullable=False, default=0),
    Column("review_items", Integer, nullable=False, default=0),
    Column("seconds", Float),
)

person_events = Table(
    "person_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("resolution_runs.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # create | merge | split | retire
    Column("person_id", String(16), nullable=False, index=True),  # the person acted on
    Column("other_person_id", String(16), index=True),  # merge: retired; split: new person
    Column("record_uids", JSON, nullable=False),  # the records that moved or were created
    Column("reason", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid_l", Text, nullable=False),  # uid_l < uid_r: one item per unordered pair
    Column("uid_r", Text, nullable=False),
    Column("agency_l", String(64), nullable=False),
    Column("agency_r", String(64), nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("match_weight", Float),
    Column("explanation", Text, nullable=False, default=""),
    Column("reason", String(32), nullable=False),  # uncertain | constraint-split
    Column("status", String(16), nullable=False, default="open"),
    Column("first_run_id", Integer, ForeignKey("resolution_runs.id")),
    Column("last_run_id", Integer, ForeignKey("resolution_runs.id")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("uid_l", "uid_r"),
)
Index("ix_review_items_status", review_items.c.status, review_items.c.match_probability)
Index("ix_review_items_uid_r", review_items.c.uid_r)  # uid_l leads the unique (uid_l, uid_r)

review_decisions = Table(
    "review_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid_l", Text, nullable=False),
    Column("uid_r", Text, nullable=False),
    Column("decision", String(16), nullable=False),  # same | not-same | unsure
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    Column("item_id", Integer, ForeignKey("review_items.id")),
)
Index("ix_review_decisions_pair", review_decisions.c.uid_l, review_decisions.c.uid_r)
