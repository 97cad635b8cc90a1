"""`kinlink quality ...` through the real CLI on the hand-built borough."""

from __future__ import annotations

import csv
import io
import json

from kinlink.cli import app
from kinlink.store import Store

from .conftest import AS_OF, kinlink, runner


def test_run_then_show_by_agency_and_team(borough: Store) -> None:
    out = kinlink("quality", "run", "--as-of", AS_OF.isoformat())
    assert "Run 1 as of 2026-11-02" in out and "16 record(s) flagged" in out
    rows = list(csv.DictReader(io.StringIO(kinlink("quality", "show", "--format", "csv"))))
    dup = next(r for r in rows if r["rule"] == "probable-duplicate"
               and r["agency"] == "social-care")
    assert (dup["count"], dup["denominator"], dup["rate"]) == ("2", "6", "0.333333")
    team = json.loads(kinlink("quality", "show", "--team", "South", "--format", "json"))
    assert {s["team"] for s in team["scores"]} == {"South"}
    no_team = json.loads(kinlink("quality", "show", "--team", "(no team)", "--format", "json"))
    assert {(s["agency"], s["team"]) for s in no_team["scores"]} >= {("police", "")}
    assert "Missing date of birth" in kinlink("quality", "show", "--agency", "health")


def test_records_behind_a_rule(borough: Store) -> None:
    kinlink("quality", "run", "--as-of", AS_OF.isoformat())
    rows = json.loads(kinlink("quality", "records", "probable-duplicate", "--format", "json"))
    assert sorted(r["record"] for r in rows) == ["S3", "S4"]
    assert all("P0000003" in r["reason"] for r in rows)
    out = kinlink("quality", "records", "child-recorded-as-adult", "--agency", "police")
    assert "PA2" in out and "1995-05-01" in out


def test_trend_and_rules(borough: Store) -> None:
    kinlink("quality", "run", "--as-of", "2026-11-01")
    kinlink("quality", "run", "--as-of", AS_OF.isoformat())
    rows = json.loads(kinlink("quality", "trend", "--agency", "police", "--rule",
                              "child-in-wrong-place", "--format", "json"))
    assert [(r["run"], r["as_of"], r["count"]) for r in rows] == [
        (1, "2026-11-01", 1), (2, "2026-11-02", 1)]
    assert "stale-address" in kinlink("quality", "rules")


def test_errors_are_one_line(store: Store) -> None:
    result = runner.invoke(app, ["quality", "show"])
    assert result.exit_code == 1 and "kinlink quality run" in result.output
    kinlink("quality", "run")
    result = runner.invoke(app, ["quality", "records", "missing-shoe-size"])
    assert result.exit_code == 1 and "unknown rule 'missing-shoe-size'" in result.output
    assert "Traceback" not in result.output
