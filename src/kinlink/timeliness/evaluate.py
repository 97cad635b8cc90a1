"""Evaluate every referral's clocks and date findings as of a moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from kinlink.quality import Finding
from kinlink.store import Store
from kinlink.timeliness.cases import Case, load_cases
from kinlink.timeliness.checks import date_findings
from kinlink.timeliness.clocks import ClockEvaluator, ClockState, ClockStatus
from kinlink.timeliness.config import ClocksConfig, load_config
from kinlink.timeliness.stale import not_recorded_reason


def moment(as_of: date | datetime | None) -> datetime:
    """The moment to evaluate at: now by default; a bare date means the end of that day."""
    if as_of is None:
        return datetime.now().replace(microsecond=0)
    if isinstance(as_of, datetime):
        return as_of.replace(tzinfo=None)
    return datetime.combine(as_of, time(23, 59, 59))


@dataclass(frozen=True)
class CaseTimeliness:
    """One referral with its clocks as of a moment and its messy-date findings."""

    case: Case
    clocks: tuple[ClockState, ...]
    findings: tuple[Finding, ...]
    not_recorded: dict[str, str] = field(default_factory=dict)
    """Reasons by clock name for waiting clocks that are probably not recorded (`stale`)."""

    def clock(self, name: str, instance: int = 1) -> ClockState | None:
        """The named clock (a numbered instance of a repeating one), if configured."""
        return next((c for c in self.clocks if c.clock == name and c.instance == instance),
                    None)

    def waiting(self, config: ClocksConfig) -> list[ClockState]:
        """The clocks the queue shows the child waiting on, the most urgent first: overdue
        before open, then the earliest due."""
        found = [c for c in self.clocks if config.queues(c)]
        return sorted(found, key=lambda c: (c.status is not ClockStatus.OVERDUE,
                                            c.due_at or datetime.max))


def evaluate_cases(store: Store, *, as_of: date | datetime | None = None,
                   config: ClocksConfig | None = None) -> list[CaseTimeliness]:
    """Every referral's clocks as of `as_of` (default now), with date findings. A referral
    not made yet at `as_of` has every clock not started."""
    config = config or load_config()
    at = moment(as_of)
    evaluator = ClockEvaluator(config)
    calendar, after = config.working_calendar, config.queue.probably_not_recorded_after
    evaluated = []
    for case in load_cases(store):
        clocks = evaluator.evaluate(case, at)
        stale = {c.name: reason for c in clocks
                 if (reason := not_recorded_reason(c, case.path, at, calendar, after))}
        findings = [*date_findings(case, clocks, calendar),
                    *(Finding(case.agency, "referrals", case.referral_key,
                              "probably-not-recorded", reason, "warning")
                      for reason in stale.values())]
        evaluated.append(CaseTimeliness(case, tuple(clocks), tuple(findings), stale))
    return evaluated
