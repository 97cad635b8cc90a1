"""The queue over the hand-counted borough (tests/data/timeliness), as of Mon 2 Mar 2026.

Working days waited (from each waiting clock's start) and priorities, counted by hand:
priority = weight (high 4, medium/unknown 2, low 1) x (1 + min(days waited + days overdue,
20)).

- R6  ICPC: strategy discussion Mon 2 Feb, due Mon 23 Feb (15), 20 waited, 5 over; high
      (section 47): 4 x (1 + 20) = 84 (25 capped at 20). Overdue and high.
- R1  red, referred Mon 23 Feb 10:00, no decision: triage due 14:00 that day; 5 waited;
      over by 3h (Mon) + 4 x 8h + 8h (Mon 2) = 43h = 5.375 days: 4 x 11.375 = 45.5.
- R10 red, referred Thu 26 Feb 10:00, decision dated 2099 (ignored): due 14:00; 2
      waited; over 3 + 8 + 8 = 19h = 2.375 days: 4 x 5.375 = 21.5.
- R5  green, assessment from Mon 3 Nov 2025, due Thu 8 Jan (bank holidays 25, 26 Dec and
      1 Jan skipped); 82 waited, 37 over: 1 x (1 + 20) = 21.
- R3  N1, assessment from Mon 5 Jan, due Mon 9 Mar; 40 waited: 2 x (1 + 20) = 42.
- R4  amber, from Mon 16 Feb; 10 waited: 2 x 11 = 22.
- R9  no rating (unknown), from Fri 20 Feb, its authorisation (10 Feb) predates the
      referral so is ignored; 6 waited: 2 x 7 = 14.
- R8  amber, decision on Sun 1 Mar (counted as Mon 2: breached), assessment from Tue 24
      Feb; 4 waited: 2 x 5 = 10.
- R2  green, Fri 27 Feb 10:00, decision due Mon 2 Mar (still open that day); 1 waited:
      1 x 2 = 2.
- Not waiting: R7 (no further action), R12, R13, R14 (assessments authorised).
"""

from __future__ import annotations

from datetime import date

import pytest

from kinlink.errors import InputError
from kinlink.quality import list_findings
from kinlink.store import Store
from kinlink.timeliness import build_queue, evaluate_cases, load_config, record_run
from kinlink.timeliness.evaluate import moment
from kinlink.timeliness.queue import queue_items
from kinlink.timeliness.risk import ChildRisk, combined_risk, referral_risk

AS_OF = date(2026, 3, 2)


def test_queue_order_follows_the_documented_rule(borough: Store) -> None:
    items = build_queue(borough, as_of=AS_OF)
    assert [i.referral_id for i in items] == ["R6", "R1", "R10", "R3", "R4", "R5", "R9", "R8",
                                              "R2"]
    assert [i.rank for i in items] == list(range(1, 10))
    by_id = {i.referral_id: i for i in items}
    assert {k: (i.waited_days, round(i.overdue_days, 3), i.priority) for k, i in by_id.items()} \
        == {"R6": (20, 5, 84), "R1": (5, 5.375, 45.5), "R10": (2, 2.375, 21.5),
            "R5": (82, 37, 21), "R3": (40, 0, 42), "R4": (10, 0, 22), "R9": (6, 0, 14),
            "R8": (4, 0, 10), "R2": (1, 0, 2)}
    assert by_id["R1"].clock.clock == "triage"
    assert by_id["R1"].also_waiting_for == ("decision", "assessment")
    assert by_id["R6"].clock.clock == "icpc" and by_id["R6"].status == "overdue"
    assert by_id["R2"].clock.clock == "decision" and by_id["R2"].status == "open"


def test_children_are_tied_to_persons_or_keyed_by_record(borough: Store) -> None:
    by_id = {i.referral_id: i for i in build_queue(borough, as_of=AS_OF)}
    assert by_id["R6"].child_key == "P0000006" and by_id["R6"].child_resolved
    assert by_id["R6"].child_dob == date(2016, 2, 2)  # from the person's police record
    assert by_id["R1"].child_key == "social-care:C1" and not by_id["R1"].child_resolved


def test_network_risk_is_used_when_the_network_has_data(borough: Store) -> None:
    by_id = {i.referral_id: i for i in build_queue(borough, as_of=AS_OF)}
    # P0000006's father has a current violence marker (police extract).
    assert by_id["R6"].risk.source == "network"
    assert by_id["R6"].risk.level == "high"
    assert any("violence" in r for r in by_id["R6"].risk.reasons)
    # Unresolved children: the network cannot know them; the referral's risk is used.
    assert by_id["R1"].risk.source == "referral"


def test_messy_referrals_stay_in_the_queue_flagged(borough: Store) -> None:
    by_id = {i.referral_id: i for i in build_queue(borough, as_of=AS_OF)}
    assert any("before referral_date" in f for f in by_id["R9"].flags)
    assert any("after the extract" in f for f in by_id["R10"].flags)
    assert any("Sunday" in f for f in by_id["R8"].flags)
    assert not by_id["R3"].flags


def test_filters_by_team_and_state(borough: Store) -> None:
    north = build_queue(borough, as_of=AS_OF, team="north")
    assert [i.referral_id for i in north] == ["R1", "R3", "R5", "R9"]
    assert [i.rank for i in north] == [1, 2, 3, 4]
    overdue = build_queue(borough, as_of=AS_OF, state="overdue")
    assert [i.referral_id for i in overdue] == ["R6", "R1", "R10", "R5"]
    assert [i.referral_id for i in build_queue(borough, as_of=AS_OF, state="open")] == [
        "R3", "R4", "R9", "R8", "R2"]
    with pytest.raises(InputError, match="unknown queue state"):
        build_queue(borough, as_of=AS_OF, state="late")


def test_as_of_earlier_shows_the_queue_then(borough: Store) -> None:
    # Fri 20 Feb 2026: R1, R2, R8, R10 were not referred yet; R13 was authorised on 2 Mar
    # so still waiting; R9 arrived that morning.
    # R12 and R14 were authorised by then; R7 had no further action.
    ids = {i.referral_id for i in build_queue(borough, as_of=date(2026, 2, 20))}
    assert ids == {"R3", "R4", "R5", "R6", "R9", "R13"}


def test_risk_rule() -> None:
    high = ChildRisk("high", 0.9, "referral", ("triage red",))
    low_network = ChildRisk("low", 0.1, "network", ("alcohol-misuse (mother)",))
    assert combined_risk(low_network, high).level == "high"
    assert combined_risk(low_network, high).source == "referral"
    high_network = ChildRisk("high", 0.8, "network", ("violence (father)",))
    unknown = ChildRisk("unknown", 0.5, "referral")
    assert combined_risk(high_network, unknown) is high_network
    assert combined_risk(None, unknown) is unknown
    assert combined_risk(low_network, unknown) is low_network  # unknown never outranks data


def test_referral_risk_levels(borough: Store) -> None:
    cases = {e.case.referral_id: e.case for e in evaluate_cases(borough, as_of=AS_OF)}
    assert referral_risk(cases["R6"].path).level == "high"  # section 47
    assert referral_risk(cases["R3"].path).level == "medium"  # N1
    assert referral_risk(cases["R2"].path).level == "low"  # green
    assert referral_risk(cases["R9"].path).level == "unknown"


def test_high_risk_waiting_briefly_outranks_low_risk_waiting_long(borough: Store) -> None:
    # The documented example: high 2 days (4 x 3 = 12) before low 10 days (1 x 11 = 11).
    config = load_config()
    evaluated = [e for e in evaluate_cases(borough, as_of=AS_OF, config=config)
                 if e.case.referral_id in ("R4", "R9")]  # open, waited 10 and 6
    risks = {e.case.child_key: ChildRisk("low" if e.case.referral_id == "R4" else "high",
                                         0.5, "referral") for e in evaluated}
    items = queue_items(evaluated, risks, config, moment(AS_OF))
    assert [(i.referral_id, i.priority) for i in items] == [("R9", 28), ("R4", 11)]


def test_findings_are_recorded_once_per_run(borough: Store) -> None:
    config = load_config()
    for _ in range(2):
        evaluated = evaluate_cases(borough, as_of=AS_OF, config=config)
        run = record_run(borough, evaluated, as_of=moment(AS_OF), config=config)
    findings = list_findings(borough, area="timeliness")
    assert sorted((f.record_key, f.rule) for f in findings) == [
        ("R10", "future-date"), ("R8", "non-working-day"), ("R9", "before-referral"),
        ("R9", "out-of-order")]
    assert {f.run_id for f in findings} == {run.id}
    assert run.waiting == 9 and run.overdue == 4 and run.findings == 4
    assert findings[0].severity == "error"  # most severe first


def test_stale_referrals_are_listed_apart_after_real_waits(borough: Store) -> None:
    # Wed 1 Apr 2026: R5's assessment (due Thu 8 Jan) is 59 working days overdue and
    # nothing has been recorded on it since its assessment started on Wed 5 Nov 2025 (102
    # working days): more than 40 each, so probably not recorded. R2's decision, 22 days
    # overdue, is still a wait.
    items = build_queue(borough, as_of=date(2026, 4, 1))
    assert items[-1].referral_id == "R5" and items[-1].rank == len(items)
    assert items[-1].state == "probably-not-recorded"
    assert items[-1].not_recorded is not None and "since 2025-11-05" in items[-1].not_recorded
    assert [i.referral_id for i in items if i.not_recorded] == ["R5"]
    by_id = {i.referral_id: i for i in items}
    assert by_id["R2"].state == "overdue"
    assert [i.referral_id for i in build_queue(borough, as_of=date(2026, 4, 1),
                                               state="probably-not-recorded")] == ["R5"]
    stale = [f for e in evaluate_cases(borough, as_of=date(2026, 4, 1)) for f in e.findings
             if f.rule == "probably-not-recorded"]
    assert [(f.record_key, f.severity) for f in stale] == [("R5", "warning")]


def test_waiting_alone_lifts_a_child_only_so_far(borough: Store) -> None:
    # R5, low risk, waited 82 and 37 overdue: 1 x (1 + min(119, 20)) = 21, not 120; so a
    # high-risk child who has waited 6 days (R9: 4 x 7 = 28) comes first.
    config = load_config()
    evaluated = [e for e in evaluate_cases(borough, as_of=AS_OF, config=config)
                 if e.case.referral_id in ("R5", "R9")]
    risks = {e.case.child_key: ChildRisk("low" if e.case.referral_id == "R5" else "high",
                                         0.5, "referral") for e in evaluated}
    items = queue_items(evaluated, risks, config, moment(AS_OF))
    assert [(i.referral_id, i.priority) for i in items] == [("R9", 28), ("R5", 21)]
