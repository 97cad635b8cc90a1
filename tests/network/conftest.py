"""The hand-written borough of `tests/data/network/`, ingested for real, and resolved as
`record_persons.csv` says (what `kinlink resolve` would have written).

Tests name the persons as `record_persons.csv` does: Amy P0000001, Lisa P0000002, Daniel
P0000003, Kevin P0000004, Jordan P0000005, Mark P0000006; the date asked about is
2026-11-01 (see tests/data/network/README.md)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kinlink.ingest import ingest_extract
from kinlink.network import build_network
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons

DATA = Path(__file__).parent.parent / "data" / "network"


def resolve_as(store: Store, mapping: dict[tuple[str, str], str] | None = None) -> None:
    """Write record_persons from the CSV, with some records moved to other persons."""
    rows: list[dict[str, Any]] = [dict(r, cluster_confidence=float(r["cluster_confidence"]))
                                  for r in csv.DictReader((DATA / "record_persons.csv").open())]
    for row in rows:
        row["person_id"] = (mapping or {}).get((row["agency"], row["record_id"]),
                                               row["person_id"])
    with store.begin() as conn:
        conn.execute(record_persons.delete())
        conn.execute(record_persons.insert(), rows)


def ingest_borough(store: Store) -> None:
    for agency in ("police", "social-care", "health", "education"):
        report = ingest_extract(store, DATA / agency, agency)
        assert not report.problems


@pytest.fixture(name="resolve_as")
def resolve_as_fixture() -> Callable[..., None]:
    """`resolve_as(store, {(agency, record_id): person_id})`: re-resolve the borough."""
    return resolve_as


@pytest.fixture(name="ingest_borough")
def ingest_borough_fixture() -> Callable[[Store], None]:
    return ingest_borough


@pytest.fixture
def borough(store: Store) -> Store:
    """The store holding the small borough, resolved, its network built."""
    ingest_borough(store)
    resolve_as(store)
    build_network(store)
    return store
