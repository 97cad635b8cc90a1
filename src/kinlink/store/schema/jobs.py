"""Who is running a job that must run alone (a resolution run, a network build).

A row is the lease of one running job: the process and host holding it, and when it began
and last said it was alive. `kinlink.store.jobs` takes, checks and gives back leases.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

job_leases = Table(
    "job_leases",
    metadata,
    Column("job", String(32), primary_key=True),  # e.g. 'resolve'
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("run_id", Integer),  # the job's own run row, once it has one
    Column("started_at", UtcDateTime, nullable=False),
    Column("heartbeat_at", UtcDateTime, nullable=False),
)
