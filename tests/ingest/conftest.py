"""Fixtures for the ingest tests: the fixed test extracts, extracts written on the fly,
and store snapshots."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kinlink.store import Store
from kinlink.store.schema.source import SOURCE_TABLES, ingest_runs, quarantine

MakeExtract = Callable[[dict[str, str | bytes]], Path]
_DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"


@dataclass(frozen=True)
class Extracts:
    """Where the fixed extracts are."""

    good: Path = _DATA / "good"  # every table, every row valid
    corrected: Path = _DATA / "corrected"  # people.csv of `good` with one change and one new
    examples: Path = Path(__file__).resolve().parents[2] / "examples" / "borough-mini"


@pytest.fixture
def extracts() -> Extracts:
    return Extracts()


@pytest.fixture
def make_extract(tmp_path: Path) -> MakeExtract:
    """Write an extract folder from {file name: text or bytes}; returns the folder."""
    count = 0

    def make(files: dict[str, str | bytes]) -> Path:
        nonlocal count
        count += 1
        folder = tmp_path / f"extract{count}"
        folder.mkdir()
        for file_name, content in files.items():
            path = folder / file_name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    return make


def table_counts(store: Store) -> dict[str, int]:
    """Rows in every table ingest writes: what a refused extract must leave unchanged."""
    tables = [*SOURCE_TABLES.values(), quarantine, ingest_runs]
    with store.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables}


@pytest.fixture
def counts() -> Callable[[Store], dict[str, int]]:
    """`counts(store)`: rows in every table ingest writes."""
    return table_counts
