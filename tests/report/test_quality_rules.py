"""The data-quality rules on the hand-built borough: every count and denominator counted by
hand (tests/data/report/README.md), by agency and by team, the records behind them, and
trends over runs."""

from __future__ import annotations

from datetime import date

import pytest

from kinlink.errors import InputError, NotFoundError
from kinlink.ingest import ingest_extract
from kinlink.quality import list_findings
from kinlink.quality.rules import child_sign
from kinlink.quality.scores import AREA, list_runs, matching_run, run_quality, scores, trend
from kinlink.store import Store

from .conftest import AS_OF, DATA

# (rule, agency) -> (flagged, out of), counted by hand. Ava Lane (S6, 7) is kept by ingest
# with her invalid NHS number set aside, so she counts in social care's records (and has
# no carer recorded).
EXPECTED = {
    ("missing-dob", "social-care"): (1, 6), ("missing-dob", "police"): (0, 4),
    ("missing-dob", "health"): (0, 2),
    ("missing-sex", "social-care"): (1, 6), ("missing-sex", "police"): (0, 4),
    ("missing-sex", "health"): (0, 2),
    ("missing-address", "social-care"): (1, 6), ("missing-address", "police"): (1, 4),
    ("missing-address", "health"): (0, 2),
    ("invalid-nhs-number", "social-care"): (1, 2), ("invalid-nhs-number", "health"): (0, 2),
    ("child-recorded-as-adult", "social-care"): (0, 4),
    ("child-recorded-as-adult", "police"): (1, 1),
    ("child-recorded-as-adult", "health"): (0, 1),
    ("child-in-wrong-place", "social-care"): (0, 4), ("child-in-wrong-place", "police"): (1, 1),
    ("child-in-wrong-place", "health"): (0, 1),
    ("child-not-recorded-at-incident", "police"): (1, 3),
    ("child-without-carer", "social-care"): (3, 4), ("child-without-carer", "police"): (0, 1),
    ("child-without-carer", "health"): (0, 1),
    ("probable-duplicate", "social-care"): (2, 6), ("probable-duplicate", "police"): (0, 4),
    ("probable-duplicate", "health"): (0, 2),
    ("stale-address", "social-care"): (1, 5), ("stale-address", "police"): (0, 3),
    ("stale-address", "health"): (0, 2),
    ("missing-decision-date", "social-care"): (2, 5),
    # Education holds only Tom Reed (E1), at his current address.
    ("missing-dob", "education"): (0, 1), ("missing-sex", "education"): (0, 1),
    ("missing-address", "education"): (0, 1), ("probable-duplicate", "education"): (0, 1),
    ("stale-address", "education"): (0, 1),
}


def test_every_score_by_agency_is_as_counted_by_hand(borough: Store) -> None:
    run = run_quality(borough, as_of=AS_OF)
    found = {(s.rule, s.agency): (s.count, s.denominator) for s in scores(borough)}
    assert found == EXPECTED
    assert run.findings == sum(count for count, _ in EXPECTED.values())
    assert run.network_build_id is not None
    assert set(run.ingest_run_ids) == {"social-care", "police", "health", "education"}


def test_team_scores_add_up_to_the_agency(borough: Store) -> None:
    run_quality(borough, as_of=AS_OF)
    teams = scores(borough, by="team", agency="social-care")
    by_team = {(s.rule, s.team): (s.count, s.denominator) for s in teams}
    # S1 (Ella) is North by her newest referral; S3 North, S4 South; S2 and S5 no team.
    assert by_team[("missing-address", "North")] == (1, 2)  # S3
    assert by_team[("child-without-carer", "South")] == (1, 1)  # S4
    assert by_team[("missing-decision-date", "South")] == (2, 3)  # R3, R5 of R3, R4, R5
    assert by_team[("missing-dob", "")] == (1, 3)  # S5 of S2, S5, S6
    for rule in {s.rule for s in teams}:
        total = next(s for s in scores(borough, agency="social-care") if s.rule == rule)
        parts = [s for s in teams if s.rule == rule]
        assert sum(p.count for p in parts) == total.count
        assert sum(p.denominator for p in parts) == total.denominator
    assert {s.team for s in scores(borough, by="team", team="north")} == {"North"}


def test_the_records_behind_each_count_are_the_findings(borough: Store) -> None:
    run_quality(borough, as_of=AS_OF)
    for s in scores(borough):
        behind = list_findings(borough, area=AREA, rule=s.rule, agency=s.agency)
        assert len(behind) == s.count, s.rule
    [stale] = list_findings(borough, area=AREA, rule="stale-address")
    assert (stale.record_key, stale.table_name) == ("S5", "people")
    assert stale.reason == ("postcode KL2 2BB (in 1 of the person's records), but 2 give "
                            "KL3 3CC (e.g. education E1)")
    [nhs] = list_findings(borough, area=AREA, rule="invalid-nhs-number")
    assert nhs.record_key == "S6" and "9434765918" in nhs.reason
    [incident] = list_findings(borough, area=AREA, rule="child-not-recorded-at-incident")
    assert (incident.record_key, incident.table_name) == ("I1", "incidents")
    unknown, stale = sorted(list_findings(borough, area=AREA, rule="missing-decision-date"),
                            key=lambda f: f.record_key)
    assert (unknown.record_key, unknown.team) == ("R3", "South")  # assessment started
    assert stale.record_key == "R5" and "probably done or closed" in stale.reason
    # North: S3 (no address, no carer, duplicate) and S1 (none); South: S4 and R3.
    assert {f.record_key for f in list_findings(borough, area=AREA, team="North")} == {"S3"}
    assert {f.record_key for f in list_findings(borough, area=AREA, team="South")} == {
        "S4", "R3", "R5"}


def test_a_corrected_extract_shows_as_a_falling_rate(borough: Store, tmp_path) -> None:
    first = run_quality(borough, as_of=AS_OF)
    fixed = tmp_path / "social-care"
    fixed.mkdir()
    (fixed / "people.csv").write_text(
        "record_id,first_name,surname,dob,sex,address,postcode,recorded_at\n"
        "S5,Tom,Reed,1980-01-01,M,12 Ash Court,KL3 3CC,2026-10-30\n")
    ingest_extract(borough, fixed, "social-care", today=AS_OF)
    second = run_quality(borough, as_of=date(2026, 11, 9))
    points = [(p.run_id, p.score.count) for p in trend(borough, agency="social-care",
                                                        rule="missing-dob")]
    assert points == [(first.id, 1), (second.id, 0)]
    assert [(p.run_id, p.score.count) for p in trend(borough, agency="social-care",
                                                     rule="stale-address")] == [
        (first.id, 1), (second.id, 0)]


def test_a_run_is_matched_while_the_records_are_unchanged(borough: Store, tmp_path) -> None:
    assert matching_run(borough, AS_OF) is None
    run = run_quality(borough, as_of=AS_OF)
    assert matching_run(borough, AS_OF) == run
    assert matching_run(borough, date(2026, 11, 3)) is None
    ingest_extract(borough, DATA / "health", "health", today=AS_OF)  # a new ingest run
    assert matching_run(borough, AS_OF) is None
    assert len(list_runs(borough)) == 1


def test_unknown_rule_and_missing_run_are_one_clear_error(store: Store) -> None:
    with pytest.raises(NotFoundError, match="kinlink quality run"):
        scores(store)
    with pytest.raises(InputError, match="unknown rule"):
        scores(store, rule="missing-shoe-size")


@pytest.mark.parametrize(("summary", "sign"), [
    ("Verbal argument. A child was asleep upstairs.", "'child'"),
    ("Ella (8) was upstairs.", "an age of 8"),
    ("Also present: son Jack Smith, 6.", "'son'"),
    ("Jack Smith, aged 6, was in the hallway.", "an age of 6"),
    ("Dispute between neighbours; no children mentioned.", None),
    ("Male (34) arrested.", None),
    (None, None),
])
def test_child_sign(summary: str | None, sign: str | None) -> None:
    assert child_sign(summary) == sign
