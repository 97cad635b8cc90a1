"""Timeliness statistics for a head of service: how long decisions and assessments take.

For the referrals received in a period, grouped by team or by month of referral, and for
each clock marked `report` in the clocks file (decision and assessment by default):

- completed: clocks stopped on a known date (met or breached) as of the moment;
- median and 90th percentile of the working days (or hours) they took; the 90th
  percentile is by nearest rank (the smallest time at least 90% of clocks took no longer
  than), so it is always a time some child actually waited;
- share within timescale: met / completed;
- waiting now and overdue now: clocks still running.

Times from dates the clocks do not trust (see `checks`) are not counted. Children waiting
now are also counted by age band (Children in Need census bands), over every referral,
not only the period's.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from kinlink.errors import InputError
from kinlink.store import Store
from kinlink.timeliness.config import ClocksConfig, load_config
from kinlink.timeliness.evaluate import CaseTimeliness, evaluate_cases, moment

AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16+", "unknown")
GROUPINGS = ("team", "month")
Grouping = Literal["team", "month"]
NO_TEAM = "(no team)"


@dataclass(frozen=True)
class ClockFigures:
    """How one clock went for one group of referrals."""

    clock: str
    label: str
    unit: str
    completed: int
    median: float | None
    p90: float | None
    in_time: int
    waiting: int
    overdue: int

    @property
    def share_in_time(self) -> float | None:
        """Met / completed, or None when nothing completed."""
        return self.in_time / self.completed if self.completed else None


@dataclass(frozen=True)
class GroupFigures:
    group: str
    referrals: int
    clocks: dict[str, ClockFigures]


@dataclass(frozen=True)
class TimelinessReport:
    """The statistics of one period, by group and in total."""

    date_from: date
    date_to: date
    by: str
    as_of: datetime
    groups: list[GroupFigures]
    total: GroupFigures
    waiting_by_age: dict[str, int]
    cases: list[CaseTimeliness] = field(repr=False, default_factory=list)
    clocks: list[str] = field(default_factory=list)


def nearest_rank(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of values at or
    below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def age_band(dob: date | None, on: date) -> str:
    """The Children in Need census age band of a child born on `dob`, on `on`."""
    if dob is None or dob > on:
        return "unknown"
    age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    for limit, band in ((1, "under 1"), (5, "1-4"), (10, "5-9"), (16, "10-15")):
        if age < limit:
            return band
    return "16+"


def clock_figures(cases: Iterable[CaseTimeliness], clock: str) -> ClockFigures:
    """The figures of one clock over some referrals."""
    states = [s for c in cases if (s := c.clock(clock)) is not None]
    done = [s for s in states if s.status.done and s.waited is not None and s.waited >= 0]
    times = [float(s.waited) for s in done if s.waited is not None]
    first = states[0] if states else None
    return ClockFigures(
        clock, first.label if first else clock, first.unit if first else "working days",
        len(done), statistics.median(times) if times else None, nearest_rank(times, 0.9),
        sum(1 for s in done if s.status == "met"),
        sum(1 for s in states if s.status.waiting),
        sum(1 for s in states if s.status == "overdue"))


def group_of(by: str) -> Callable[[CaseTimeliness], str]:
    """The function naming a referral's group: its team, or its referral month."""
    if by == "team":
        return lambda c: c.case.team or NO_TEAM
    return lambda c: f"{c.case.referral_date:%Y-%m}" if c.case.referral_date else "(no date)"


def group_figures(cases: list[CaseTimeliness], by: str, clocks: list[str]) -> list[GroupFigures]:
    """Figures per group, groups in name order (months in time order)."""
    key = group_of(by)
    groups: dict[str, list[CaseTimeliness]] = {}
    for c in cases:
        groups.setdefault(key(c), []).append(c)
    return [GroupFigures(name, len(members), {k: clock_figures(members, k) for k in clocks})
            for name, members in sorted(groups.items())]


def waiting_by_age(cases: Iterable[CaseTimeliness], config: ClocksConfig,
                   on: date) -> dict[str, int]:
    """How many children wait on a queue clock, by age band (each child counted once)."""
    counts = dict.fromkeys(AGE_BANDS, 0)
    seen: set[str] = set()
    for c in cases:
        if c.case.child_key not in seen and c.waiting(config):
            seen.add(c.case.child_key)
            counts[age_band(c.case.child_dob, on)] += 1
    return counts


def timeliness_report(store: Store, *, date_from: date, date_to: date, by: str = "team",
                      as_of: date | datetime | None = None,
                      config: ClocksConfig | None = None,
                      evaluated: list[CaseTimeliness] | None = None) -> TimelinessReport:
    """Statistics of the referrals received from `date_from` to `date_to` (both included),
    by team or month, with clocks as of `as_of` (default now). Pass `evaluated` to reuse
    referrals already evaluated at the same moment."""
    if by not in GROUPINGS:
        raise InputError(f"cannot group by {by!r}; expected one of {', '.join(GROUPINGS)}",
                         field="by")
    if date_to < date_from:
        raise InputError(f"the period ends ({date_to}) before it starts ({date_from})",
                         field="to")
    config = config or load_config()
    at = moment(as_of)
    everything = evaluated if evaluated is not None else evaluate_cases(store, as_of=at,
                                                                         config=config)
    period = [c for c in everything if c.case.referral_date is not None
              and date_from <= c.case.referral_date.date() <= date_to]
    clocks = config.report_clocks
    return TimelinessReport(
        date_from, date_to, by, at, group_figures(period, by, clocks),
        GroupFigures("all", len(period), {k: clock_figures(period, k) for k in clocks}),
        waiting_by_age(everything, config, at.date()), period, clocks)
