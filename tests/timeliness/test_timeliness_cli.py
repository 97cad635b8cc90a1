"""`kinlink queue`, `kinlink timeliness` and `kinlink clocks` on the hand-counted borough,
on SQLite and PostgreSQL (see the queue and stats tests for the counts)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.store import Store
from kinlink.timeliness import last_run

runner = CliRunner()


def kinlink(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_queue_table(borough: Store) -> None:
    before = last_run(borough)
    out = kinlink("queue", "--as-of", "2026-03-02")
    assert last_run(borough) == before  # reading the queue records nothing
    out = kinlink("queue", "--as-of", "2026-03-02", "--record")
    assert "Children waiting" in out
    assert "9 waiting, 4 overdue, as of 2026-03-02 23:59" in out
    assert re.findall(r"│ (R\d+)\s", out) == ["R6", "R1", "R10", "R5", "R3", "R4", "R9", "R8",
                                              "R2"]
    assert "P0000006 " in out and "social-care:C1*" in out  # resolved, and not yet
    run = last_run(borough)
    assert run is not None and (run.waiting, run.overdue, run.findings) == (9, 4, 4)


def test_queue_csv_with_filters(borough: Store) -> None:
    out = kinlink("queue", "--as-of", "2026-03-02", "--team", "North", "--state", "overdue",
                  "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["rank"], r["referral_id"], r["waiting_for"], r["state"]) for r in rows] == [
        ("1", "R1", "triage", "overdue"), ("2", "R5", "assessment", "overdue")]
    assert rows[1]["working_days_waited"] == "82" and rows[1]["due"] == "2026-01-08 17:00"
    assert rows[0]["risk_source"] == "referral"


def test_queue_json(borough: Store) -> None:
    rows = json.loads(kinlink("queue", "--as-of", "2026-03-02", "--format", "json",
                              "--limit", "3"))
    assert [r["referral_id"] for r in rows] == ["R6", "R1", "R10"]
    assert rows[2]["flags"].startswith("decision_date 2099-01-15 is after the extract")


def test_timeliness_by_month_with_charts(borough: Store, tmp_path: Path) -> None:
    out = kinlink("timeliness", "--from", "2025-11-01", "--to", "2026-02-28", "--as-of",
                  "2026-03-02", "--by", "month", "--format", "json", "--chart-dir",
                  str(tmp_path / "charts"))
    report = json.loads(out)
    total = report["groups"][-1]
    assert total["month"] == "all" and total["referrals"] == 13
    assert (total["decision_median"], total["decision_p90"], total["decision_share_in_time"]) \
        == (0, 2, 0.8)
    assert report["waiting_by_age"]["10-15"] == 3
    # Findings cover every referral, not only the period's (R8, R9, R10 are in February).
    short = kinlink("timeliness", "--from", "2026-01-01", "--to", "2026-01-31", "--as-of",
                    "2026-03-02", "--format", "csv", "--record")
    assert short.splitlines()[-1].startswith("all,4,")
    run = last_run(borough)
    assert run is not None and (run.referrals, run.findings) == (13, 4)
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == [
        "share_in_time_by_month.png", "share_in_time_by_team.png", "waiting_times.png"]


def test_timeliness_table(borough: Store) -> None:
    out = kinlink("timeliness", "--from", "2025-11-01", "--to", "2026-02-28", "--as-of",
                  "2026-03-02")
    assert "North" in out and "South" in out and "80%" in out
    assert "Children waiting now, by age" in out


def test_clocks(settings: object) -> None:
    out = kinlink("clocks")
    assert "clocks.toml" in out and "45 working days" in out
    data = json.loads(kinlink("clocks", "--format", "json"))
    assert data["clocks"]["icpc"]["from"] == "strategy_discussion"


def test_errors_are_one_line(borough: Store, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["timeliness", "--from", "2026-02-01", "--to", "2026-01-01"])
    assert result.exit_code == 1
    assert "Error: " in result.output and "before it starts" in result.output
    assert "Traceback" not in result.output
    bad = tmp_path / "clocks.toml"
    bad.write_text("[clocks.decision]\nlabel = 'x'\nfrom = 'referral'\nto = 'decision'\n")
    monkeypatch.setenv("KINLINK_TIMELINESS_CONFIG", str(bad))
    from kinlink.config import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, ["queue"])
    assert result.exit_code == 1
    assert f"{bad}: key 'clocks.decision'" in result.output


def test_help_texts() -> None:
    for command in ("queue", "timeliness", "clocks"):
        out = kinlink(command, "--help")
        assert "--format" in out
