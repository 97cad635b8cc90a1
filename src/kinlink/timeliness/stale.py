"""Referrals that look like recording failures rather than children waiting.

A real borough's extract holds some referrals that were finished or closed but never
recorded as such: an assessment never authorised, a case never closed. Counted as waits
they fill the top of the queue with children who are not waiting (on the synthetic
borough, "waits" of about 500 working days). A waiting clock is **probably not
recorded** when both hold, with N = `[queue] probably_not_recorded_after` (default 40
working days, about two months):

- it is overdue by more than N working days; and
- nothing has been recorded on the referral for more than N working days (its latest
  dated event, the referral itself included, is older).

Such referrals are listed apart, after the children really waiting, and raise a
`probably-not-recorded` data-quality finding; they are never dropped.
"""

from __future__ import annotations

from datetime import datetime

from kinlink.timeliness.calendar import WorkingCalendar
from kinlink.timeliness.cases import CasePath
from kinlink.timeliness.clocks import ClockState, ClockStatus


def overdue_days(clock: ClockState, calendar: WorkingCalendar) -> float:
    """How far past due a clock is, in working days (an hours clock's hours converted)."""
    if clock.unit == "working hours":
        return clock.overdue_by / calendar.hours_per_day
    return clock.overdue_by


def last_recorded(path: CasePath, as_of: datetime) -> datetime | None:
    """The latest date recorded on the referral up to `as_of`."""
    dates = [d for found in path.dates.values() for d in found if d <= as_of]
    return max(dates, default=None)


def not_recorded_reason(clock: ClockState, path: CasePath, as_of: datetime,
                        calendar: WorkingCalendar, after: int) -> str | None:
    """Why `clock` is probably a recording failure rather than a wait, or None if it is not
    (see the module's rule)."""
    if clock.status is not ClockStatus.OVERDUE:
        return None
    late = overdue_days(clock, calendar)
    last = last_recorded(path, as_of)
    if late <= after or last is None:
        return None
    idle = calendar.working_days_between(last.date(), as_of.date())
    if idle <= after:
        return None
    return (f"{clock.name} overdue by {late:.0f} working days and nothing recorded on the "
            f"referral since {last:%Y-%m-%d} ({idle} working days): probably done or closed "
            "but not recorded")
