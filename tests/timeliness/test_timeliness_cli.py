"""`kinlink queue`, `kinlink timeliness` and `kinlink clocks` on the hand-counted borough,
on SQLite and PostgreSQL (see the queue and stats tests for the counts)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.ingest import ingest_extract
from kinlink.store import Store
from kinlink.store.schema.source import ingest_runs
from kinlink.timeliness import last_run

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data" / "timeliness"


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
    assert "9 waiting, 4 overdue, 0 probably not recorded, as of 2026-03-02 23:59" in out
    assert re.findall(r"│ (R\d+)\s", out) == ["R6", "R1", "R10", "R3", "R4", "R5", "R9", "R8",
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


def test_queue_says_when_it_counts_to_today(borough: Store) -> None:
    out = kinlink("queue")
    assert "(today: no --as-of given, so every wait includes the time since the extract)" in \
        " ".join(out.split())
    assert "probably not recorded" in out
    dated = kinlink("queue", "--as-of", "2026-03-02")
    assert "today" not in dated and "0 probably not recorded, as of 2026-03-02" in dated


def test_queue_csv_gives_hand_worked_due_dates(tmp_path: Path, store: Store,
                                               settings: object) -> None:
    """Every hand-worked case of tests/data/timeliness/due_dates.csv, as `kinlink queue
    --format csv` shows it: one referral per case, waiting on that case's clock."""
    cases = list(csv.DictReader((DATA / "due_dates.csv").open(encoding="utf-8")))
    extract = tmp_path / "social-care"
    extract.mkdir()
    people, referrals = [], []
    for n, case in enumerate(cases, start=1):
        people.append({"record_id": f"C{n}", "first_name": "Kit", "surname": f"Case{n}",
                       "dob": "2015-01-01"})
        referrals.append(_referral_for(f"R{n}", f"C{n}", case["clock"], case["start"]))
    _write(extract / "people.csv", people)
    _write(extract / "referrals.csv", referrals)
    # The extract is taken on 1 Jan 2028, after every case: dates later than their extract
    # are not trusted, and ingest stamps its run with the wall clock.
    taken = datetime(2028, 1, 1)
    ingest_extract(store, extract, "social-care", today=taken.date())
    with store.begin() as conn:
        conn.execute(update(ingest_runs).values(started_at=taken, finished_at=taken))
    for n, case in enumerate(cases, start=1):
        out = kinlink("queue", "--as-of", case["start"], "--format", "csv")
        row = next(r for r in csv.DictReader(io.StringIO(out)) if r["referral_id"] == f"R{n}")
        assert (row["waiting_for"], row["due"][:10]) == (case["clock"], case["due"]), case


def _referral_for(referral_id: str, record_id: str, clock: str, start: str) -> dict[str, str]:
    """A referral waiting on `clock` from `start`: just received (decision), decided the
    same day (assessment), or with a strategy discussion and enquiry that day after an
    earlier assessment was authorised (icpc)."""
    row = {"referral_id": referral_id, "record_id": record_id, "referral_date": start}
    if clock == "assessment":
        row["decision_date"] = start
    if clock == "icpc":
        earlier = (date.fromisoformat(start) - timedelta(days=60)).isoformat()
        row |= {"referral_date": earlier, "decision_date": earlier,
                "assessment_start_date": earlier, "assessment_authorised_date": earlier,
                "strategy_discussion_date": start, "s47_start_date": start}
    return row


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def test_an_overdue_review_conference_is_in_the_queue(tmp_path: Path, store: Store,
                                                     settings: object) -> None:
    # ICPC and plan Mon 5 Jan 2026: first review due Sun 5 Apr (3 months), none held.
    extract = tmp_path / "social-care"
    extract.mkdir()
    _write(extract / "people.csv", [{"record_id": "C1", "first_name": "Kit",
                                     "surname": "Review", "dob": "2015-01-01"}])
    _write(extract / "referrals.csv", [{
        "referral_id": "R1", "record_id": "C1", "referral_date": "2025-12-01",
        "decision_date": "2025-12-01", "assessment_start_date": "2025-12-02",
        "assessment_authorised_date": "2025-12-19", "strategy_discussion_date": "2025-12-03",
        "s47_start_date": "2025-12-03", "icpc_date": "2026-01-05",
        "cp_plan_start_date": "2026-01-05"}])
    kinlink("ingest", str(extract), "--agency", "social-care")
    before = kinlink("queue", "--as-of", "2026-04-01", "--format", "csv")
    assert before.strip() == ""  # a review not yet due is nobody's wait
    rows = list(csv.DictReader(io.StringIO(kinlink("queue", "--as-of", "2026-04-20",
                                                   "--format", "csv"))))
    assert [(r["referral_id"], r["waiting_for"], r["state"], r["due"][:10]) for r in rows] == [
        ("R1", "review", "overdue", "2026-04-05")]
