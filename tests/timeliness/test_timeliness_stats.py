"""Statistics over the hand-counted borough: referrals 1 Nov 2025 to 28 Feb 2026, as of
Mon 2 Mar 2026 (all 13 referrals fall in the period).

Decision, working days per completed referral (met within 1):
  North: R3 0, R5 0, R7 0, R9 0, R12 1 (Tue 6 -> Wed 7 Jan), R14 0; R1 still waiting.
  South: R4 0, R6 0, R8 4 (Tue 24 Feb -> Sun 1 Mar counted as Mon 2), R13 2 (Thu 8 ->
  Mon 12 Jan); R2 and R10 waiting (R10's 2099 decision is ignored).
  All ten: 0 0 0 0 0 0 0 1 2 4 -> median 0, 90th percentile by nearest rank: the 9th of
  10 = 2; 8 of 10 in time.
Assessment authorised (within 45):
  R12 33 (Tue 6 Jan -> Fri 20 Feb), R13 37 (Thu 8 Jan -> Mon 2 Mar), R14 52 (Mon 1 Dec
  -> Mon 16 Feb; due Thu 5 Feb after Christmas, Boxing Day and New Year) -> median 37,
  p90 52 (3rd of 3), 2 of 3 in time. Waiting 9 (all but R7, R12, R13, R14), overdue 1 (R5).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kinlink.errors import InputError
from kinlink.store import Store
from kinlink.timeliness import TimelinessReport, load_config, timeliness_report
from kinlink.timeliness.charts import write_charts
from kinlink.timeliness.stats import age_band, nearest_rank


def period_report(store: Store, by: str = "team") -> TimelinessReport:
    return timeliness_report(store, date_from=date(2025, 11, 1), date_to=date(2026, 2, 28),
                             as_of=date(2026, 3, 2), by=by)


def figures(group) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {name: (f.completed, f.median, f.p90, f.in_time, f.waiting, f.overdue)
            for name, f in group.clocks.items()}


def test_by_team(borough: Store) -> None:
    report = period_report(borough, "team")
    groups = {g.group: g for g in report.groups}
    assert [g.group for g in report.groups] == ["North", "South"]
    assert (groups["North"].referrals, groups["South"].referrals) == (7, 6)
    assert figures(groups["North"]) == {"decision": (6, 0, 1, 6, 1, 1),
                                        "assessment": (2, 42.5, 52, 1, 4, 1)}
    assert figures(groups["South"]) == {"decision": (4, 1, 4, 2, 2, 1),
                                        "assessment": (1, 37, 37, 1, 5, 0)}
    assert figures(report.total) == {"decision": (10, 0, 2, 8, 3, 2),
                                     "assessment": (3, 37, 52, 2, 9, 1)}
    assert report.total.clocks["decision"].share_in_time == 0.8


def test_by_month(borough: Store) -> None:
    report = period_report(borough, "month")
    groups = {g.group: g for g in report.groups}
    assert list(groups) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    # January: R3 0, R7 0, R12 1, R13 2 -> median 0.5, p90 the 4th of 4 = 2, 3 of 4 in time.
    assert figures(groups["2026-01"])["decision"] == (4, 0.5, 2, 3, 0, 0)
    assert groups["2025-11"].clocks["assessment"].share_in_time is None  # R5 still waiting


def test_a_shorter_period_counts_only_its_referrals(borough: Store) -> None:
    report = timeliness_report(borough, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31),
                               as_of=date(2026, 3, 2))
    assert report.total.referrals == 4  # R3, R7, R12, R13


def test_waiting_now_by_age_band(borough: Store) -> None:
    # On 2 Mar 2026: C1 9 months; C2 3; C3 7, C8 6 (born 29 Feb 2020); C4 14, C6 10 (his
    # police record's dob), C9 10 (born "2015", read as 1 July); C5 16; C10 no dob.
    report = period_report(borough)
    assert report.waiting_by_age == {"under 1": 1, "1-4": 1, "5-9": 2, "10-15": 3, "16+": 1,
                                     "unknown": 1}


@pytest.mark.parametrize(("dob", "on", "band"), [
    (date(2025, 3, 2), date(2026, 3, 1), "under 1"),
    (date(2025, 3, 2), date(2026, 3, 2), "1-4"),
    (date(2020, 2, 29), date(2025, 2, 28), "1-4"),  # a leap-day child turns 5 on 1 March
    (date(2020, 2, 29), date(2025, 3, 1), "5-9"),
    (date(2010, 6, 1), date(2026, 6, 1), "16+"),
    (None, date(2026, 6, 1), "unknown"),
])
def test_age_band(dob: date | None, on: date, band: str) -> None:
    assert age_band(dob, on) == band


def test_nearest_rank() -> None:
    assert nearest_rank([], 0.9) is None
    assert nearest_rank([5], 0.9) == 5
    assert nearest_rank(list(range(1, 21)), 0.9) == 18  # ceil(0.9 x 20) = 18th
    assert nearest_rank([3, 1, 2], 0.5) == 2


def test_bad_requests_are_input_errors(borough: Store) -> None:
    with pytest.raises(InputError, match="group by"):
        timeliness_report(borough, date_from=date(2026, 1, 1), date_to=date(2026, 2, 1),
                          by="week")
    with pytest.raises(InputError, match="before it starts"):
        timeliness_report(borough, date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))


def test_charts_are_written(borough: Store, tmp_path: Path) -> None:
    report = period_report(borough)
    paths = write_charts(report, load_config(), tmp_path / "charts")
    assert [p.name for p in paths] == ["waiting_times.png", "share_in_time_by_month.png",
                                       "share_in_time_by_team.png"]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
