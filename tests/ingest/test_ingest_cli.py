"""`kinlink ingest`, `quarantine` and `status` through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.config import Settings
from kinlink.store import Store

runner = CliRunner()
PEOPLE_HEADER = "record_id,first_name,surname,dob,sex,postcode,nhs_number\n"


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_ingest_prints_a_summary_and_the_first_quarantined_rows(
        settings: Settings, extracts) -> None:
    police = str(extracts.examples / "police")
    code, out, _ = _run("ingest", police, "--agency", "police", "--no-progress")
    assert code == 0
    for heading in ("read", "new", "changed", "unchanged", "quarantined"):
        assert heading in out
    assert "people.csv" in out and "incident_people.csv" in out
    assert "P-1099" in out
    assert "19 new" in out and "1 quarantined" in out
    assert "1 wrong values stored as unknown (see" in " ".join(out.split())

    code, out, _ = _run("ingest", police, "-a", "police", "--no-progress")
    assert code == 0 and "0 new and 0 changed" in out and "19 unchanged" in out
    code, out, _ = _run("findings", "--agency", "police", "-f", "json")
    [finding] = json.loads(out)
    assert (finding["area"], finding["table_name"], finding["record_key"]) == (
        "ingest", "people", "P-1005")
    assert finding["reason"] == ("people.csv row 5: dob '2031-01-01' is in the future; "
                                 "stored as unknown")
    code, out, _ = _run("findings", "--area", "ingest")
    assert code == 0 and "P-1005" in out and "2031-01-01" in " ".join(out.split())


def test_refused_extract_exits_1_with_one_error_line(
        settings: Settings, store: Store, make_extract, extracts, counts) -> None:
    bad = make_extract({"people.csv": PEOPLE_HEADER.encode() + b"p1,Zo\xeb,Lee,1990,F,,\n"})
    code, out, err = _run("ingest", str(bad), "--agency", "police")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: people.csv: not UTF-8")
    assert "Traceback" not in out + err
    assert sum(counts(store).values()) == 0
    code, _, err = _run("ingest", str(extracts.good), "--agency", "Police")
    assert code == 1 and err.startswith("Error:") and "agency name" in err
    code, _, err = _run("ingest", str(bad / "nothing-here"), "--agency", "police")
    assert code == 1 and "no such file or folder" in err


def test_quarantine_and_status_as_table_csv_and_json(settings: Settings, extracts) -> None:
    code, out, _ = _run("status")
    assert code == 0 and "Nothing loaded" in out
    _run("ingest", str(extracts.examples / "social-care"), "-a", "social-care", "--no-progress")
    _run("ingest", str(extracts.examples / "education"), "-a", "education", "--no-progress")
    code, out, _ = _run("quarantine")
    assert code == 0 and "primary_need" in out
    code, out, _ = _run("quarantine", "--agency", "education", "--format", "json")
    assert json.loads(out) == []  # E-3003's wrong UPN is set aside: the pupil is kept
    code, out, _ = _run("findings", "--agency", "education", "-f", "csv")
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["record_key"] == "E-3003" and "row 3: upn" in row["reason"]
    code, out, _ = _run("quarantine", "--table", "referrals", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["agency"], r["row"], r["field"]) for r in rows] == [
        ("social-care", "4", "primary_need")]
    code, out, _ = _run("quarantine", "--limit", "1", "-f", "json")
    assert len(json.loads(out)) == 1
    code, _, err = _run("quarantine", "--table", "nope")
    assert code == 1 and "unknown table" in err

    # status: what is loaded per agency and table
    _run("ingest", str(extracts.examples / "police"), "-a", "police", "--no-progress")
    code, out, _ = _run("status", "--format", "json")
    status = {(s["agency"], s["table"]): s for s in json.loads(out)}
    assert status["police", "people"]["current_rows"] == 5
    assert status["police", "people"]["quarantined"] == 0
    assert status["police", "relationships"]["quarantined"] == 1
    assert status["police", "incidents"]["versions"] == 1
    assert status["police", "people"]["last_ingest"]
    code, out, _ = _run("status")
    assert code == 0 and "police" in out and "risk_markers" in out


@pytest.mark.parametrize("command", [["ingest"], ["quarantine"], ["findings"], ["status"]])
def test_every_command_explains_itself(command: list[str]) -> None:
    code, out, _ = _run(*command, "--help")
    assert code == 0 and "Usage" in out
    assert "--format" in out or "--agency" in out
