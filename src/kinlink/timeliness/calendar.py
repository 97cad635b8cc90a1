"""Working days and working hours: the calendar the statutory clocks count in.

Conventions (stated for users in docs/timeliness.md):

- A working day is a Monday to Friday that is neither a bank holiday of the region
  (the `holidays` library, England and Wales by default) nor a local closure day.
- The day a clock starts is day 0, whatever day it is. "Within N working days of" counts
  the working days after it: a referral received on Saturday 28 November 2026 is due a
  decision within one working day, by Monday 30 November; one received on Good Friday is
  due by the Tuesday after Easter Monday. (Working Together to Safeguard Children 2023;
  the start is never rolled forward, which would add a day.)
- An event has taken as many working days as there are from the day after the start to
  the day of the event, both included. An event dated on a day that is not a working day
  counts as made on the next working day (a decision recorded on a Sunday is counted as
  Monday's), because that is the first working day it can have been recorded in time for.
- A clock of N working days falls due at the end of the Nth working day after its start
  day, and is met by an event on or before that day; so an event has taken at most N
  working days exactly when it is on or before the due day.
- Working hours run from `day_start` to `day_end` on working days. A time outside them
  counts from the next start of working hours (a referral at 18:30 on Friday starts its
  hours clock at 09:00 on Monday).

Everything works on single values and on numpy arrays of days, so thousands of referrals
cost one vectorised call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
import numpy as np
import numpy.typing as npt

REGIONS: dict[str, str] = {
    "ENG": "England and Wales",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}
"""Bank-holiday regions (subdivisions of the `holidays` library's UK calendar)."""

# Years covered by the holiday table; dates outside still count weekends correctly.
_YEARS = range(1970, 2101)
_EPOCH = np.datetime64("2000-01-03", "D")  # a Monday; working positions count from it

Days = npt.NDArray[np.datetime64]


@lru_cache(maxsize=8)
def _bank_holidays(region: str) -> dict[date, str]:
    """The region's bank holidays with their names, one-off ones (a state funeral) included."""
    return dict(sorted(holidays.UK(subdiv=region, years=_YEARS).items()))


def _days(value: date | Iterable[date] | Days) -> Days:
    """Dates (or datetimes, of which only the day is kept) as a numpy array of days."""
    if isinstance(value, np.ndarray):
        return value.astype("datetime64[D]")
    if isinstance(value, date):
        value = [value]
    return np.array([v.date() if isinstance(v, datetime) else v for v in value],
                    dtype="datetime64[D]")


def _day(value: date) -> date:
    """The day of a date or datetime (a datetime is also a date, but hashes with its time)."""
    return value.date() if isinstance(value, datetime) else value


def _to_date(day: np.datetime64) -> date:
    return day.astype(date)  # type: ignore[no-any-return]


class WorkingCalendar:
    """Working days of one region, minus local closures, with working hours for hour clocks."""

    def __init__(self, region: str = "ENG", closures: Iterable[date] = (),
                 day_start: time = time(9), day_end: time = time(17)) -> None:
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r}; expected one of {', '.join(REGIONS)}")
        if day_end <= day_start:
            raise ValueError("working hours must end after they start")
        self.region = region
        self.closures = tuple(sorted(set(closures)))
        self.day_start, self.day_end = day_start, day_end
        self._names = {**_bank_holidays(region), **dict.fromkeys(self.closures, "local closure")}
        self.holidays = tuple(sorted(self._names))
        self._busdays = np.busdaycalendar(weekmask="1111100", holidays=list(self.holidays))
        # Clocks ask about the same few hundred days over and over: remember the answers.
        self._cached_between: Callable[[date, date], int] = lru_cache(maxsize=1 << 16)(
            lambda a, b: int(self.working_days_between_days(_days(a), _days(b))[0]))
        self._cached_add: Callable[[date, int], date] = lru_cache(maxsize=1 << 16)(
            lambda d, n: _to_date(self.add_working_days_days(_days(d), n)[0]))
        self._cached_roll: Callable[[date], date] = lru_cache(maxsize=1 << 16)(
            lambda d: _to_date(self.roll_days(_days(d))[0]))
        self._cached_is_working: Callable[[date], bool] = lru_cache(maxsize=1 << 14)(
            lambda d: bool(np.is_busday(_days(d), busdaycal=self._busdays)[0]))
        self._cached_whole_days: Callable[[date], int] = lru_cache(maxsize=1 << 14)(
            lambda d: int(np.busday_count(_EPOCH, _days(d), busdaycal=self._busdays)[0]))
        self._start_seconds = day_start.hour * 3600 + day_start.minute * 60 + day_start.second
        self.day_seconds = (
            day_end.hour * 3600 + day_end.minute * 60 + day_end.second - self._start_seconds
        )

    @property
    def hours_per_day(self) -> float:
        """Length of a working day in hours (8 for 09:00 to 17:00)."""
        return self.day_seconds / 3600

    # --- days ---------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day."""
        return self._cached_is_working(_day(day))

    def holiday_name(self, day: date) -> str | None:
        """The bank holiday (or 'local closure') on `day`, if any."""
        return self._names.get(_day(day))

    def roll(self, day: date) -> date:
        """`day` if it is a working day, else the next working day."""
        return self._cached_roll(_day(day))

    def roll_days(self, days: Days) -> Days:
        """Vectorised `roll`."""
        return np.busday_offset(days, 0, roll="forward", busdaycal=self._busdays)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days taken from `start` (day 0) to `end`: the working days after `start`
        up to `end` (rolled forward when it is not a working day), both included. Negative
        when `end` is earlier: minus the working days after `end` up to `start`."""
        return self._cached_between(_day(start), _day(end))

    def working_days_between_days(self, start: Days, end: Days) -> npt.NDArray[np.int64]:
        """Vectorised `working_days_between`."""
        one = np.timedelta64(1, "D")
        later = end > start
        # numpy counts [begin, end) forwards and (end, begin] backwards.
        return np.busday_count(np.where(later, start + one, start),
                               np.where(later, self.roll_days(end) + one, end),
                               busdaycal=self._busdays)

    def add_working_days(self, start: date, n: int) -> date:
        """The day a clock of `n` working days started on `start` falls due: the nth
        working day after `start` (for `n` = 0, `start` rolled to a working day)."""
        return self._cached_add(_day(start), n)

    def add_working_days_days(self, start: Days, n: int | npt.NDArray[np.int64]) -> Days:
        """Vectorised `add_working_days`."""
        # Counting from the last working day on or before the start makes a start on a
        # closed day day 0 without adding a day: Saturday + 1 is Monday, not Tuesday.
        after = np.busday_offset(start, n, roll="backward", busdaycal=self._busdays)
        return np.where(np.asarray(n) > 0, after, self.roll_days(start))

    def working_days_in(self, first: date, last: date) -> list[date]:
        """Every working day from `first` to `last`, both included."""
        days = np.arange(_days(first)[0], _days(last)[0] + 1, dtype="datetime64[D]")
        return [_to_date(d) for d in days[np.is_busday(days, busdaycal=self._busdays)]]

    # --- hours --------------------------------------------------------------------------

    def _position(self, moment: datetime) -> int:
        """Working seconds from the epoch to `moment`: a clock face that stops out of hours."""
        day = moment.date()
        whole_days = self._cached_whole_days(day)
        into_day = 0
        if self._cached_is_working(day):
            seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
            into_day = min(max(seconds - self._start_seconds, 0), self.day_seconds)
        return whole_days * self.day_seconds + into_day

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from `start` to `end` (negative if `end` is earlier)."""
        return (self._position(end) - self._position(start)) / 3600

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """When a clock of `hours` working hours started at `start` falls due.

        A due time that lands exactly on the end of a working day stays on that day (17:00),
        rather than moving to 09:00 of the next.
        """
        target = self._position(start) + round(hours * 3600)
        day_index = -(-target // self.day_seconds) - 1  # ceil(target / day) - 1
        into_day = target - day_index * self.day_seconds
        day = np.busday_offset(_EPOCH, day_index, roll="forward", busdaycal=self._busdays)
        return datetime.combine(_to_date(day), time()) + timedelta(
            seconds=self._start_seconds + into_day)

    def end_of_day(self, day: date) -> datetime:
        """The end of working hours on `day`, when a clock due that day falls overdue."""
        return datetime.combine(day, self.day_end)
