"""Property tests: malformed rows and files never crash ingest, never lose a usable row and
never store a bad value. SQLite only, one store per test shared by its examples (each
example checks what it changed, not absolute counts)."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.config import get_settings
from kinlink.errors import InputError
from kinlink.ingest import ingest_extract, list_quarantine
from kinlink.store import Store
from kinlink.store.schema.source import SOURCE_TABLES, ingest_runs, people, quarantine

TODAY = date(2026, 11, 25)
COLUMNS = ["record_id", "first_name", "surname", "dob", "sex", "postcode", "nhs_number"]
SHARED = settings(max_examples=40, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])
_serial = itertools.count()


@pytest.fixture
def sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """One SQLite store for all examples of a test, also named in the environment for the CLI."""
    url = f"sqlite:///{tmp_path / 'kinlink.db'}"
    monkeypatch.setenv("KINLINK_DATABASE_URL", url)
    get_settings.cache_clear()
    store = Store(url)
    store.upgrade()
    yield store
    store.dispose()
    get_settings.cache_clear()


def _nhs(digits: str) -> str:
    """`digits` (9 of them) with its check digit, or None-like '' when none exists."""
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11
    return "" if check == 10 else digits + str(0 if check == 11 else check)


# Each field: a strategy of good values and one of bad values.
_name_chars = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t")
GOOD = {
    "first_name": st.text(_name_chars, max_size=12),
    "surname": st.text(_name_chars, max_size=12),
    "dob": st.one_of(
        st.dates(date(1910, 1, 1), date(2026, 1, 1)).map(date.isoformat),
        st.integers(1910, 2025).map(str),
        st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1910, 2025), st.integers(1, 12)),
        st.just("")),
    "sex": st.sampled_from(["F", "M", "U", "f", "male", " ", ""]),
    "postcode": st.sampled_from(["KL1 2AB", "kl12ab", " SW1A 1AA ", "B91", ""]),
    "nhs_number": st.one_of(st.just(""), st.from_regex(r"\A999[0-9]{6}\Z").map(_nhs)),
}
BAD = {
    "first_name": st.builds(lambda a, c, b: a + c + b, st.text(_name_chars, max_size=4),
                            st.sampled_from(["\x00", "\x07", "\x1b", "\x7f"]),
                            st.text(_name_chars, max_size=4)),
    "dob": st.sampled_from(["2099-01-01", "1800", "2020-02-30", "31/01/2000", "abc", "2020-13",
                            "19900", "2027"]),
    "sex": st.sampled_from(["X", "2", "fem", "MF"]),
    "postcode": st.sampled_from(["12345", "ZZ", "KL1 2AB 3", "K-L1"]),
    "nhs_number": st.sampled_from(["123", "99912345678", "abcdefghij"])
    | st.from_regex(r"\A999[0-9]{6}\Z").map(_nhs).filter(bool).map(
        lambda n: n[:9] + str((int(n[9]) + 1) % 10)),
}


SET_ASIDE = {"dob", "sex", "postcode", "nhs_number"}
"""Fields whose bad value is stored as unknown, keeping the row."""


@st.composite
def person_rows(draw: st.DrawFn) -> tuple[dict[str, str], bool, int]:
    """One people row, whether it is kept, and how many of its values are set aside.

    A row is kept unless a name is bad (control characters) or nothing usable is left:
    no name and no good NHS number."""
    bad_fields = draw(st.sets(st.sampled_from(sorted(BAD)), max_size=2))
    row = {"record_id": f"r{next(_serial)}"}
    for column in COLUMNS[1:]:
        strategy = BAD[column] if column in bad_fields else GOOD.get(column, st.just(""))
        row[column] = draw(strategy)
    good_id = bool(row["nhs_number"].strip()) and "nhs_number" not in bad_fields
    usable = bool(row["first_name"].strip() or row["surname"].strip() or good_id)
    kept = usable and "first_name" not in bad_fields
    return row, kept, len(bad_fields & SET_ASIDE) if kept else 0


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _stored(store: Store, run_id: int) -> dict[str, str | None]:
    with store.connect() as conn:
        rows = conn.execute(select(people.c.record_id, people.c.first_name)
                            .where(people.c.ingest_run_id == run_id))
        return {r.record_id: r.first_name for r in rows}


@SHARED
@given(rows=st.lists(person_rows(), min_size=1, max_size=25))
def test_usable_rows_are_stored_and_the_rest_quarantined(
        sqlite_store: Store, tmp_path_factory: pytest.TempPathFactory,
        rows: list[tuple[dict[str, str], bool, int]]) -> None:
    folder = tmp_path_factory.mktemp("extract")
    (folder / "people.csv").write_text(_csv([r for r, _, _ in rows]), encoding="utf-8")
    report = ingest_extract(sqlite_store, folder, "police", today=TODAY)
    kept = {r["record_id"]: r["first_name"].strip() or None for r, ok, _ in rows if ok}
    refused = {r["record_id"] for r, ok, _ in rows if not ok}
    assert _stored(sqlite_store, report.run_id) == kept
    quarantined = {q.raw["record_id"] for q in list_quarantine(sqlite_store, run_id=report.run_id,
                                                               limit=None)}
    assert quarantined == refused
    assert report.total("quarantined") == len(refused) and report.total("new") == len(kept)
    assert report.total("set_aside") == sum(aside for _, _, aside in rows)


@st.composite
def malformed_csv(draw: st.DrawFn) -> bytes:
    """CSV-ish bytes: a header of known and junk names, then rows of awkward text."""
    header = draw(st.lists(st.sampled_from([*COLUMNS, "junk", "", "Record_ID "]), max_size=9))
    cell = st.text(st.characters(exclude_categories=("Cs",)), max_size=8) | st.sampled_from(
        ['"', '""', ",", "\r", "\n", '"unterminated', "9434765919", "2020-01-01"])
    lines = [",".join(header)] + [",".join(draw(st.lists(cell, max_size=10)))
                                  for _ in range(draw(st.integers(0, 6)))]
    data = "\n".join(lines).encode("utf-8")
    if draw(st.booleans()):  # sometimes splice in bytes that are not UTF-8
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


def _parquet_bytes() -> bytes:
    out = io.BytesIO()
    pl.DataFrame({"record_id": ["p1", "p2"], "first_name": ["A", "B"], "surname": ["C", "D"],
                  "dob": ["1990", "2099"]}).write_parquet(out)
    return out.getvalue()


PARQUET = _parquet_bytes()


@SHARED
@given(data=st.one_of(
    malformed_csv().map(lambda b: ("people.csv", b)),
    st.integers(0, len(PARQUET)).map(lambda n: ("people.parquet", PARQUET[:n])),
    st.binary(max_size=200).map(lambda b: ("people.csv", b)),
))
def test_malformed_files_never_crash_the_cli_and_refusals_store_nothing(
        sqlite_store: Store, tmp_path_factory: pytest.TempPathFactory,
        data: tuple[str, bytes]) -> None:
    name, content = data
    folder = tmp_path_factory.mktemp("extract")
    (folder / name).write_bytes(content)
    before = _totals(sqlite_store)
    result = CliRunner().invoke(app, ["ingest", str(folder), "--agency", "police"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1
        assert _totals(sqlite_store) == before
    else:
        assert _totals(sqlite_store)[ingest_runs.name] == before[ingest_runs.name] + 1


@SHARED
@given(rows=st.lists(person_rows(), min_size=1, max_size=10), cut=st.integers(0, 400))
def test_truncated_csv_either_loads_what_it_has_or_is_refused(
        sqlite_store: Store, tmp_path_factory: pytest.TempPathFactory,
        rows: list[tuple[dict[str, str], bool, int]], cut: int) -> None:
    text = _csv([r for r, _, _ in rows]).encode("utf-8")[:cut]
    folder = tmp_path_factory.mktemp("extract")
    (folder / "people.csv").write_bytes(text)
    before = _totals(sqlite_store)
    try:
        report = ingest_extract(sqlite_store, folder, "police", today=TODAY)
    except InputError:
        assert _totals(sqlite_store) == before
        return
    assert report.total("read") == report.total("new") + report.total("changed") + report.total(
        "unchanged") + report.total("quarantined")


def _totals(store: Store) -> dict[str, int]:
    with store.connect() as conn:
        return {t.name: len(conn.execute(select(t.c.id)).all())
                for t in (*SOURCE_TABLES.values(), quarantine, ingest_runs)}
