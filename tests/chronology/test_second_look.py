"""Each second-look rule on hand-built cases, edges included (tests/data/chronology/README)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.config import get_settings
from kinlink.errors import ConfigError, InputError, NotFoundError
from kinlink.network import recompute_alerts
from kinlink.review.prompt_reviews import list_prompts, review_prompt
from kinlink.review.second_look import load_second_look
from kinlink.store import Store

from .conftest import AMY, AS_OF, BEN, CARA, DANIEL, KEVIN

EXPECTED = {
    ("nfa-with-serious-marker", AMY, "REF1", None, DANIEL),
    ("nfa-with-serious-marker", AMY, "REF2", None, DANIEL),
    ("repeat-referrals", BEN, "REF5", None, None),
    ("incident-no-referral", AMY, None, "INC1", None),
    ("marker-adult-joined", AMY, "REF2", None, KEVIN),
}
runner = CliRunner()


def _prompts(store: Store) -> set[tuple[str, str, str | None, str | None, str | None]]:
    return {(p.rule, p.child_person_id, p.referral_id, p.incident_id, p.adult_person_id)
            for p in list_prompts(store)}


def test_each_rule_prompts_its_cases_and_none_of_the_near_misses(borough: Store) -> None:
    """Exactly three referrals within 365 days, a marker begun on the decision day and a
    referral on the 28th day are inside; 366 days, joining on the assessment day, a
    marker the deciding agency holds, a recent or non-domestic incident are not."""
    summary = recompute_alerts(borough, as_of=AS_OF)
    assert summary.found["second-look"] == len(EXPECTED)
    assert _prompts(borough) == EXPECTED


def test_reasons_spell_out_the_case(borough: Store) -> None:
    recompute_alerts(borough, as_of=AS_OF)
    reasons = {(p.rule, p.referral_id or p.incident_id): p.reason for p in list_prompts(borough)}
    nfa = reasons[("nfa-with-serious-marker", "REF1")]
    assert "closed with no further action on 2025-03-10" in nfa
    assert "domestic-abuse-perpetrator (police:P1, from 2025-03-10)" in nfa
    assert "no social-care record linked to the child holds it" in nfa
    assert "closed after its assessment with no services on 2026-05-20" in reasons[
        ("nfa-with-serious-marker", "REF2")]
    assert "3 referrals within 365 days" in reasons[("repeat-referrals", "REF5")]
    assert "no referral of the child was received within 28 days" in reasons[
        ("incident-no-referral", "INC1")]
    joined = reasons[("marker-adult-joined", "REF2")]
    assert "became household-member" in joined and "on 2026-05-02" in joined
    assert "last assessment on 2026-05-01" in joined


def test_recompute_keeps_prompts_and_their_reviews(borough: Store) -> None:
    """A second run finds the same prompts under the same alerts, and what a person
    decided stays: no duplicate, nothing lost."""
    recompute_alerts(borough, as_of=AS_OF)
    first = {p.alert_id: p for p in list_prompts(borough)}
    target = next(p for p in first.values() if p.rule == "repeat-referrals")
    reviewed = review_prompt(borough, target.alert_id, "decision-stands", actor="tm.jones",
                             reason="each referral was about a different, minor concern")
    assert reviewed.status == "resolved" and reviewed.reviews[-1].actor == "tm.jones"
    summary = recompute_alerts(borough, as_of=AS_OF)
    assert summary.new == 0 and summary.closed == 0
    again = {p.alert_id: p for p in list_prompts(borough)}
    assert again.keys() == first.keys()
    kept = again[target.alert_id]
    assert kept.status == "resolved"
    assert [(r.actor, r.decision) for r in kept.reviews] == [("tm.jones", "decision-stands")]


def test_a_review_needs_a_known_decision_an_actor_and_a_reason(borough: Store) -> None:
    recompute_alerts(borough, as_of=AS_OF)
    prompt = list_prompts(borough)[0]
    with pytest.raises(InputError):
        review_prompt(borough, prompt.alert_id, "ignore", actor="a", reason="b")
    with pytest.raises(InputError):
        review_prompt(borough, prompt.alert_id, "further-action", actor=" ", reason="b")
    with pytest.raises(NotFoundError, match="no second-look prompt 999"):
        review_prompt(borough, 999, "further-action", actor="a", reason="b")


def test_rules_are_configured_in_one_file(borough: Store, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A wider window catches Cara's referrals; a shorter wait catches Ben's incident; a
    rule switched off says nothing."""
    rules = tmp_path / "rules.toml"
    rules.write_text("[repeat-referrals]\nwindow_days = 366\n"
                     "[incident-no-referral]\nreferral_within_days = 27\n"
                     "[marker-adult-joined]\nenabled = false\n")
    monkeypatch.setenv("KINLINK_SECOND_LOOK_CONFIG", str(rules))
    get_settings.cache_clear()
    try:
        recompute_alerts(borough, as_of=AS_OF)
    finally:
        monkeypatch.delenv("KINLINK_SECOND_LOOK_CONFIG")
        get_settings.cache_clear()
    found = _prompts(borough)
    assert ("repeat-referrals", CARA, "REF8", None, None) in found
    assert ("incident-no-referral", BEN, None, "INC2", None) in found
    assert not any(p[0] == "marker-adult-joined" for p in found)


@pytest.mark.parametrize("text", ["[repeat-referrals]\ncount = 1\n",
                                  "[nfa-with-serious-marker]\nserious_markers = ['drunk']\n",
                                  "[no-such-rule]\nx = 1\n", "not toml ["])
def test_bad_rules_file_is_one_clear_error(tmp_path: Path, text: str) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(text)
    with pytest.raises(ConfigError, match=str(rules)):
        load_second_look(rules)


def test_cli_lists_exports_and_reviews_prompts(borough: Store, tmp_path: Path) -> None:
    assert runner.invoke(app, ["alerts", "recompute", "--as-of", "2026-11-01"]).exit_code == 0
    listed = runner.invoke(app, ["alerts", "--type", "second-look", "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(listed.output.splitlines()))
    assert len(rows) == len(EXPECTED) and {r["type"] for r in rows} == {"second-look"}
    out = tmp_path / "prompts.csv"
    result = runner.invoke(app, ["export", "prompts", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = list(csv.DictReader(out.open()))
    assert {(r["rule"], r["child_person_id"], r["referral_id"] or None,
             r["incident_id"] or None, r["adult_person_id"] or None)
            for r in exported} == EXPECTED
    alert_id = exported[0]["alert_id"]
    result = runner.invoke(app, ["alerts", "review", alert_id, "--decision", "further-action",
                                 "--reason", "strategy discussion booked"])
    assert result.exit_code == 0, result.output
    runner.invoke(app, ["export", "prompts", "--out", str(out)])
    row = next(r for r in csv.DictReader(out.open()) if r["alert_id"] == alert_id)
    assert (row["status"], row["reviewed_by"], row["decision"], row["decision_reason"]) == (
        "resolved", "kinlink-admin", "further-action", "strategy discussion booked")
    bad = runner.invoke(app, ["alerts", "review", alert_id, "--decision", "maybe",
                              "--reason", "r"])
    assert bad.exit_code == 1 and "unknown decision 'maybe'" in bad.output
