"""Fixtures for timeliness: the hand-counted borough, ingested for real.

The borough is ingested once per test module and backend (ingest and migrations take
seconds on PostgreSQL); tests only read it, apart from adding timeliness runs and
replacing findings, which no test counts across runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from kinlink.config import get_settings
from kinlink.ingest import ingest_extract
from kinlink.network import build_network
from kinlink.store import Store
from kinlink.store.schema.identity import persons, record_persons

DATA = Path(__file__).parents[1] / "data" / "timeliness"


def resolve(store: Store, person_id: str, *records: tuple[str, str]) -> None:
    """Record that `records` are one person, as `kinlink resolve` would."""
    with store.begin() as conn:
        conn.execute(insert(persons).values(person_id=person_id, status="active",
                                            created_at=datetime(2026, 3, 1)))
        conn.execute(insert(record_persons), [
            {"agency": a, "record_id": r, "person_id": person_id, "cluster_confidence": 0.99}
            for a, r in records])


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def borough_url(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with tests/data/timeliness/borough ingested, child C6 resolved and the
    network built."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('borough') / 'kinlink.db'}"
    else:
        url = str(request.getfixturevalue("module_postgres_url"))
    store = Store(url)
    store.upgrade()
    for agency in ("social-care", "police"):
        ingest_extract(store, DATA / "borough" / agency, agency)
    resolve(store, "P0000006", ("social-care", "C6"), ("police", "PC6"))
    build_network(store)  # the queue reads children's risk from the network as built
    store.dispose()
    return url


@pytest.fixture
def borough(borough_url: str, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The borough's store, also exported as KINLINK_* so the CLI sees it."""
    monkeypatch.setenv("KINLINK_DATABASE_URL", borough_url)
    monkeypatch.setenv("KINLINK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KINLINK_TIMELINESS_CONFIG", raising=False)
    get_settings.cache_clear()
    store = Store(borough_url)
    yield store
    store.dispose()
    get_settings.cache_clear()
