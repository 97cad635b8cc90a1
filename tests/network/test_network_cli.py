"""The commands, through the real CLI on the small borough."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.store import Store

# The borough's persons, as tests/data/network/record_persons.csv resolves them.
AMY, LISA, DANIEL, KEVIN, JORDAN, MARK = (f"P000000{i}" for i in range(1, 7))
AS_OF = date(2026, 11, 1)

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_network_text_json_and_picture(borough: Store, tmp_path: Path) -> None:
    out = " ".join(_run("network", AMY, "--as-of", "2026-11-01", "--picture",
                        str(tmp_path / "amy.svg")).split())
    assert "Amy Clarke" in out and "Daniel Hughes" in out and "NOT linked" in out
    assert (tmp_path / "amy.svg").read_text().lstrip().startswith("<?xml")
    data = json.loads(_run("network", AMY, "--as-of", "2026-11-01", "--json"))
    assert data["risk"]["level"] == "high" and data["adults"][0]["person"]["person_id"] == DANIEL
    _run("network", AMY, "--as-of", "2026-11-01", "--picture", str(tmp_path / "amy.png"))
    assert (tmp_path / "amy.png").read_bytes()[:4] == b"\x89PNG"


def test_user_mistakes_are_one_line_errors(borough: Store, tmp_path: Path) -> None:
    for args in (["network", "P9999999"], ["network", AMY, "--as-of", "1 Nov"],
                 ["network", AMY, "--picture", str(tmp_path / "x.gif")],
                 ["alerts", "--status", "closed"],
                 ["alerts", "ack", "999", "--reason", "r"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, args
        assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_alerts_list_change_and_formats(borough: Store) -> None:
    _run("alerts", "recompute", "--as-of", "2026-11-01")
    rows = json.loads(_run("alerts", "--format", "json", "--type", "unlinked-risk"))
    assert len(rows) == 3
    listed = list(csv.DictReader(_run("alerts", "--format", "csv", "--status", "open")
                                 .splitlines()))
    assert len(listed) == 7 and listed[0]["summary"]
    alert_id = str(rows[0]["id"])
    _run("alerts", "ack", alert_id, "--reason", "seen")
    assert "acknowledged" in _run("alerts", "--status", "acknowledged")
    _run("alerts", "resolve", alert_id, "--reason", "done")
    history = json.loads(_run("alerts", "show", alert_id))["history"]
    assert [h["to_status"] for h in history] == ["open", "acknowledged", "resolved"]
    # The change is made as the user the CLI acts as (the built-in administrator here).
    assert history[-1]["actor"] == "kinlink-admin"


def test_reading_never_rebuilds_a_stale_network(borough: Store, ingest_borough) -> None:
    from kinlink.network import network_status

    built = network_status(borough)
    ingest_borough(borough)  # an ingest run after the build: the graph is stale now
    result = runner.invoke(app, ["network", AMY, "--as-of", "2026-11-01"])
    assert result.exit_code == 0 and "kinlink alerts recompute" in result.stderr
    after = network_status(borough)
    assert after.stale and after.build_id == built.build_id


def test_exports(borough: Store, tmp_path: Path) -> None:
    _run("export", "links", "--out", str(tmp_path / "links.csv"), "--as-of", "2026-11-01")
    links = list(csv.DictReader((tmp_path / "links.csv").open()))
    assert list(links[0]) == ["child_person_id", "adult_person_id", "relationship",
                              "recorded_or_inferred", "markers", "evidence"]
    daniel = next(r for r in links if (r["child_person_id"], r["adult_person_id"]) ==
                  (AMY, DANIEL))
    assert daniel["relationship"] == "parent" and daniel["recorded_or_inferred"] == "recorded"
    assert daniel["markers"] == ("domestic-abuse-perpetrator;drug-misuse;"
                                 "non-molestation-order-respondent")
    assert "police:P1" in daniel["evidence"].split(";")
    _run("export", "persons", "--out", str(tmp_path / "persons.csv"))
    persons = list(csv.DictReader((tmp_path / "persons.csv").open()))
    assert len(persons) == 15
    assert {"agency": "police", "record_id": "P6", "person_id": DANIEL} in persons


def test_help_texts() -> None:
    for args in (["network"], ["alerts"], ["alerts", "recompute"], ["alerts", "ack"],
                 ["export", "links"], ["export", "persons"]):
        assert "Usage" in _run(*args, "--help")
