"""Working days and working hours: the calendar the statutory clocks count in.

Conventions (stated for users in docs/timeliness.md):

- A working day is a Monday to Friday that is neither a bank holiday of the region
  (the `holidays` library, England and Wales by default) nor a local closure day.
- A date that is not a working day counts as the next working day: a referral arriving on
  a Saturday starts its clocks on Monday, and a decision recorded on a Sunday counts as
  made on Monday.
- The (rolled) day a clock starts is day 0. An event on the Nth working day after it has
  taken N working days; an event on the start day itself has taken 0.
- A clock of N working days falls due at the end of the Nth working day after its start
  day, and is met by an event on or before that day.
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
def _bank_holidays(region: str) -> tuple[date, ...]:
    return tuple(sorted(holidays.UK(subdiv=region, years=_YEARS).keys()))


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
        self.holidays = tuple(sorted(set(_bank_holidays(region)) | set(self.closures)))
        self._busdays = np.busdaycalendar(weekmask="1111100", holidays=list(self.holidays))
        # Clocks ask about the same few hundred days over and over: remember the answers.
        self._cached_between: Callable[[date, date], int] = lru_cache(maxsize=1 << 16)(
            lambda a, b: int(self.working_days_between_days(_days(a), _days(b))[0]))
        self._cached_add: Callable[[date, int], date] = lru_cache(maxsize=1 << 16)(
            lambda d, n: _to_date(self.add_working_days_days(_days(d), n)[0]))
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

    def roll(self, day: date) -> date:
        """`day` if it is a working day, else the next working day."""
        return self._cached_add(_day(day), 0)

    def roll_days(self, days: Days) -> Days:
        """Vectorised `roll`."""
        return np.busday_offset(days, 0, roll="forward", busdaycal=self._busdays)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days taken from `start` (day 0) to `end` (negative if `end` is earlier)."""
        return self._cached_between(_day(start), _day(end))

    def working_days_between_days(self, start: Days, end: Days) -> npt.NDArray[np.int64]:
        """Vectorised `working_days_between`."""
        return np.busday_count(self.roll_days(start), self.roll_days(end),
                               busdaycal=self._busdays)

    def add_working_days(self, start: date, n: int) -> date:
        """The day a clock of `n` working days started on `start` falls due (its last day)."""
        return self._cached_add(_day(start), n)

    def add_working_days_days(self, start: Days, n: int | npt.NDArray[np.int64]) -> Days:
        """Vectorised `add_working_days`."""
        return np.busday_offset(start, n, roll="forward", busdaycal=self._busdays)

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
