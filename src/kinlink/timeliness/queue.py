"""The queue: every child waiting for a decision, an assessment or a conference.

Order (also in docs/timeliness.md; weights and cap from the `[queue]` table of the clocks
file):

1. overdue children at high risk first;
2. then by priority = risk weight x (1 + min(working days waited + working days overdue,
   cap)), highest first, with weights high 4, medium 2, unknown 2, low 1, none 1 and cap
   20; so an overdue day counts twice, a high-risk child waiting 2 days (4 x 3 = 12) comes
   before a low-risk child waiting 10 (1 x 11 = 11), and no low-risk child, however long
   it has waited (at most 1 x 21), outranks a high-risk child waiting 5 days (4 x 6 = 24);
3. ties: the earliest due, then the earliest referral;
4. referrals probably not recorded (`stale`) after every child really waiting, in the same
   order among themselves.

A referral waiting on several clocks (a decision and its triage clock) is one row, shown
by its most urgent clock (overdue first, then the earliest due), naming the others.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

from kinlink.errors import InputError
from kinlink.store import Store
from kinlink.timeliness.clocks import ClockState, ClockStatus
from kinlink.timeliness.config import ClocksConfig, load_config
from kinlink.timeliness.evaluate import CaseTimeliness, evaluate_cases, moment
from kinlink.timeliness.risk import ChildRisk, child_risks
from kinlink.timeliness.stale import overdue_days

QueueState = Literal["open", "overdue", "probably-not-recorded"]
NOT_RECORDED: QueueState = "probably-not-recorded"
QUEUE_STATES: tuple[QueueState, ...] = ("open", "overdue", NOT_RECORDED)


@dataclass(frozen=True)
class QueueItem:
    """A child waiting on a referral: for what, how long, until when, and at what risk."""

    rank: int
    child_key: str
    child_resolved: bool
    child_dob: date | None
    agency: str
    referral_id: str
    team: str | None
    referral_date: datetime | None
    clock: ClockState  # the most urgent clock the child waits on
    also_waiting_for: tuple[str, ...]
    waited_days: int  # working days since the clock started
    overdue_days: float  # working days past due (0 when not overdue)
    risk: ChildRisk
    priority: float
    flags: tuple[str, ...]  # reasons of the referral's data-quality findings
    not_recorded: str | None = None  # why the wait is probably a recording failure

    @property
    def status(self) -> ClockStatus:
        return self.clock.status

    @property
    def state(self) -> QueueState:
        """`open`, `overdue`, or `probably-not-recorded` for a stale overdue referral."""
        if self.not_recorded:
            return NOT_RECORDED
        return "overdue" if self.status is ClockStatus.OVERDUE else "open"

    def as_row(self) -> dict[str, Any]:
        """The item as one flat row, for CSV and JSON."""
        due = self.clock.due_at
        return {
            "rank": self.rank,
            "child": self.child_key,
            "child_resolved": self.child_resolved,
            "child_dob": self.child_dob.isoformat() if self.child_dob else None,
            "agency": self.agency,
            "referral_id": self.referral_id,
            "team": self.team,
            "referral_date": self.referral_date.isoformat() if self.referral_date else None,
            "waiting_for": self.clock.name,
            "also_waiting_for": ";".join(self.also_waiting_for),
            "limit": self.clock.limit,
            "state": self.state,
            "working_days_waited": self.waited_days,
            "due": due.isoformat(sep=" ", timespec="minutes") if due else None,
            "working_days_overdue": round(self.overdue_days, 2),
            "risk_level": self.risk.level,
            "risk_score": round(self.risk.score, 3),
            "risk_source": self.risk.source,
            "risk_reasons": ";".join(self.risk.reasons),
            "priority": round(self.priority, 2),
            "flags": " | ".join(self.flags),
        }


def _sort_key(item: QueueItem) -> tuple[Any, ...]:
    urgent = item.status is ClockStatus.OVERDUE and item.risk.level == "high"
    return (item.not_recorded is not None, not urgent, -item.priority,
            item.clock.due_at or datetime.max, item.referral_date or datetime.max,
            item.child_key, item.referral_id)


def queue_items(evaluated: list[CaseTimeliness], risks: dict[str, ChildRisk],
                config: ClocksConfig, as_of: datetime) -> list[QueueItem]:
    """The ordered queue from evaluated referrals and their children's risks."""
    calendar, ranking = config.working_calendar, config.queue
    items = []
    for entry in evaluated:
        waiting = entry.waiting(config)
        if not waiting:
            continue
        clock, case = waiting[0], entry.case
        started = clock.started_at.date() if clock.started_at else as_of.date()
        waited = max(calendar.working_days_between(started, as_of.date()), 0)
        overdue = overdue_days(clock, calendar)
        risk = risks[case.child_key]
        items.append(QueueItem(
            0, case.child_key, case.child_resolved, case.child_dob, case.agency,
            case.referral_id, case.team, case.referral_date, clock,
            tuple(c.name for c in waiting[1:]), waited, overdue, risk,
            ranking.weight(risk.level)
            * (1 + min(waited + overdue, ranking.wait_cap_working_days)),
            tuple(f.reason for f in entry.findings), entry.not_recorded.get(clock.name)))
    items.sort(key=_sort_key)
    return [replace(item, rank=i) for i, item in enumerate(items, start=1)]


def build_queue(store: Store, *, as_of: date | datetime | None = None, team: str | None = None,
                state: str | None = None, config: ClocksConfig | None = None,
                evaluated: list[CaseTimeliness] | None = None) -> list[QueueItem]:
    """Every child waiting as of `as_of` (default now), riskiest and longest waiting first.

    `team` keeps one team's referrals (any case); `state` keeps `open` or `overdue` items.
    Pass `evaluated` to reuse referrals already evaluated at the same moment.
    """
    if state is not None and state not in QUEUE_STATES:
        raise InputError(f"unknown queue state {state!r}; expected one of "
                         f"{', '.join(QUEUE_STATES)}", field="state")
    config = config or load_config()
    at = moment(as_of)
    if evaluated is None:
        evaluated = evaluate_cases(store, as_of=at, config=config)
    if team is not None:
        evaluated = [e for e in evaluated if (e.case.team or "").casefold() == team.casefold()]
    waiting = [e for e in evaluated if e.waiting(config)]
    risks = child_risks(store, ((e.case.child_key, e.case.child_resolved, e.case.path)
                                for e in waiting), as_of=at)
    items = queue_items(waiting, risks, config, at)
    if state is None:
        return items
    return [replace(item, rank=i)
            for i, item in enumerate((i for i in items if i.state == state), start=1)]
