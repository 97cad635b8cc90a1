"""Timeliness runs: each evaluation of the clocks whose findings were recorded.

The clocks themselves are always computed from the referrals (their versions give each
clock's history), so only the run is kept: when it ran, as of when, and what it found.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, Table

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

timeliness_runs = Table(
    "timeliness_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("as_of", DateTime, nullable=False),
    Column("referrals", Integer, nullable=False),
    Column("waiting", Integer, nullable=False),  # referrals with a queue clock open
    Column("overdue", Integer, nullable=False),  # ... of which overdue
    Column("findings", Integer, nullable=False),
)
