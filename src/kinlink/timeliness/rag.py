"""Red, amber or green for a clock a child is waiting on, as a queue shows it.

Red: past its due time. Amber: in the last quarter of the time it allows (a day or two of a
ten-day limit, six hours of a day). Green: otherwise. A clock nobody waits on any more (met,
breached, not needed) or whose dates are unknown has no colour.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from kinlink.timeliness.clocks import ClockState, ClockStatus

AMBER_FROM = 0.75  # share of the allowed time used up
Rag = Literal["red", "amber", "green"]


def rag_status(clock: ClockState, at: datetime) -> Rag | None:
    """'red', 'amber', 'green', or None for a clock no child waits on."""
    if clock.status is ClockStatus.OVERDUE:
        return "red"
    if clock.status is not ClockStatus.OPEN or clock.started_at is None or clock.due_at is None:
        return None
    allowed = (clock.due_at - clock.started_at).total_seconds()
    used = (at - clock.started_at).total_seconds()
    return "amber" if allowed > 0 and used / allowed >= AMBER_FROM else "green"
