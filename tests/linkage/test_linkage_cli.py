"""`kinlink train` and `kinlink match` run against a real store."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.linkage import LinkageModel, load_model, save_model
from kinlink.store import Store

runner = CliRunner()


def test_train_saves_a_model_and_its_charts(borough_store: Store) -> None:
    result = runner.invoke(app, ["train", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "Trained model version 1 on 807 records" in result.output
    model = load_model(borough_store)
    assert all(Path(p).exists() for p in model.charts.values())


def test_train_refuses_an_unknown_engine(borough_store: Store) -> None:
    result = runner.invoke(app, ["train", "--engine", "excel"])
    assert result.exit_code == 1
    assert "Error: unknown engine 'excel'" in result.output


def test_match_needs_a_trained_model(borough_store: Store) -> None:
    result = runner.invoke(app, ["match", "--first-name", "Ann"])
    assert result.exit_code == 1
    assert "no trained linkage model" in result.output
    assert "Traceback" not in result.output


def test_match_one_person_by_options(borough_store: Store, trained_model: LinkageModel,
                                     borough_dir: Path) -> None:
    save_model(borough_store, trained_model)
    person = _first_health_person(borough_dir)
    result = runner.invoke(app, ["match", "--first-name", person["first_name"], "--surname",
                                 person["surname"], "--dob", person["dob"]])
    assert result.exit_code == 0, result.output
    assert f"health:{person['record_id']}" in result.output.replace("\n", "")


def test_match_a_file_of_queries(borough_store: Store, trained_model: LinkageModel,
                                 tmp_path: Path, borough_dir: Path) -> None:
    save_model(borough_store, trained_model)
    person = _first_health_person(borough_dir)
    queries = tmp_path / "queries.csv"
    queries.write_text("record_id,first_name,surname,dob\n"
                       f"q1,{person['first_name']},{person['surname']},{person['dob']}\n"
                       "q2,Xq,Zzyzx,1901-01-01\n")
    out = tmp_path / "matches.csv"
    result = runner.invoke(app, ["match", "--input", str(queries), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Matched 2 queries" in result.output and "p95" in result.output
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["record_id"] == "q1"
    assert rows[0]["candidate_uid"] == f"health:{person['record_id']}"
    assert float(rows[0]["probability"]) > 0.9
    assert {r["record_id"] for r in rows} == {"q1"}


def test_match_file_errors_name_the_row(borough_store: Store, trained_model: LinkageModel,
                                        tmp_path: Path) -> None:
    save_model(borough_store, trained_model)
    queries = tmp_path / "queries.csv"
    queries.write_text("record_id,first_name,surname,dob\nq1,Ann,Lee,1990-02-31\n")
    result = runner.invoke(app, ["match", "--input", str(queries), "--out",
                                 str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    assert "row 1, field 'dob'" in result.output
    result = runner.invoke(app, ["match", "--input", str(queries)])
    assert result.exit_code == 1 and "--out" in result.output


def _first_health_person(borough_dir: Path) -> dict[str, str]:
    with (borough_dir / "health" / "people.csv").open() as f:
        return next(r for r in csv.DictReader(f) if r["dob"] and len(r["dob"]) == 10)


def test_match_into_a_missing_folder_is_one_line(borough_store: Store,
                                                trained_model: LinkageModel,
                                                tmp_path: Path) -> None:
    save_model(borough_store, trained_model)
    queries = tmp_path / "queries.csv"
    queries.write_text("record_id,first_name,surname,dob\nq1,Ann,Lee,1990-02-03\n")
    result = runner.invoke(app, ["match", "--input", str(queries), "--out",
                                 str(tmp_path / "missing" / "out.csv")])
    assert result.exit_code == 1, result.output
    error = result.output.strip().splitlines()[-1]  # after the index refresh's line
    assert error.startswith("Error:") and "does not exist" in error
    assert "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()
