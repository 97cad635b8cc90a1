"""Clock states of single referrals, counted by hand (dates in the comments)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from kinlink.timeliness import Case, CasePath, ClockStatus, load_config
from kinlink.timeliness.cases import ReferralVersion
from kinlink.timeliness.clocks import ClockEvaluator, add_months

EVALUATOR = ClockEvaluator(load_config())


def make_case(*versions: dict[str, Any], seen: list[datetime] | None = None,
              referral_id: str = "R1") -> Case:
    """A case whose versions are the given referral rows (dates as ISO text)."""
    seen = seen or [datetime(2030, 1, 1)] * len(versions)  # after every date used here
    parsed = []
    for number, (row, at) in enumerate(zip(versions, seen, strict=True), start=1):
        values = {k: _value(k, v) for k, v in row.items()}
        parsed.append(ReferralVersion(number, at, CasePath.from_row(values)))
    return Case("social-care", referral_id, referral_id, "C1", "social-care:C1", False, None,
                tuple(parsed))


def _value(column: str, value: Any) -> Any:
    if isinstance(value, str) and column.endswith("_date") and value:
        return datetime.fromisoformat(value)
    return value


def clocks_of(*rows: dict, as_of: datetime, **kwargs) -> dict:  # type: ignore[type-arg]
    states = EVALUATOR.evaluate(make_case(*rows, **kwargs), as_of)
    return {s.name: s for s in states}


def test_decision_met_next_working_day_after_a_friday_referral() -> None:
    # Fri 9 Jan 2026 referral; decision Mon 12 Jan: 1 working day, due Mon 12 Jan.
    c = clocks_of({"referral_date": "2026-01-09T16:00", "decision_date": "2026-01-12T10:00"},
                  as_of=datetime(2026, 1, 20))
    decision = c["decision"]
    assert decision.status is ClockStatus.MET
    assert decision.waited == 1
    assert decision.due_at == datetime(2026, 1, 12, 17)


def test_decision_breached_on_the_second_working_day() -> None:
    # Thu 24 Dec 2026; Christmas Fri, weekend, Boxing Day observed Mon 28: due Tue 29.
    # A decision on Wed 30 Dec took 2 working days.
    c = clocks_of({"referral_date": "2026-12-24T11:00", "decision_date": "2026-12-30T09:00"},
                  as_of=datetime(2027, 1, 10))
    assert c["decision"].due_at == datetime(2026, 12, 29, 17)
    assert c["decision"].status is ClockStatus.BREACHED
    assert c["decision"].waited == 2


def test_open_then_overdue_as_time_passes() -> None:
    row = {"referral_date": "2026-01-09T10:00"}  # Fri; decision due Mon 12 Jan
    monday = clocks_of(row, as_of=datetime(2026, 1, 12, 16))["decision"]
    assert monday.status is ClockStatus.OPEN and monday.waited == 1
    saturday = clocks_of(row, as_of=datetime(2026, 1, 10, 12))["decision"]
    assert saturday.status is ClockStatus.OPEN and saturday.waited == 1  # Sat counts as Mon
    tuesday = clocks_of(row, as_of=datetime(2026, 1, 13, 9))["decision"]
    assert tuesday.status is ClockStatus.OVERDUE
    assert tuesday.waited == 2 and tuesday.overdue_by == 1


def test_a_decision_on_sunday_counts_as_monday() -> None:
    # Fri 6 Mar 2026 referral; decision Sun 8 Mar counts as Mon 9 Mar: 1 day, met.
    c = clocks_of({"referral_date": "2026-03-06T10:00", "decision_date": "2026-03-08"},
                  as_of=datetime(2026, 3, 20))
    assert c["decision"].status is ClockStatus.MET and c["decision"].waited == 1


def test_assessment_45_working_days() -> None:
    # Mon 5 Jan 2026: day 45 is Mon 9 Mar (see test_calendar).
    base = {"referral_date": "2026-01-05T09:00", "decision_date": "2026-01-05T12:00"}
    on_time = clocks_of(base | {"assessment_authorised_date": "2026-03-09"},
                        as_of=datetime(2026, 4, 1))["assessment"]
    assert (on_time.status, on_time.waited) == (ClockStatus.MET, 45)
    late = clocks_of(base | {"assessment_authorised_date": "2026-03-10"},
                     as_of=datetime(2026, 4, 1))["assessment"]
    assert (late.status, late.waited) == (ClockStatus.BREACHED, 46)
    waiting = clocks_of(base, as_of=datetime(2026, 3, 10, 12))["assessment"]
    assert waiting.status is ClockStatus.OVERDUE and waiting.overdue_by == 1


def test_assessment_not_needed_after_no_further_action() -> None:
    c = clocks_of({"referral_date": "2026-01-05T09:00", "decision_date": "2026-01-05T12:00",
                   "nfa": True}, as_of=datetime(2026, 6, 1))
    assert c["assessment"].status is ClockStatus.NOT_NEEDED
    assert c["decision"].status is ClockStatus.MET


def test_icpc_15_working_days_from_the_strategy_discussion() -> None:
    # Strategy discussion Mon 2 Feb 2026: day 15 is Mon 23 Feb.
    row = {"referral_date": "2026-01-30T10:00", "decision_date": "2026-01-30T12:00",
           "strategy_discussion_date": "2026-02-02", "s47_start_date": "2026-02-02"}
    open_icpc = clocks_of(row, as_of=datetime(2026, 2, 23, 12))["icpc"]
    assert open_icpc.status is ClockStatus.OPEN
    assert open_icpc.due_at == datetime(2026, 2, 23, 17)
    held = clocks_of(row | {"icpc_date": "2026-02-24"}, as_of=datetime(2026, 3, 1))["icpc"]
    assert (held.status, held.waited) == (ClockStatus.BREACHED, 16)
    before = clocks_of({"referral_date": "2026-01-30T10:00"}, as_of=datetime(2026, 3, 1))
    assert before["icpc"].status is ClockStatus.NOT_STARTED


def test_icpc_counts_from_the_last_strategy_discussion_before_the_enquiry() -> None:
    # Discussions Mon 2 Feb (no enquiry then), Mon 9 Feb (led to the s47 on Tue 10 Feb) and
    # Mon 16 Feb (after it): the clock starts Mon 9 Feb, so day 15 is Mon 2 Mar.
    row = {"referral_date": "2026-01-30T10:00", "decision_date": "2026-01-30T12:00",
           "strategy_discussion_date": "2026-02-02",
           "strategy_discussion_dates": "2026-02-09;2026-02-16", "s47_start_date": "2026-02-10"}
    icpc = clocks_of(row, as_of=datetime(2026, 2, 20))["icpc"]
    assert icpc.started_at == datetime(2026, 2, 9)
    assert icpc.due_at == datetime(2026, 3, 2, 17)


def test_icpc_not_needed_when_the_enquiry_found_none_required() -> None:
    # The case: strategy discussion and s47 on Fri 2 Oct 2026, assessment
    # authorised 20 Oct, no conference needed, not closed.
    row = {"referral_date": "2026-10-01T10:00", "decision_date": "2026-10-01T12:00",
           "strategy_discussion_date": "2026-10-02", "s47_start_date": "2026-10-02",
           "assessment_authorised_date": "2026-10-20"}
    waiting = clocks_of(row, as_of=datetime(2026, 11, 30))["icpc"]
    assert waiting.status is ClockStatus.OVERDUE  # nothing says a conference was not needed
    done = clocks_of(row | {"icpc_not_required": True}, as_of=datetime(2026, 11, 30))["icpc"]
    assert done.status is ClockStatus.NOT_NEEDED
    assert done.note == "not needed after icpc not required"


def test_no_icpc_clock_without_a_section_47_enquiry() -> None:
    row = {"referral_date": "2026-10-01T10:00", "decision_date": "2026-10-01T12:00",
           "strategy_discussion_date": "2026-10-02"}
    icpc = clocks_of(row, as_of=datetime(2026, 11, 30))["icpc"]
    assert icpc.status is ClockStatus.NOT_NEEDED and icpc.note == "no s47 start recorded"


def test_reviews_first_within_3_months_then_every_6() -> None:
    # ICPC 30 Nov 2027 -> first review due 29 Feb 2028 (leap year: no 30 Feb);
    # held 28 Feb 2028 (met) -> second due 28 Aug 2028; none held by 1 Sep 2028: overdue.
    row = {"referral_date": "2027-10-01T10:00", "decision_date": "2027-10-01T12:00",
           "strategy_discussion_date": "2027-11-10", "icpc_date": "2027-11-30",
           "cp_plan_start_date": "2027-11-30", "review_conference_dates": "2028-02-28"}
    c = clocks_of(row, as_of=datetime(2028, 9, 1), seen=[datetime(2028, 9, 1)])
    assert c["review"].status is ClockStatus.MET
    assert c["review"].due_at.date() == date(2028, 2, 29)
    assert c["review 2"].due_at.date() == date(2028, 8, 28)
    assert c["review 2"].status is ClockStatus.OVERDUE
    ended = clocks_of(row | {"cp_plan_end_date": "2028-06-01"}, as_of=datetime(2028, 9, 1),
                      seen=[datetime(2028, 9, 1)])
    assert ended["review 2"].status is ClockStatus.NOT_NEEDED
    no_plan = clocks_of(row | {"cp_plan_start_date": ""}, as_of=datetime(2028, 9, 1),
                        seen=[datetime(2028, 9, 1)])
    assert no_plan["review"].status is ClockStatus.NOT_NEEDED


@pytest.mark.parametrize(("day", "months", "due"), [
    (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 10, 15), 3, date(2027, 1, 15)),  # over the year end
    (date(2028, 2, 29), 6, date(2028, 8, 29)),
])
def test_add_months(day: date, months: int, due: date) -> None:
    assert add_months(day, months) == due


def test_triage_clocks_by_rating() -> None:
    # Red from Fri 9 Jan 2026 15:00: due Mon 12 Jan 11:00. A decision at 10:30 is 1.5h in
    # Monday plus 2h on Friday: 3.5 working hours, met; at 11:30 it is breached.
    row = {"referral_date": "2026-01-09T15:00", "triage_rating": "red"}
    met = clocks_of(row | {"decision_date": "2026-01-12T10:30"}, as_of=datetime(2026, 2, 1))
    assert met["triage"].status is ClockStatus.MET and met["triage"].waited == 3.5
    assert met["triage"].due_at == datetime(2026, 1, 12, 11)
    late = clocks_of(row | {"decision_date": "2026-01-12T11:30"}, as_of=datetime(2026, 2, 1))
    assert late["triage"].status is ClockStatus.BREACHED
    # A decision recorded without a time is judged by its day: Mon 12 is the due day.
    by_day = clocks_of(row | {"decision_date": "2026-01-12"}, as_of=datetime(2026, 2, 1))
    assert by_day["triage"].status is ClockStatus.MET
    unrated = clocks_of({"referral_date": "2026-01-09T15:00"}, as_of=datetime(2026, 2, 1))
    assert unrated["triage"].status is ClockStatus.NOT_NEEDED
    # Amber 24h from Wed 7 Jan 10:00 is due Mon 12 Jan 10:00; still waiting Mon 11:00.
    amber = clocks_of({"referral_date": "2026-01-07T10:00", "triage_rating": "amber"},
                      as_of=datetime(2026, 1, 12, 11))["triage"]
    assert amber.status is ClockStatus.OVERDUE and amber.overdue_by == 1


def test_untrusted_dates_do_not_stop_clocks() -> None:
    # Authorised before the referral, and a decision dated after the extract: both ignored,
    # so the child is still waiting on both clocks.
    c = clocks_of({"referral_date": "2026-02-20T09:00", "decision_date": "2099-01-15T10:00",
                   "assessment_authorised_date": "2026-02-10"}, as_of=datetime(2026, 3, 2))
    assert c["decision"].status is ClockStatus.OVERDUE
    assert c["assessment"].status is ClockStatus.OPEN


def test_missing_referral_date_counts_from_first_seen() -> None:
    c = clocks_of({"referral_date": None}, as_of=datetime(2026, 3, 4),
                  seen=[datetime(2026, 3, 2, 8)])
    assert c["decision"].status is ClockStatus.OVERDUE  # seen Mon 2 Mar: due Tue 3 Mar
    assert c["decision"].started_at == datetime(2026, 3, 2, 8)
    assert "first seen" in c["decision"].note


def test_missing_decision_date_with_an_assessment_under_way_is_unknown() -> None:
    c = clocks_of({"referral_date": "2026-02-02T10:00", "assessment_start_date": "2026-02-04"},
                  as_of=datetime(2026, 3, 2))
    assert c["decision"].status is ClockStatus.UNKNOWN
    assert c["assessment"].status is ClockStatus.OPEN


def test_history_follows_the_versions() -> None:
    # v1 (seen Wed 7 Jan) has no decision: overdue since Tue 6 Jan. v2 (seen Mon 12 Jan)
    # records the decision on Thu 8 Jan: breached, 3 working days after Mon 5 Jan.
    v1 = {"referral_date": "2026-01-05T10:00"}
    v2 = v1 | {"decision_date": "2026-01-08T10:00"}
    c = clocks_of(v1, v2, as_of=datetime(2026, 1, 20),
                  seen=[datetime(2026, 1, 7, 6), datetime(2026, 1, 12, 6)])
    history = c["decision"].history
    assert [(h.version, h.status) for h in history] == [
        (1, ClockStatus.OVERDUE), (2, ClockStatus.BREACHED)]
    assert c["decision"].status is ClockStatus.BREACHED and c["decision"].waited == 3
    # An unchanged clock across versions is one history entry.
    assert [h.version for h in c["assessment"].history] == [1]


def test_a_referral_dated_after_its_extract_counts_from_first_seen() -> None:
    # The child was referred (the record exists), so a date in 2099 must not hide them.
    c = clocks_of({"referral_date": "2099-01-01T10:00"}, as_of=datetime(2026, 3, 4),
                  seen=[datetime(2026, 3, 2, 8)])
    assert c["decision"].status is ClockStatus.OVERDUE
    assert c["decision"].started_at == datetime(2026, 3, 2, 8)


def test_clocks_have_not_started_before_the_referral() -> None:
    c = clocks_of({"referral_date": "2026-03-10T10:00"}, as_of=datetime(2026, 3, 2))
    assert {s.status for s in c.values()} == {ClockStatus.NOT_STARTED}
