"""The hand-built borough of `tests/data/report/`, ingested for real, resolved as
`record_persons.csv` says, with its network and alerts built as of 2026-11-02."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.config import Settings
from kinlink.core import Actor, FixedClock, Kinlink, Role
from kinlink.ingest import ingest_extract
from kinlink.network import recompute_alerts
from kinlink.store import Store
from kinlink.store.schema.identity import persons, record_persons

DATA = Path(__file__).parents[1] / "data" / "report"
AS_OF = date(2026, 11, 2)
runner = CliRunner()


def kinlink(*args: str) -> str:
    """Run the `kinlink` command; its output (it must succeed)."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


AGENCIES = ("social-care", "police", "health", "education")


def resolve_as_written(store: Store) -> None:
    """Store record_persons.csv (and its persons) as a resolution run would."""
    rows: list[dict[str, Any]] = [dict(r, cluster_confidence=float(r["cluster_confidence"]))
                                  for r in csv.DictReader((DATA / "record_persons.csv").open())]
    with store.begin() as conn:
        conn.execute(insert(persons), [
            {"person_id": p, "status": "active", "created_at": datetime(2026, 11, 1)}
            for p in sorted({r["person_id"] for r in rows})])
        conn.execute(insert(record_persons), rows)


@pytest.fixture
def borough(store: Store) -> Store:
    """The borough's store: ingested, resolved, network and alerts built as of AS_OF."""
    for agency in AGENCIES:
        ingest_extract(store, DATA / agency, agency, today=AS_OF)
    resolve_as_written(store)
    recompute_alerts(store, as_of=AS_OF)
    return store


ANALYST = Actor("mo.analyst", Role.MASH_ANALYST)
NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def kl(borough: Store, settings: Settings) -> Iterator[Kinlink]:
    """The core on the borough's store, its clock fixed the morning after AS_OF."""
    core = Kinlink.open(settings, clock=FixedClock(NOW))
    yield core
    core.close()
