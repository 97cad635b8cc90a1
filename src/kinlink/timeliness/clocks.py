"""Each clock's state for a referral, as of a moment, with its history over the versions.

A clock runs from its `from` event to its `to` event (see `clocks.toml`). As of a moment:

- not-started: the `from` event has not happened (or is later than the moment);
- open: started, not stopped, not yet past its due time;
- overdue: started, not stopped, past its due time;
- met: stopped on or before its due time; breached: stopped after it;
- not-needed: an event that ends the need came first (no further action, closure),
  or a condition is missing (no triage rating for a triage clock, no plan for reviews);
- unknown: the `to` event happened (a later event shows it) but its date is missing.

Dates that cannot be trusted do not stop a clock: a date later than the extract that
brought it, or earlier than the referral, or earlier than the clock's start. The clock stays
open, so the child stays in the queue; `checks` flags the date. A referral with no referral
date is counted from when its record was first seen.
"""

from __future__ import annotations

import calendar as months_calendar
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from kinlink.timeliness.calendar import WorkingCalendar
from kinlink.timeliness.cases import Case, CasePath, has_time
from kinlink.timeliness.config import ClockConfig, ClocksConfig


class ClockStatus(StrEnum):
    NOT_STARTED = "not-started"
    OPEN = "open"
    OVERDUE = "overdue"
    MET = "met"
    BREACHED = "breached"
    NOT_NEEDED = "not-needed"
    UNKNOWN = "unknown"

    @property
    def waiting(self) -> bool:
        """Whether the child is still waiting on this clock."""
        return self in (ClockStatus.OPEN, ClockStatus.OVERDUE)

    @property
    def done(self) -> bool:
        """Whether the clock stopped on a known date (so its time counts in statistics)."""
        return self in (ClockStatus.MET, ClockStatus.BREACHED)


@dataclass(frozen=True)
class HistoryEntry:
    """The clock as one version of the referral showed it, when that version arrived."""

    version: int
    seen_at: datetime
    status: ClockStatus
    due_at: datetime | None
    stopped_at: datetime | None


@dataclass(frozen=True)
class ClockState:
    """One clock of one referral as of a moment. `waited` and `overdue_by` are in `unit`
    (working days, or working hours for an hours clock)."""

    clock: str
    label: str
    instance: int  # 1, or the number of the review for a repeating clock
    status: ClockStatus
    unit: str
    limit: str
    started_at: datetime | None = None
    due_at: datetime | None = None
    stopped_at: datetime | None = None
    waited: float | None = None
    overdue_by: float = 0.0
    note: str = ""
    history: tuple[HistoryEntry, ...] = ()

    @property
    def name(self) -> str:
        """The clock's name, numbered for a repeating clock (`review 2`)."""
        return self.clock if self.instance == 1 else f"{self.clock} {self.instance}"


@dataclass(frozen=True)
class _View:
    """One version's dates as trusted at a moment: what a clock may count from and to."""

    path: CasePath
    as_of: datetime
    known_until: datetime
    fallback_start: datetime

    @property
    def referral(self) -> datetime | None:
        first = self.path.first("referral")
        return first if first is not None and first <= self.known_until else None

    def dates(self, event: str) -> list[datetime]:
        """The event's trusted dates up to the moment, earliest first."""
        if event == "referral":
            start = self.referral or self.fallback_start
            return [start] if start <= self.as_of else []
        floor = (self.referral or self.fallback_start).date()
        return [d for d in self.path.dates.get(event, ())
                if floor <= d.date() and d <= self.known_until and d <= self.as_of]

    def happened(self, event: str) -> bool:
        return bool(self.dates(event)) or event in self.path.undated


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it has no such day
    (30 November + 3 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, months_calendar.monthrange(year, month)[1]))


class ClockEvaluator:
    """Evaluates the configured clocks of cases, as of a moment, in one working calendar."""

    def __init__(self, config: ClocksConfig) -> None:
        self.config = config
        self.calendar: WorkingCalendar = config.working_calendar

    def evaluate(self, case: Case, as_of: datetime) -> list[ClockState]:
        """Every clock of `case` as of `as_of`, each with its history over the versions."""
        current = self._states(case.path, case, as_of, case.last_seen)
        history: dict[tuple[str, int], list[HistoryEntry]] = {}
        for version in case.versions:
            for state in self._states(version.path, case, version.seen_at, version.seen_at):
                entries = history.setdefault((state.clock, state.instance), [])
                entry = HistoryEntry(version.version, version.seen_at, state.status,
                                     state.due_at, state.stopped_at)
                if not entries or _changed(entries[-1], entry):
                    entries.append(entry)
        return [replace(s, history=tuple(history.get((s.clock, s.instance), ())))
                for s in current]

    def _states(self, path: CasePath, case: Case, as_of: datetime,
                known_until: datetime) -> list[ClockState]:
        view = _View(path, as_of, known_until, case.first_seen)
        states: list[ClockState] = []
        for name, clock in self.config.clocks.items():
            states.extend(self._clock(name, clock, view))
        return states

    def _clock(self, name: str, clock: ClockConfig, view: _View) -> list[ClockState]:
        base: dict[str, Any] = {
            "clock": name, "label": clock.label, "instance": 1,
            "status": ClockStatus.NOT_STARTED, "limit": clock.describe_limit(),
            "unit": "working hours" if clock.working_hours is not None else "working days"}
        start = self._start(clock, view)
        if start is None:
            return [ClockState(**base, note=f"no {clock.start.replace('_', ' ')} yet")]
        if clock.start == "referral" and view.referral is None:
            base["note"] = "no referral date: counted from when the record was first seen"
        missing = [e for e in clock.only_if if not view.happened(e)]
        if missing:
            return [ClockState(**base | {"status": ClockStatus.NOT_NEEDED, "started_at": start,
                                         "note": f"no {missing[0].replace('_', ' ')} recorded"})]
        if clock.working_hours is not None and clock.hours_for(view.path.triage_rating) is None:
            return [ClockState(**base | {"status": ClockStatus.NOT_NEEDED, "started_at": start,
                                         "note": "no triage rating"})]
        stops = [d for d in view.dates(clock.stop) if d.date() >= start.date()]
        if clock.then_every_months is None:
            return [self._instance(clock, base, view, start, stops[0] if stops else None,
                                   first=True)]
        states = []
        for i, stop in enumerate([*stops, None]):
            states.append(self._instance(clock, base | {"instance": i + 1}, view, start, stop,
                                         first=i == 0))
            if stop is not None:
                start = stop
        return states

    @staticmethod
    def _start(clock: ClockConfig, view: _View) -> datetime | None:
        """When the clock starts: the first of its `from` events, or the last one on or
        before the `from_not_after` event (the strategy discussion that led to the section
        47 enquiry, where there were several)."""
        starts = view.dates(clock.start)
        if clock.start_not_after is not None:
            limit = view.dates(clock.start_not_after)
            starts = [d for d in starts if not limit or d.date() <= limit[0].date()] or starts
        if not starts:
            return None
        return starts[-1] if clock.start_occurrence == "last" else starts[0]

    def _instance(self, clock: ClockConfig, base: dict[str, Any], view: _View, start: datetime,
                  stop: datetime | None, *, first: bool) -> ClockState:
        """One run of a clock from `start`: stopped at `stop`, or still going at `as_of`."""
        due_at = self._due(clock, start, view.path.triage_rating, first=first)
        state = base | {"started_at": start, "due_at": due_at}
        if stop is not None:
            late = self._late(clock, due_at, stop)
            return ClockState(**state | {
                "stopped_at": stop, "waited": self._waited(clock, start, stop),
                "status": ClockStatus.BREACHED if late else ClockStatus.MET})
        implied = [e for e in (clock.stop, *clock.implied_by)
                   if view.happened(e) and not (e == clock.stop and view.dates(e))]
        if implied and first:
            return ClockState(**state | {
                "status": ClockStatus.UNKNOWN,
                "note": f"{clock.stop.replace('_', ' ')} date missing though "
                        f"{implied[0].replace('_', ' ')} is recorded"})
        ended = [e for e in clock.not_needed_after if view.happened(e)]
        if ended:
            at = view.dates(ended[0])
            return ClockState(**state | {
                "status": ClockStatus.NOT_NEEDED, "stopped_at": at[0] if at else None,
                "note": f"not needed after {ended[0].replace('_', ' ')}"})
        waited = self._waited(clock, start, view.as_of)
        if not self._late(clock, due_at, view.as_of):
            return ClockState(**state | {"status": ClockStatus.OPEN, "waited": waited})
        return ClockState(**state | {"status": ClockStatus.OVERDUE, "waited": waited,
                                     "overdue_by": self._waited(clock, due_at, view.as_of)})

    def _due(self, clock: ClockConfig, start: datetime, rating: str | None, *,
             first: bool) -> datetime:
        cal = self.calendar
        if clock.working_days is not None:
            return cal.end_of_day(cal.add_working_days(start.date(), clock.working_days))
        if clock.months is not None:
            months = clock.months if first else (clock.then_every_months or clock.months)
            return cal.end_of_day(add_months(start.date(), months))
        hours = clock.hours_for(rating)
        assert hours is not None  # clocks without an hours limit are not-needed before here
        return cal.add_working_hours(start, hours)

    def _is_hours(self, clock: ClockConfig) -> bool:
        return clock.working_hours is not None

    def _waited(self, clock: ClockConfig, start: datetime, end: datetime) -> float:
        """Working days (or hours) from `start` to `end`. A date without a time, in an
        hours clock, counts as the end of that working day: the latest it can have been."""
        cal = self.calendar
        if not self._is_hours(clock):
            return float(cal.working_days_between(start.date(), end.date()))
        if not has_time(end):
            end = cal.end_of_day(cal.roll(end.date()))
        return cal.working_hours_between(start, end)

    def _late(self, clock: ClockConfig, due_at: datetime, moment: datetime) -> bool:
        """Whether `moment` is after the clock's due time. Day and month clocks compare
        days (the due day lasts until its end); so does an hours clock for a date without
        a time, which is judged by its day."""
        cal = self.calendar
        if not self._is_hours(clock):
            return cal.roll(moment.date()) > due_at.date() if clock.working_days else \
                moment.date() > due_at.date()
        if not has_time(moment):
            return cal.roll(moment.date()) > due_at.date()
        return cal.working_hours_between(due_at, moment) > 0


def _changed(before: HistoryEntry, after: HistoryEntry) -> bool:
    return (before.status, before.due_at, before.stopped_at) != (
        after.status, after.due_at, after.stopped_at)
