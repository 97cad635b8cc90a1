"""The clocks file: defaults as the issue states them, overrides, and clear errors."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from kinlink.config import Settings
from kinlink.errors import ConfigError
from kinlink.timeliness import load_config
from kinlink.timeliness.config import PACKAGED_CONFIG


def test_packaged_defaults() -> None:
    config = load_config(PACKAGED_CONFIG)
    clocks = config.clocks
    assert (clocks["decision"].start, clocks["decision"].stop,
            clocks["decision"].working_days) == ("referral", "decision", 1)
    assert (clocks["assessment"].stop, clocks["assessment"].working_days) == (
        "assessment_authorised", 45)
    assert (clocks["icpc"].start, clocks["icpc"].working_days) == ("strategy_discussion", 15)
    assert (clocks["icpc"].start_occurrence, clocks["icpc"].start_not_after) == (
        "last", "s47_start")  # Working Together 2023: the discussion that led to the s47
    assert (clocks["review"].months, clocks["review"].then_every_months) == (3, 6)
    assert clocks["triage"].working_hours == {"red": 4, "amber": 24, "green": 72}
    assert config.calendar.region == "ENG"
    assert (config.calendar.day_start, config.calendar.day_end) == (time(9), time(17))
    assert config.queue_clocks == ["decision", "triage", "assessment", "icpc", "review"]
    assert clocks["review"].queue == "overdue"  # scheduled months ahead: listed once late
    assert config.report_clocks == ["decision", "assessment"]


def test_override_from_settings(tmp_path: Path) -> None:
    path = tmp_path / "clocks.toml"
    path.write_text(PACKAGED_CONFIG.read_text().replace('region = "ENG"', 'region = "SCT"')
                    .replace("closures = []", 'closures = ["2026-12-24"]')
                    .replace("working_days = 45", "working_days = 40"))
    config = load_config(settings=Settings(timeliness_config=path))
    assert config.source == str(path)
    assert config.clocks["assessment"].working_days == 40
    calendar = config.working_calendar
    assert calendar.region == "SCT"
    assert not calendar.is_working_day(date(2026, 12, 24))  # local closure
    assert not calendar.is_working_day(date(2026, 11, 30))  # St Andrew's Day


CLOCK = '[clocks.decision]\nlabel = "Decision"\nfrom = "referral"\nto = "decision"\n'


@pytest.mark.parametrize(("text", "message"), [
    ("[calendar\n", "not valid TOML"),
    (CLOCK, "key 'clocks.decision': Value error, give exactly one of working_days, "
            "working_hours, months (found none)"),
    (CLOCK + "working_days = 1\nmonths = 2\n", "found working_days, months"),
    (CLOCK + "working_days = 0\n", "key 'clocks.decision.working_days'"),
    (CLOCK.replace('"decision"\n', '"decided"\n') + "working_days = 1\n",
     "key 'clocks.decision.to'"),
    (CLOCK + "working_days = 1\ncolour = 'red'\n", "key 'clocks.decision.colour'"),
    (CLOCK + "working_days = 1\nthen_every_months = 6\n", "needs a repeating"),
    ('[calendar]\nregion = "XX"\n' + CLOCK + "working_days = 1\n", "key 'calendar.region'"),
    ('[calendar]\nday_start = "18:00"\n' + CLOCK + "working_days = 1\n",
     "day_end must be after day_start"),
    (CLOCK + "working_hours = { purple = 3 }\n", "key 'clocks.decision.working_hours"),
    ("[clocks]\n", "no clocks are configured"),
])
def test_mistakes_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="clocks file not found"):
        load_config(tmp_path / "nope.toml")


def test_docs_state_every_rule_clock_and_state() -> None:
    from kinlink.timeliness import ClockStatus
    from kinlink.timeliness.checks import __doc__ as rules_doc

    docs = (Path(__file__).parents[2] / "docs" / "timeliness.md").read_text()
    rules = {line.split("`")[1] for line in (rules_doc or "").splitlines()
             if line.startswith("- `")}
    assert rules and all(f"`{rule}`" in docs for rule in rules)
    assert all(f"`{name}`" in docs for name in load_config(PACKAGED_CONFIG).clocks)
    assert all(f"`{status.value}`" in docs for status in ClockStatus)
    for command in ("kinlink queue", "kinlink timeliness", "kinlink clocks"):
        assert command in docs
