"""A child's chronology on the hand-built borough, and through the CLI in every format."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from typer.testing import CliRunner

from kinlink.chronology import About, EventKind, Filters, build_chronology
from kinlink.cli import app
from kinlink.store import Store

from .conftest import AMY, AS_OF, BEN, DANIEL, KEVIN, LISA

runner = CliRunner()


def test_events_of_the_child_and_the_adults_near_them_in_order(borough: Store) -> None:
    c = build_chronology(borough, AMY, as_of=AS_OF)
    dated = [e.on for e in c.events if e.on is not None]
    assert dated == sorted(dated)
    kinds = {(e.kind, e.subject.person_id) for e in c.events}
    assert (EventKind.BIRTH, AMY) in kinds
    for kind in (EventKind.REFERRAL, EventKind.DECISION, EventKind.ASSESSMENT_STARTED,
                 EventKind.ASSESSMENT_AUTHORISED, EventKind.CASE_CLOSED, EventKind.INCIDENT):
        assert (kind, AMY) in kinds, kind
    assert (EventKind.MARKER_STARTED, DANIEL) in kinds
    joined = next(e for e in c.events if e.kind is EventKind.JOINED_HOUSEHOLD)
    assert (joined.on, joined.subject.person_id, joined.subject.about) == (
        date(2026, 5, 2), KEVIN, About.ADULT)
    assert joined.subject.relation == "household member"
    assert (joined.agency, joined.record, joined.table) == (
        "social-care", "social-care:SC4", "relationships")
    incident = next(e for e in c.events if e.kind is EventKind.INCIDENT)
    assert incident.record == "police:INC1" and incident.subject.about is About.CHILD
    assert "the child (child-present)" in incident.summary
    assert "parent Danny Hughes (suspect)" in incident.summary or "(suspect)" in incident.summary
    decision = next(e for e in c.events if e.kind is EventKind.DECISION)
    assert decision.on == date(2025, 3, 10) and "no further action" in decision.summary
    marker = next(e for e in c.events if e.kind is EventKind.MARKER_STARTED
                  and e.subject.person_id == DANIEL)
    assert (marker.agency, marker.record, marker.subject.relation) == (
        "police", "police:P1", "parent")


def test_missing_dates_are_flagged_not_dropped(borough: Store) -> None:
    amy = build_chronology(borough, AMY, as_of=AS_OF)
    undated = {(e.kind, e.subject.person_id) for e in amy.undated}
    assert (EventKind.MARKER_STARTED, LISA) in undated  # mental health, no start date
    assert (EventKind.RELATIONSHIP_BEGAN, KEVIN) in undated  # partner of Lisa, no start
    assert all(e.date_missing for e in amy.events[-len(amy.undated):])  # listed last
    ben = build_chronology(borough, BEN, as_of=AS_OF)
    decision = [e for e in ben.undated if e.kind is EventKind.DECISION]
    assert len(decision) == 1 and "REF9" in decision[0].summary


def test_filters_by_date_agency_and_kind_keep_undated_events(borough: Store) -> None:
    c = build_chronology(borough, AMY, as_of=AS_OF, filters=Filters(
        since=date(2025, 3, 10), until=date(2025, 6, 1)))
    dated = {e.on for e in c.events if e.on}
    assert min(dated) == date(2025, 3, 10) and max(dated) == date(2025, 6, 1)  # boundaries kept
    assert c.undated
    police = build_chronology(borough, AMY, as_of=AS_OF, filters=Filters(
        agencies=frozenset({"police"})))
    assert {e.agency for e in police.events} == {"police"}
    referrals = build_chronology(borough, AMY, as_of=AS_OF, filters=Filters(
        kinds=frozenset({EventKind.REFERRAL})))
    assert [e.record for e in referrals.events] == ["social-care:REF1", "social-care:REF2"]


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_table_and_csv(borough: Store, tmp_path: Path) -> None:
    table = _run("chronology", AMY, "--as-of", "2026-11-01")
    assert "Amy Clarke" in table and "2 events have no date: listed last" in table
    rows = list(csv.DictReader(io.StringIO(_run("chronology", AMY, "--as-of", "2026-11-01",
                                                "--format", "csv", "--kind", "referral",
                                                "--kind", "incident"))))
    assert [r["kind"] for r in rows] == ["referral", "incident", "referral"]
    assert rows[1]["record"] == "police:INC1" and rows[1]["about"] == "child"
    out = tmp_path / "amy.csv"
    _run("chronology", AMY, "--format", "csv", "--out", str(out), "--agency", "social-care",
         "--since", "2026-01-01")
    written = list(csv.DictReader(out.open()))
    assert written and {r["agency"] for r in written} == {"social-care"}
    assert all(r["date"] >= "2026-01-01" or r["date_missing"] == "true" for r in written)


def test_cli_html(borough: Store, tmp_path: Path) -> None:
    out = tmp_path / "amy.html"
    _run("chronology", AMY, "--as-of", "2026-11-01", "--format", "html", "--out", str(out))
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Chronology of Amy Clarke" in page
    assert page.count("<tr class=") == len(build_chronology(borough, AMY, as_of=AS_OF).events)
    assert "date missing" in page and "http" not in page  # no external request


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_cli_pdf_renders_a_page_that_is_not_blank(borough: Store, tmp_path: Path) -> None:
    out = tmp_path / "amy.pdf"
    _run("chronology", AMY, "--as-of", "2026-11-01", "--format", "pdf", "--out", str(out))
    assert out.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(out),
                    str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(page.histogram()[:128]) / (page.width * page.height)
    assert ImageStat.Stat(page).stddev[0] > 10 and dark > 0.01  # text on it, not a blank page


def test_cli_mistakes_are_one_line_errors(borough: Store, tmp_path: Path) -> None:
    for args, message in (
            (["chronology", AMY, "--format", "pdf"], "--format pdf needs --out"),
            (["chronology", AMY, "--since", "March"], "--since"[2:]),
            (["chronology", AMY, "--kind", "party"], "unknown event kind 'party'"),
            (["chronology", "P9999999"], "no person 'P9999999'"),
            (["chronology", AMY, "--format", "csv", "--out", str(tmp_path / "no" / "x.csv")],
             "cannot write")):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
