"""Jobs that must run alone, and telling a running job from a dead one.

A job (a resolution run) takes a lease, a row of `job_leases` naming its process and host,
written under the database's own lock so two processes cannot both take it. While the job
runs, a thread renews the lease's heartbeat. A second process asking for the lease is
refused with a clear message, unless the holder is dead: its process is gone (same host)
or its heartbeat is older than STALE_AFTER (another host). A killed job's lease is then
taken over, and the new holder knows the runs the dead one left `running` are abandoned.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from kinlink.errors import KinlinkError
from kinlink.store.database import Store
from kinlink.store.schema.jobs import job_leases

HEARTBEAT_SECONDS = 15.0
STALE_AFTER = timedelta(minutes=2)
"""A holder on another host whose heartbeat is older than this is taken for dead."""


class JobBusyError(KinlinkError):
    """The job is already running in another process."""


def _now() -> datetime:
    return datetime.now(UTC)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def holder_alive(row: Any, *, now: datetime | None = None) -> bool:
    """Whether the process holding a lease row still runs."""
    if row.host == socket.gethostname():
        return _process_alive(int(row.pid))
    return (now or _now()) - row.heartbeat_at < STALE_AFTER


@dataclass
class Lease:
    """A job's hold on running alone; `took_over` says a dead holder was found."""

    job: str
    host: str
    pid: int
    took_over: bool


def _lock(conn: Connection, job: str) -> None:
    # SQLite: `Store.begin` already holds the write lock. PostgreSQL: serialise the takers
    # of this job until the transaction ends.
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:job))"),
                     {"job": f"kinlink-job:{job}"})


def _take(store: Store, job: str) -> Lease:
    host, pid, now = socket.gethostname(), os.getpid(), _now()
    with store.begin() as conn:
        _lock(conn, job)
        row = conn.execute(select(job_leases).where(job_leases.c.job == job)).first()
        if row is not None and holder_alive(row, now=now):
            raise JobBusyError(
                f"another `kinlink {job}` is running (process {row.pid} on {row.host}, "
                f"started {row.started_at:%Y-%m-%d %H:%M:%S} UTC); wait for it to finish")
        conn.execute(delete(job_leases).where(job_leases.c.job == job))
        conn.execute(insert(job_leases).values(job=job, host=host, pid=pid, started_at=now,
                                               heartbeat_at=now))
    return Lease(job, host, pid, took_over=row is not None)


def _beat(store: Store, lease: Lease, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            with store.begin() as conn:
                conn.execute(update(job_leases).where(
                    job_leases.c.job == lease.job, job_leases.c.pid == lease.pid,
                    job_leases.c.host == lease.host).values(heartbeat_at=_now()))
        except (SQLAlchemyError, KinlinkError):
            continue  # the store is busy or away for a moment: try at the next beat


@contextmanager
def lease(store: Store, job: str) -> Iterator[Lease]:
    """Run the block as the only holder of `job`; JobBusyError if a live process holds it."""
    held = _take(store, job)
    stop = threading.Event()
    beating = threading.Thread(target=_beat, args=(store, held, stop), daemon=True,
                               name=f"kinlink-{job}-heartbeat")
    beating.start()
    try:
        yield held
    finally:
        stop.set()
        beating.join()
        with store.begin() as conn:
            conn.execute(delete(job_leases).where(
                job_leases.c.job == job, job_leases.c.pid == held.pid,
                job_leases.c.host == held.host))

