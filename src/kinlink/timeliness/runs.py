"""Recording a timeliness run: its counts, and its findings replacing the last run's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.quality import replace_findings
from kinlink.store import Store
from kinlink.store.schema.timeliness import timeliness_runs
from kinlink.timeliness.clocks import ClockStatus
from kinlink.timeliness.config import ClocksConfig
from kinlink.timeliness.evaluate import CaseTimeliness

AREA = "timeliness"
"""The `area` of the findings this package records."""


@dataclass(frozen=True)
class TimelinessRun:
    id: int
    started_at: datetime
    as_of: datetime
    referrals: int
    waiting: int
    overdue: int
    findings: int


def record_run(store: Store, evaluated: list[CaseTimeliness], *, as_of: datetime,
               config: ClocksConfig, clock: Clock = SYSTEM_CLOCK) -> TimelinessRun:
    """Keep a run of the clocks and replace the timeliness findings with this run's."""
    waiting = [e.waiting(config) for e in evaluated]
    values: dict[str, Any] = {
        "started_at": clock.now(), "as_of": as_of,
        "referrals": len(evaluated), "waiting": sum(1 for w in waiting if w),
        "overdue": sum(1 for w in waiting if w and w[0].status is ClockStatus.OVERDUE),
        "findings": sum(len(e.findings) for e in evaluated),
    }
    with store.begin() as conn:
        run_id = conn.execute(insert(timeliness_runs).values(**values)
                              .returning(timeliness_runs.c.id)).scalar_one()
        replace_findings(conn, area=AREA, run_id=run_id, clock=clock,
                         findings=[f for e in evaluated for f in e.findings])
    return TimelinessRun(id=run_id, **values)


def last_run(store: Store) -> TimelinessRun | None:
    """The most recent recorded run, if any."""
    with store.connect() as conn:
        row = conn.execute(select(timeliness_runs).order_by(timeliness_runs.c.id.desc())
                           .limit(1)).mappings().first()
    return TimelinessRun(**row) if row else None
