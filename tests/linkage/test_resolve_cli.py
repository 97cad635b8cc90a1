"""`kinlink resolve PEOPLE.csv --out OUT.csv`: a standalone file, trained on itself."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.synth import generate

runner = CliRunner()


@pytest.fixture(scope="module")
def people_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two people files from a small borough: health alone (no agency column), and
    health with education (an agency column), with the truth behind both."""
    out = tmp_path_factory.mktemp("borough")
    generate(out, people=300, seed=5)
    plain = out / "health-people.csv"
    plain.write_bytes((out / "health" / "people.csv").read_bytes())
    mixed = out / "mixed-people.csv"
    with mixed.open("w", newline="") as f:
        writer: csv.DictWriter[str] | None = None
        for agency in ("health", "education"):
            with (out / agency / "people.csv").open() as source:
                for row in csv.DictReader(source):
                    row = {"agency": agency, "record_id": row["record_id"],
                           "first_name": row["first_name"], "surname": row["surname"],
                           "dob": row["dob"], "postcode": row.get("postcode", "")}
                    if writer is None:
                        writer = csv.DictWriter(f, fieldnames=list(row))
                        writer.writeheader()
                    writer.writerow(row)
    return plain, mixed


def read(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def test_file_without_agency(people_files: tuple[Path, Path], tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINLINK_HOME", str(tmp_path / "home"))
    plain, _ = people_files
    out = tmp_path / "out" / "persons.csv"
    result = runner.invoke(app, ["resolve", str(plain), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = read(out)
    assert list(rows[0]) == ["record_id", "person_id", "cluster_size"]
    assert [r["record_id"] for r in rows] == [r["record_id"] for r in read(plain)]
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r["person_id"]] = sizes.get(r["person_id"], 0) + 1
    assert all(int(r["cluster_size"]) == sizes[r["person_id"]] for r in rows)
    assert rows[0]["person_id"] == "P0000001"
    assert not (tmp_path / "home" / "kinlink.db").exists()  # nothing stored


def test_file_with_agency_links_across_agencies(people_files: tuple[Path, Path],
                                                tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINLINK_HOME", str(tmp_path / "home"))
    _, mixed = people_files
    out = tmp_path / "persons.csv"
    result = runner.invoke(app, ["resolve", str(mixed), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = read(out)
    assert list(rows[0]) == ["agency", "record_id", "person_id", "cluster_size"]
    agencies_of: dict[str, set[str]] = {}
    for r in rows:
        agencies_of.setdefault(r["person_id"], set()).add(r["agency"])
    # Most school children are also registered with a GP: many persons span both.
    assert sum(1 for a in agencies_of.values() if len(a) == 2) > 50


@pytest.mark.parametrize(("args", "message"), [
    (["resolve", "--out", "x.csv"], "--out is only for resolving a file"),
    (["resolve", "{people}"], "needs --out"),
    (["resolve", "{people}", "--out", "o.csv", "--engine", "sqlite"], "unknown engine"),
    (["resolve", "{people}", "--out", "o.csv", "--retrain"], "--retrain is for store mode"),
    (["resolve", "{people}", "--out", "o.csv", "--threshold", "0"], "threshold"),
    (["resolve", "{missing}", "--out", "o.csv"], "no such file"),
    (["resolve", "{bad}", "--out", "o.csv"], "missing required column(s): surname"),
])
def test_resolve_mistakes_are_one_line_errors(args: list[str], message: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINLINK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KINLINK_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    people = tmp_path / "people.csv"
    people.write_text("record_id,first_name,surname\n1,Ann,Lee\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,first_name\n1,Ann\n")
    paths = {"people": people, "missing": tmp_path / "nope.csv", "bad": bad}
    result = runner.invoke(app, [a.format(**paths) for a in args])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
