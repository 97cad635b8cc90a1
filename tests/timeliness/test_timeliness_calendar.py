"""Working days and hours, against cases counted by hand on a calendar.

Convention under test (Working Together to Safeguard Children 2023): the referral day is day
0 whatever day it is; N working days fall due at the end of the Nth working day after it; an
event on a day that is not a working day counts as made on the next working day. The due
dates of `due_dates.csv` were worked out by hand on a calendar, not by this code.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinlink.timeliness import WorkingCalendar

ENG = WorkingCalendar()
DATA = Path(__file__).parents[1] / "data" / "timeliness"


@pytest.mark.parametrize(("start", "n", "due", "why"), [
    (date(2026, 1, 7), 1, date(2026, 1, 8), "Wed -> Thu: plain weekday"),
    (date(2026, 1, 9), 1, date(2026, 1, 12), "Fri -> Mon: Sat and Sun skipped"),
    (date(2026, 1, 10), 1, date(2026, 1, 12),
     "Sat 10 Jan is day 0; the first working day after it, Mon 12, is day 1"),
    (date(2027, 12, 24), 1, date(2027, 12, 29),
     "Fri 24 Dec 2027: Christmas (Sat) and Boxing Day (Sun) are observed Mon 27 and Tue 28"),
    (date(2027, 12, 30), 3, date(2028, 1, 5),
     "Thu 30 Dec 2027: Fri 31 (1); New Year is Sat, observed Mon 3 Jan; Tue 4 (2), Wed 5 (3)"),
    (date(2026, 4, 2), 1, date(2026, 4, 7),
     "Thu 2 Apr 2026: Good Friday 3 Apr, weekend, Easter Monday 6 Apr; Tue 7 is day 1"),
    (date(2028, 2, 28), 1, date(2028, 2, 29), "Mon 28 Feb 2028 -> Tue 29 Feb (leap day)"),
    (date(2028, 2, 25), 3, date(2028, 3, 1),
     "Fri 25 Feb 2028: Mon 28 (1), Tue 29 (2), Wed 1 Mar (3)"),
    (date(2026, 1, 5), 45, date(2026, 3, 9),
     "Mon 5 Jan 2026: 4 days to Fri 9, then 5 a week: 30 Jan is 19, 27 Feb is 39, "
     "Fri 6 Mar is 44, Mon 9 Mar is 45 (no bank holiday in between)"),
    (date(2026, 2, 2), 15, date(2026, 2, 23),
     "Mon 2 Feb 2026: Fri 6 is 4, Fri 13 is 9, Fri 20 is 14, Mon 23 is 15"),
    (date(2026, 12, 24), 1, date(2026, 12, 29),
     "Thu 24 Dec 2026 -> Christmas Fri, weekend, Boxing Day (Sat) observed Mon 28; Tue 29"),
])
def test_add_working_days_hand_counted(start: date, n: int, due: date, why: str) -> None:
    assert ENG.add_working_days(start, n) == due, why


@pytest.mark.parametrize(("start", "end", "days", "why"), [
    (date(2026, 1, 9), date(2026, 1, 12), 1, "Fri -> Mon"),
    (date(2026, 1, 12), date(2026, 1, 12), 0, "same day is day 0"),
    (date(2026, 1, 10), date(2026, 1, 12), 1, "Sat referral, Mon decision: one working day"),
    (date(2026, 1, 10), date(2026, 1, 11), 1, "Sat referral, Sun decision counts as Mon's"),
    (date(2026, 1, 10), date(2026, 1, 10), 0, "decided the Saturday it arrived: day 0"),
    (date(2026, 1, 12), date(2026, 1, 17), 5, "Mon -> Sat counts as the next Mon: 5"),
    (date(2027, 12, 24), date(2027, 12, 31), 3, "Wed 29, Thu 30, Fri 31 Dec 2027"),
    (date(2025, 12, 31), date(2026, 1, 2), 1, "New Year's Day Thu 1 Jan skipped"),
    (date(2028, 2, 25), date(2028, 3, 1), 3, "Mon 28, Tue 29 Feb, Wed 1 Mar"),
    (date(2026, 1, 12), date(2026, 1, 9), -1, "an end before the start counts back"),
])
def test_working_days_between_hand_counted(start: date, end: date, days: int, why: str) -> None:
    assert ENG.working_days_between(start, end) == days, why


def test_regions_have_their_own_bank_holidays() -> None:
    # Wed 31 Dec 2025 + 1: England works Fri 2 Jan 2026; Scotland's 2 January is a holiday.
    assert ENG.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert WorkingCalendar("SCT").add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    # Northern Ireland: St Patrick's Day, Tue 17 Mar 2026.
    assert not WorkingCalendar("NIR").is_working_day(date(2026, 3, 17))
    assert ENG.is_working_day(date(2026, 3, 17))
    # Easter Monday is not a holiday in Scotland.
    assert WorkingCalendar("SCT").is_working_day(date(2026, 4, 6))
    assert not ENG.is_working_day(date(2026, 4, 6))


def test_local_closures_are_not_working_days() -> None:
    closed = WorkingCalendar(closures=[date(2026, 12, 24)])
    # Wed 23 Dec 2026 + 1: Thu 24 closed, Fri 25 Christmas, weekend, Mon 28 Boxing Day
    # observed, so Tue 29.
    assert closed.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 29)
    assert ENG.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)


def test_unknown_region_and_inverted_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown region"):
        WorkingCalendar("XYZ")
    with pytest.raises(ValueError, match="end after"):
        WorkingCalendar(day_start=time(17), day_end=time(9))


@pytest.mark.parametrize(("start", "hours", "due", "why"), [
    (datetime(2026, 1, 9, 15), 4, datetime(2026, 1, 12, 11),
     "red from Fri 15:00: 2h to 17:00, then 2h from Mon 09:00"),
    (datetime(2026, 1, 9, 18, 30), 4, datetime(2026, 1, 12, 13),
     "after hours on Fri: counts from Mon 09:00"),
    (datetime(2026, 1, 7, 10), 24, datetime(2026, 1, 12, 10),
     "amber from Wed 10:00: Wed 7h, Thu 8h (15), Fri 8h (23), Mon 1h"),
    (datetime(2026, 1, 5, 9), 72, datetime(2026, 1, 15, 17),
     "green from Mon 09:00: nine whole days, Mon 5 to Thu 15 Jan, due at 17:00 that day"),
    (datetime(2026, 12, 24, 16), 4, datetime(2026, 12, 29, 12),
     "Thu 24 Dec 2026 16:00: 1h, then Christmas, weekend and Boxing Day observed; Tue 3h"),
    (datetime(2028, 2, 28, 16), 4, datetime(2028, 2, 29, 12), "into the leap day"),
])
def test_add_working_hours_hand_counted(start: datetime, hours: float, due: datetime,
                                        why: str) -> None:
    assert ENG.add_working_hours(start, hours) == due, why


def test_working_hours_between() -> None:
    assert ENG.working_hours_between(datetime(2026, 1, 9, 16), datetime(2026, 1, 12, 10)) == 2
    assert ENG.working_hours_between(datetime(2026, 1, 10, 12),
                                     datetime(2026, 1, 12, 12)) == 3  # Sat counts from Mon 9
    assert ENG.working_hours_between(datetime(2026, 1, 12, 7),
                                     datetime(2026, 1, 12, 20)) == 8  # a whole working day
    half_day = WorkingCalendar(day_start=time(8, 30), day_end=time(12, 30))
    assert half_day.hours_per_day == 4
    assert half_day.add_working_hours(datetime(2026, 1, 9, 12), 1) == datetime(2026, 1, 12, 9)


def test_vectorised_matches_one_at_a_time() -> None:
    rng = np.random.default_rng(6)
    starts = np.datetime64("2025-01-01") + rng.integers(0, 1500, 500).astype("timedelta64[D]")
    ends = starts + rng.integers(-10, 120, 500).astype("timedelta64[D]")
    counted = ENG.working_days_between_days(starts, ends)
    due = ENG.add_working_days_days(starts, 45)
    for s, e, c, d in zip(starts, ends, counted, due, strict=True):
        assert ENG.working_days_between(s.astype(date), e.astype(date)) == c
        assert ENG.add_working_days(s.astype(date), 45) == d.astype(date)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(2020, 1, 1), date(2035, 12, 31)), n=st.integers(1, 80))
def test_due_day_is_n_working_days_later(start: date, n: int) -> None:
    due = ENG.add_working_days(start, n)
    assert ENG.is_working_day(due)
    assert ENG.working_days_between(start, due) == n
    after_start = ENG.working_days_in(start, due)
    assert len([d for d in after_start if d > start]) == n  # day 1 to day n
    # The day before the due day is still in time; any day after it is late.
    assert ENG.working_days_between(start, due - timedelta(days=1)) <= n
    assert ENG.working_days_between(start, due + timedelta(days=1)) == n + 1


HAND_WORKED = DATA / "due_dates.csv"


def _hand_worked() -> list[tuple[date, str, int, date, str]]:
    with HAND_WORKED.open(newline="", encoding="utf-8") as f:
        return [(date.fromisoformat(r["start"]), r["clock"], int(r["working_days"]),
                 date.fromisoformat(r["due"]), r["why"]) for r in csv.DictReader(f)]


@pytest.mark.parametrize(("start", "clock", "n", "due", "why"), _hand_worked())
def test_hand_worked_due_dates(start: date, clock: str, n: int, due: date, why: str) -> None:
    assert ENG.add_working_days(start, n) == due, f"{clock}: {why}"
    assert ENG.working_days_between(start, due) == n


def test_hand_worked_cases_cover_every_kind_of_day() -> None:
    """The list holds weekends, every kind of bank holiday and the one-off ones."""
    cases = _hand_worked()
    assert len(cases) >= 24
    starts = {start for start, *_ in cases}
    spanned = {start + timedelta(days=i) for start, _, _, due, _ in cases
               for i in range((due - start).days)}
    kinds = {ENG.holiday_name(d) for d in spanned} - {None}
    for name in ("New Year's Day", "Good Friday", "Easter Monday", "May Day",
                 "Spring Bank Holiday", "Late Summer Bank Holiday", "Christmas Day",
                 "Boxing Day", "State Funeral of Queen Elizabeth II",
                 "Coronation of Charles III", "Platinum Jubilee of Elizabeth II"):
        assert any(name in k for k in kinds), name
    assert any(d.weekday() == 5 for d in starts) and any(d.weekday() == 6 for d in starts)
