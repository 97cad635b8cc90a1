"""Referral and assessment timeliness: statutory clocks in working days, and a queue.

    from kinlink.timeliness import build_queue, timeliness_report, load_config

    queue = build_queue(store, as_of=date(2026, 3, 2), team="North")
    report = timeliness_report(store, date_from=..., date_to=..., by="month")

The clocks and the working-day calendar are configured in one TOML file (`clocks.toml`,
overridable with KINLINK_TIMELINESS_CONFIG); docs/timeliness.md states every convention.
"""

from kinlink.timeliness.calendar import REGIONS, WorkingCalendar
from kinlink.timeliness.cases import Case, CasePath, load_cases
from kinlink.timeliness.clocks import ClockState, ClockStatus, HistoryEntry
from kinlink.timeliness.config import ClockConfig, ClocksConfig, load_config
from kinlink.timeliness.evaluate import CaseTimeliness, evaluate_cases
from kinlink.timeliness.queue import QueueItem, build_queue
from kinlink.timeliness.risk import ChildRisk
from kinlink.timeliness.runs import TimelinessRun, last_run, record_run
from kinlink.timeliness.stats import TimelinessReport, timeliness_report

__all__ = [
    "REGIONS", "Case", "CasePath", "CaseTimeliness", "ChildRisk", "ClockConfig", "ClockState",
    "ClockStatus", "ClocksConfig", "HistoryEntry", "QueueItem", "TimelinessReport",
    "TimelinessRun", "WorkingCalendar", "build_queue", "evaluate_cases", "last_run",
    "load_cases", "load_config", "record_run", "timeliness_report",
]
