"""Messy dates in referrals, flagged as data-quality findings with their reason.

Rules (each finding names its rule):

- `missing-date` (error for the referral date, else warning): a date the path needs is
  blank: the referral date; a stop date that a later event shows happened (see `unknown`
  clocks); an assessment authorised with no start; an ICPC with no strategy discussion;
  a protection plan with no ICPC.
- `before-referral` (error): an event dated before the referral.
- `out-of-order` (warning): two events of the path in the wrong order (an assessment
  authorised before it started, an ICPC before the strategy discussion, a plan ending
  before it started, anything after the closure...).
- `non-working-day` (warning): a decision, authorisation or conference dated on a weekend,
  bank holiday or closure day; its clock counts it as the next working day.
- `future-date` (error): a date later than the extract that brought it.
- `unreadable-date` (warning): a date in a list of dates (review conferences, strategy
  discussions) that is not a date.

Findings never stop a run: the clocks ignore dates they cannot trust (see `clocks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from kinlink.quality import Finding
from kinlink.timeliness.calendar import WorkingCalendar
from kinlink.timeliness.cases import EVENT_COLUMNS, Case
from kinlink.timeliness.clocks import ClockState, ClockStatus

ORDER: tuple[tuple[str, str], ...] = (
    ("decision", "assessment_start"),
    ("assessment_start", "assessment_authorised"),
    ("strategy_discussion", "s47_start"),
    ("strategy_discussion", "icpc"),
    ("icpc", "cp_plan_start"),
    ("cp_plan_start", "cp_plan_end"),
    ("icpc", "review_conference"),
)
"""Pairs of events where the first must not be later than the second."""

NEEDS: tuple[tuple[str, str], ...] = (
    ("assessment_authorised", "assessment_start"),
    ("icpc", "strategy_discussion"),
    ("cp_plan_start", "icpc"),
)
"""An event recorded (first) whose precondition (second) must be recorded too."""

WORKING_DAY_EVENTS = ("decision", "assessment_authorised", "icpc", "review_conference")
"""Events that happen at work, so a date on a non-working day is suspect."""


def _column(event: str) -> str:
    return EVENT_COLUMNS.get(event, event)


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def date_findings(case: Case, clocks: list[ClockState],
                  calendar: WorkingCalendar) -> list[Finding]:
    """Every messy-date finding on the referral's newest version."""
    def finding(rule: str, reason: str, severity: str = "warning") -> Finding:
        return Finding(case.agency, "referrals", case.referral_key, rule, reason, severity)

    return [finding(*found) for found in _problems(case, clocks, calendar)]


def _problems(case: Case, clocks: list[ClockState],
              calendar: WorkingCalendar) -> Iterator[tuple[str, ...]]:
    path = case.path
    referral = path.first("referral")
    if referral is None:
        yield ("missing-date", "referral_date is blank: clocks count from when the record "
               f"was first seen ({_day(case.first_seen)})", "error")
    # Clocks sharing a stop event (decision and triage) share the note: flag it once.
    for note in sorted({s.note for s in clocks if s.status is ClockStatus.UNKNOWN}):
        yield ("missing-date", note)
    for event, needed in NEEDS:
        if path.first(event) and not path.first(needed):
            yield ("missing-date", f"{_column(event)} is recorded but {_column(needed)} "
                   "is blank")
    yield from _order_problems(case)
    for event in WORKING_DAY_EVENTS:
        for moment in path.dates.get(event, ()):
            if not calendar.is_working_day(moment.date()):
                yield ("non-working-day", f"{_column(event)} {_day(moment)} is a "
                       f"{moment:%A} that is not a working day; its clock counts it as "
                       f"{calendar.roll(moment.date()):%A %Y-%m-%d}")
    for event, moments in path.dates.items():
        if event != "nfa":
            for moment in moments:
                if moment > case.last_seen:
                    yield ("future-date", f"{_column(event)} {_day(moment)} is after the "
                           f"extract that sent it ({_day(case.last_seen)}); clocks ignore it",
                           "error")
    for column, text in path.unreadable:
        yield ("unreadable-date", f"{column} has {text!r}, which is not a "
               "date (YYYY-MM-DD)")


def _order_problems(case: Case) -> Iterator[tuple[str, ...]]:
    path = case.path
    referral = path.first("referral")
    for event, moments in path.dates.items():
        if event in ("referral", "nfa") or referral is None:
            continue
        for moment in moments:
            if moment.date() < referral.date():
                yield ("before-referral", f"{_column(event)} {_day(moment)} is before "
                       f"referral_date {_day(referral)}; clocks ignore it", "error")
    for earlier, later in ORDER:
        first = path.first(earlier)
        for moment in path.dates.get(later, ()):
            if first is not None and moment.date() < first.date():
                yield ("out-of-order", f"{_column(later)} {_day(moment)} is before "
                       f"{_column(earlier)} {_day(first)}")
    closure = path.first("closure")
    if closure is not None:
        for event, moments in path.dates.items():
            late = [m for m in moments if m.date() > closure.date()]
            if event not in ("closure", "nfa") and late:
                yield ("out-of-order", f"{_column(event)} {_day(late[0])} is after "
                       f"closure_date {_day(closure)}")
