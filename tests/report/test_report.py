"""`kinlink report` on the hand-built borough, through the core: its figures are the
commands' figures, counted by hand too; it is logged as a disclosure; the same inputs give
the same report; the PDF's pages show something.

The figures are compared with what `kinlink queue`, `kinlink alerts`, `kinlink timeliness`
and `kinlink quality show` print for the same date, through the real CLI."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from kinlink.cli import app
from kinlink.config import get_settings
from kinlink.core import FixedClock, Forbidden, Kinlink, Role
from kinlink.core.actors import Actor
from kinlink.ingest import ingest_extract
from kinlink.network import list_alerts, set_alert_status
from kinlink.quality.scores import list_runs
from kinlink.report import Report
from kinlink.store import Store

from .conftest import ANALYST, AS_OF, DATA, kinlink, runner


def _without_stamp(html: str) -> str:
    return re.sub(r'<div id="generation-stamp">.*?</div>', "", html, flags=re.S)


def _report(kl: Kinlink) -> Report:
    """What `kinlink report` does: the rules (reused when unchanged), then the report."""
    run = kl.quality.run(ANALYST, as_of=AS_OF, reuse=True)
    return kl.report.produce(ANALYST, as_of=AS_OF, quality_run_id=run.id)


def test_figures_are_the_commands_figures(kl: Kinlink) -> None:
    figures = _report(kl).figures
    queue = json.loads(kinlink("queue", "--as-of", AS_OF.isoformat(), "--format", "json"))
    assert [(i.rank, i.referral_id, i.waited_days, i.state) for i in figures.queue] == [
        (r["rank"], r["referral_id"], r["working_days_waited"], r["state"]) for r in queue]
    table = kinlink("queue", "--as-of", AS_OF.isoformat())
    assert (f"{len(figures.waiting)} waiting, {len(figures.overdue)} overdue, "
            f"{len(figures.not_recorded)} probably not recorded") in table
    alerts = json.loads(kinlink("alerts", "--format", "json", "--limit", "1000"))
    assert [(a.id, a.type, a.status) for a in figures.alerts] == [
        (a["id"], a["type"], a["status"]) for a in alerts]
    shown = json.loads(kinlink("quality", "show", "--format", "json"))
    assert shown["run"] == figures.quality_run.id
    assert [s.as_row() for s in figures.quality_by_agency] == shown["scores"]
    timeliness = json.loads(kinlink("timeliness", "--to", AS_OF.isoformat(), "--as-of",
                                    AS_OF.isoformat(), "--format", "json"))
    total = timeliness["groups"][-1]
    assert figures.breached == sum(total[f"{c}_completed"] - total[f"{c}_in_time"]
                                   for c in figures.timeliness.clocks)


def test_figures_as_counted_by_hand(kl: Kinlink) -> None:
    f = _report(kl).figures
    # R3 (Leo, assessment since 3 August) and R2 (Leo, decision since 28 October) overdue;
    # R1 (Ella, assessment) open; R4 closed.
    assert {(i.referral_id, i.state) for i in f.waiting} == {
        ("R3", "overdue"), ("R2", "overdue"), ("R1", "open")}
    # R5: no decision since 2 March, nothing recorded since: set apart, not a wait.
    assert [i.referral_id for i in f.not_recorded] == ["R5"]
    # Leo has three referrals within a year (R5, R3, R2): a second-look prompt.
    assert {t: sum(c.values()) for t, c in f.alert_counts.items()} == {
        "unlinked-risk": 1, "split-identity": 1, "wrong-place": 1, "second-look": 1,
        "breach": 0}
    [hidden] = f.hidden_risks
    assert hidden.summary == ("child P0000001: household member P0000006 has drug-misuse, on "
                              "a record no agency links to the child (missing-link)")
    assert f.quality_count("probable-duplicate") == 2
    assert f.persons == 6
    assert f.breached == 0  # R1's and R4's decisions were made the day they came in
    assert not f.network.stale


def test_the_report_is_logged_as_a_disclosure(kl: Kinlink) -> None:
    _report(kl)
    [entry] = kl.audit_log.search(action="report.produce")
    assert (entry.kind, entry.username, entry.outcome) == ("disclosure", ANALYST.username,
                                                           "allowed")
    assert entry.detail == {"as_of": AS_OF.isoformat(), "quality_run": 1}
    with pytest.raises(Forbidden):
        kl.report.produce(Actor("pc.plod", Role.POLICE_OFFICER, "police"), as_of=AS_OF)
    assert kl.audit_log.search(action="report.produce")[-1].outcome == "refused"


def test_what_happened_to_an_alert_is_in_the_report(kl: Kinlink, borough: Store) -> None:
    [alert] = list_alerts(borough, type="unlinked-risk")
    set_alert_status(borough, alert.id, "acknowledged", actor="asmith",
                     reason="strategy discussion booked")
    report = _report(kl)
    [line] = report.figures.hidden_risks
    assert line.status == "acknowledged"
    assert line.last_change.startswith("acknowledged by asmith on ")
    assert "strategy discussion booked" in report.html


def test_the_same_inputs_give_the_same_report(kl: Kinlink, borough: Store) -> None:
    first = _report(kl)
    clock = kl.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(hours=5))
    second = _report(kl)
    assert len(list_runs(borough)) == 1  # the second report reused the quality run
    assert first.html != second.html  # only the stamp differs...
    assert _without_stamp(first.html) == _without_stamp(second.html)  # ...and nothing else
    assert "Generated 2026-11-03 09:00:00 UTC" in first.html
    digest = hashlib.sha256((DATA / "police" / "incidents.csv").read_bytes()).hexdigest()
    assert digest in first.html  # the extracts it rests on, by file hash


def test_a_stale_network_is_reported_not_rebuilt(kl: Kinlink, borough: Store) -> None:
    ingest_extract(borough, DATA / "health", "health", today=AS_OF)
    report = _report(kl)
    assert report.figures.network.stale
    assert "Read with care" in report.html


def _page_is_blank(png: Path) -> bool:
    image = Image.open(png).convert("L")
    dark = sum(image.histogram()[:200])  # pixels clearly darker than the white page
    return dark < 0.005 * image.width * image.height


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="needs pdftoppm (Debian's poppler-utils; scripts/test.sh installs it)")
def test_report_command_writes_html_and_a_pdf_whose_pages_are_not_blank(
        borough: Store, tmp_path: Path) -> None:
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    out = kinlink("report", "--out", str(html), "--pdf", str(pdf), "--as-of", AS_OF.isoformat())
    assert "3 children waiting (2 overdue, 1 more probably not recorded), 4 alerts" in out
    assert html.read_text().startswith("<!DOCTYPE html>")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 7  # a page per section
    assert not [p.name for p in pages if _page_is_blank(p)]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "3 children are waiting" in text and "2 of them are past" in text
    assert "Referrals probably not recorded" in text and "R5" in text


def test_report_needs_somewhere_to_write(borough: Store, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 1 and "--out report.html" in result.output
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "no" / "r.html")])
    assert result.exit_code == 1 and "no folder" in result.output
    assert "Traceback" not in result.output


def test_a_team_manager_reports_the_newest_run_without_running_the_rules(
        kl: Kinlink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = kl.quality.run(ANALYST, as_of=AS_OF)
    kl.users.add(Actor("root", Role.ADMINISTRATOR), "tm", role="team-manager")
    monkeypatch.setenv("KINLINK_CLI_USER", "tm")
    get_settings.cache_clear()
    out = kinlink("report", "--out", str(tmp_path / "r.html"), "--as-of", AS_OF.isoformat())
    assert f"data-quality run {run.id}" in out
    [entry] = kl.audit_log.search(action="report.produce")
    assert (entry.username, entry.detail) == ("tm", {"as_of": AS_OF.isoformat()})
    assert kl.audit_log.search(action="quality.run")[-1].outcome == "refused"
