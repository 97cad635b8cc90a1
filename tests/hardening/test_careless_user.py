"""What a careless or hostile user tried (issue 12, item 7): each is one clear line and a
non-zero exit, never a traceback, and never a partial file."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.config import get_settings
from kinlink.errors import LibraryError, StoreError, from_library
from kinlink.ingest import ingest_extract
from kinlink.linkage.engines import check_engine
from kinlink.network import build_network
from kinlink.network.export import PersonRow, columns, write_rows
from kinlink.store import Store

DATA = Path(__file__).parent.parent / "data" / "network"
runner = CliRunner()


def _fails_in_one_line(args: list[str], *, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and result.output.count("\n") == 1, result.output
    return result.output


def _extract(folder: Path, people: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "people.csv").write_text("record_id,first_name,surname,dob\n" + people,
                                       encoding="utf-8")
    return folder


def test_a_record_id_holding_a_semicolon_is_exported_whole(store: Store,
                                                           tmp_path: Path) -> None:
    ingest_extract(store, _extract(tmp_path / "x", 'A;1,Ann,Lee,1980-01-01\n"B,2",Bo,Ng,'
                                                  '1981-01-01\n'), "police")
    build_network(store)
    result = runner.invoke(app, ["export", "persons", "--out", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    with (tmp_path / "p.csv").open(encoding="utf-8", newline="") as f:
        rows = sorted(tuple(r) for r in csv.reader(f))
    assert rows == [("agency", "record_id", "person_id"), ("police", "A;1", "police:A;1"),
                    ("police", "B,2", "police:B,2")]


def test_a_huge_cell_quarantines_only_its_row(store: Store, tmp_path: Path) -> None:
    folder = _extract(tmp_path / "x", "A1,Ann,Lee,1980-01-01\nA2," + "B" * 3_000_000
                      + ",Ng,1981-01-01\nA3,Cat,Roe,1982-01-01\n")
    report = ingest_extract(store, folder, "police")
    people = report.files[0]
    assert (people.new, people.quarantined) == (2, 1)
    assert "field 'first_name' holds 3,000,000 bytes" in report.problems[0].reason


def test_an_agency_name_with_a_line_break_is_refused(store: Store, tmp_path: Path) -> None:
    folder = _extract(tmp_path / "x", "A1,Ann,Lee,1980-01-01\n")
    out = _fails_in_one_line(["ingest", str(folder), "--agency", "police\n"])
    assert "agency name 'police\\n'" in out


def test_export_to_a_full_disk_leaves_no_file(store: Store, tmp_path: Path) -> None:
    ingest_extract(store, DATA / "police", "police")
    build_network(store)
    out = _fails_in_one_line(["export", "persons", "--out", "/dev/full"])
    assert "/dev/full" in out and "No space left" in out


def test_an_export_that_fails_half_way_leaves_the_old_file(tmp_path: Path) -> None:
    """Rows that stop coming half way (the store went away): the old file stays as it was,
    and no temporary file is left behind."""
    target = tmp_path / "persons.csv"
    target.write_text("the previous export\n", encoding="utf-8")

    def rows() -> Iterator[PersonRow]:
        yield PersonRow("police", "P1", "P0000001")
        raise StoreError("the store went away")

    with pytest.raises(StoreError):
        write_rows(target, columns(PersonRow), rows())
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["persons.csv"]
    assert write_rows(target, columns(PersonRow), [PersonRow("police", "P1", "P1")]) == 1
    assert target.read_text(encoding="utf-8").splitlines()[1] == "police,P1,P1"


def test_a_picture_into_a_missing_folder(store: Store, tmp_path: Path) -> None:
    ingest_extract(store, DATA / "police", "police")
    out = _fails_in_one_line(["network", "police:P1", "--picture",
                              str(tmp_path / "missing" / "p.svg")])
    assert "does not exist" in out


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("KINLINK_DATABASE_URL", "oracle://x/y", "names a oracle database"),
    ("KINLINK_DATABASE_URL", "not a url", "is not a database URL"),
    ("KINLINK_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none",
     "Connection refused"),
    ("KINLINK_HOME", "/proc/kinlink", "set KINLINK_HOME to a folder you can write to"),
    ("KINLINK_HOME", "/etc/hostname/kinlink", "set KINLINK_HOME to a folder you can write to"),
    ("KINLINK_ENGINE", "oracle", "KINLINK_ENGINE: unknown engine 'oracle'"),
])
def test_bad_settings_are_one_line(variable: str, value: str, says: str,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KINLINK_DATABASE_URL", raising=False)
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        assert says in _fails_in_one_line(["alerts"])
    finally:
        get_settings.cache_clear()


def test_kinlink_engine_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINLINK_ENGINE", "spark")
    get_settings.cache_clear()
    try:
        assert check_engine(None) == "spark"
        assert check_engine("duckdb") == "duckdb"  # an option given wins
    finally:
        get_settings.cache_clear()


def test_library_errors_become_one_line() -> None:
    import duckdb

    try:
        duckdb.connect().execute("SELECT * FROM no_such_table").fetchall()
    except duckdb.Error as e:
        error = from_library(e)
    assert isinstance(error, LibraryError)
    assert str(error).startswith("the linkage engine (DuckDB) failed: Catalog Error")
    assert "\n" not in str(error)
    assert from_library(KeyError("a bug")) is None  # a bug keeps its traceback


def test_a_splink_error_says_what_the_engine_said() -> None:
    import duckdb
    from splink.internals.exceptions import SplinkException

    try:
        try:
            duckdb.connect().execute("SELECT * FROM no_such_table").fetchall()
        except duckdb.Error as e:
            raise SplinkException("Error executing the following sql for table `t`:\nSELECT") from e
    except SplinkException as e:
        error = from_library(e)
    assert str(error).startswith("the linkage model (Splink) failed: Catalog Error")


def test_json_output_of_a_store_error_is_not_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["alerts"], env={
        "KINLINK_DATABASE_URL": f"sqlite:///{tmp_path}/a/b/../../../nonexistent/kinlink.db",
        "KINLINK_HOME": str(tmp_path)})
    assert "Traceback" not in result.output
    json.dumps(result.output)
