"""Fixtures of the web tests: one small borough built the way a user builds it.

The people of `tests/data/linkage/borough/` (807 records of 500 people) with the hand-written
networks of `tests/data/network/` and referrals of `tests/data/timeliness/borough/`, all
ingested for real, resolved by `kinlink resolve`'s own function (so there are review items),
indexed for real-time matching and with networks and alerts built. Building takes seconds,
so it happens once per test module and backend; tests that change it (a decision, an alert
status) change only what they then check.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kinlink.config import Settings
from kinlink.ingest import ingest_extract
from kinlink.ingest.format import AGENCIES
from kinlink.linkage.model import load_model
from kinlink.linkage.realtime import RealtimeMatcher
from kinlink.linkage.resolve import resolve_store
from kinlink.network import recompute_alerts
from kinlink.store import Store

DATA = Path(__file__).parents[1] / "data"
AS_OF = date(2026, 11, 1)  # the date the network borough is written for
EXTRACTS = [DATA / "linkage" / "borough" / agency for agency in AGENCIES] + [
    path for folder in (DATA / "network", DATA / "timeliness" / "borough")
    for path in sorted(folder.iterdir()) if path.is_dir()]


def build_borough(store: Store) -> None:
    """Ingest every extract, resolve, index for real-time matching, build the networks."""
    for folder in EXTRACTS:
        report = ingest_extract(store, folder, folder.name)
        assert not report.problems, (folder, report.problems)
    resolve_store(store)
    RealtimeMatcher(store, load_model(store)).refresh()
    recompute_alerts(store, as_of=AS_OF)


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def borough_settings(request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of a store holding the built borough, once on each backend."""
    home = tmp_path_factory.mktemp("web")
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'kinlink.db'}"
    else:
        url = request.getfixturevalue("module_postgres_url")
    settings = Settings(database_url=url, home=home)
    store = Store(settings.resolved_database_url)
    store.upgrade()
    build_borough(store)
    store.dispose()
    yield settings


@pytest.fixture(scope="module")
def borough_store(borough_settings: Settings) -> Iterator[Store]:
    store = Store(borough_settings.resolved_database_url)
    yield store
    store.dispose()
