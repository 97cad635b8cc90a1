"""The hand-written borough of `tests/data/chronology/` (see its README), ingested for real
and resolved as `record_persons.csv` says (what `kinlink resolve` would have written)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from kinlink.ingest import ingest_extract
from kinlink.network import build_network
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons

DATA = Path(__file__).parent.parent / "data" / "chronology"
AS_OF = date(2026, 11, 1)
AMY, LISA, DANIEL, KEVIN, BEN, CARA, MARK = (f"P000000{i}" for i in range(1, 8))


@pytest.fixture
def borough(store: Store) -> Store:
    """The store holding the small borough, resolved, its network built."""
    for agency in ("police", "social-care"):
        assert not ingest_extract(store, DATA / agency, agency).problems
    with (DATA / "record_persons.csv").open() as f:
        rows = [dict(r, cluster_confidence=float(r["cluster_confidence"]))
                for r in csv.DictReader(f)]
    with store.begin() as conn:
        conn.execute(record_persons.insert(), rows)
    build_network(store)
    return store
