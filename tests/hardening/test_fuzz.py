"""Malformed input, generated (hypothesis), through the ingest parsers and the commands: a
report or one clear error every time, never a crash or a traceback, never half a load."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.errors import KinlinkError
from kinlink.ingest import ingest_extract
from kinlink.ingest.format import TABLES
from kinlink.ingest.loader import check_agency
from kinlink.store import Store
from kinlink.store.lists import decode, encode
from kinlink.store.schema.source import ingest_runs, people

FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PEOPLE = TABLES["people"].column_names
runner = CliRunner()


@contextmanager
def fresh_store() -> Iterator[tuple[Store, Path]]:
    """A migrated SQLite store in a folder of its own (one per generated example)."""
    with tempfile.TemporaryDirectory(prefix="kinlink-fuzz-") as folder:
        store = Store(f"sqlite:///{folder}/kinlink.db")
        store.upgrade()
        try:
            yield store, Path(folder)
        finally:
            store.dispose()


def _count(store: Store, table) -> int:  # type: ignore[no-untyped-def]
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _ingest_or_refuse(name: str, data: bytes) -> None:
    """An extract of one file `name` holding `data`, ingested into a fresh store: a report,
    or a KinlinkError (one line) storing nothing."""
    with fresh_store() as (store, folder):
        extract = folder / "x"
        extract.mkdir()
        (extract / name).write_bytes(data)
        _check_ingest(store, extract)


def _check_ingest(store: Store, folder: Path) -> None:
    try:
        report = ingest_extract(store, folder, "police")
    except KinlinkError as e:
        assert "\n" not in str(e).strip(), str(e)
        assert _count(store, ingest_runs) == 0 and _count(store, people) == 0
        return
    assert report.files, "a report names the files it read"
    assert _count(store, ingest_runs) == 1


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_people_file(data: bytes) -> None:
    _ingest_or_refuse("people.csv", b"record_id,first_name,surname,dob\n" + data)


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes_as_a_parquet_file(data: bytes) -> None:
    _ingest_or_refuse("people.parquet", b"PAR1" + data)


CELLS = st.one_of(st.text(max_size=30), st.sampled_from(
    ["", " ", ";", ";;", "\n", "\r\n", '"', "0", "-1", "2026-02-30", "9999-99-99", "NaN",
     "\x00", "\u202e", "ë", "Łódź", "🙂", "a" * 300, "=cmd|' /C calc'!A0", "null"]))


@FUZZ
@given(st.lists(st.lists(CELLS, min_size=len(PEOPLE), max_size=len(PEOPLE)), max_size=8))
def test_rows_of_odd_values(rows: list[list[str]]) -> None:
    """Every column of the people table, with odd values; good rows load, bad ones are
    quarantined naming the row and field."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(PEOPLE)
    writer.writerows(rows)
    _ingest_or_refuse("people.csv", text.getvalue().encode("utf-8"))


@FUZZ
@given(st.text(max_size=80))
def test_agency_names(name: str) -> None:
    try:
        assert check_agency(name) == name
    except KinlinkError:
        return
    assert name.isascii() and "\n" not in name and name == name.strip()


@FUZZ
@given(st.lists(st.text(max_size=20), max_size=6))
def test_stored_lists_hold_any_value(items: list[str]) -> None:
    assert decode(encode(items)) == items


COMMAND_ARGUMENTS = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=40)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(person=COMMAND_ARGUMENTS, as_of=COMMAND_ARGUMENTS, status=COMMAND_ARGUMENTS)
def test_command_inputs(person: str, as_of: str, status: str) -> None:
    """Person ids, dates and filters a user may type: an answer or one line, exit 0 or 1."""
    with fresh_store() as (_, folder):
        env = {"KINLINK_DATABASE_URL": f"sqlite:///{folder}/kinlink.db",
               "KINLINK_HOME": str(folder)}
        for args in (["network", person, "--as-of", as_of], ["network", person, "--json"],
                     ["alerts", "--status", status], ["alerts", "--agency", person]):
            result = runner.invoke(app, args, env=env)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                args, result.exception)
            assert "Traceback" not in result.output
            assert result.exit_code in (0, 1, 2), (args, result.output)
