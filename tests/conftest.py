"""Shared fixtures: a fresh store per test, on SQLite and (when configured) on PostgreSQL.

`store` is parametrised over both backends; PostgreSQL runs when KINLINK_TEST_POSTGRES_URL
names a server where we may create databases. Each test gets its own throwaway database.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kinlink.config import Settings
from kinlink.store import Store

POSTGRES_URL = os.environ.get("KINLINK_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Every test reads KINLINK_* afresh: settings cached during one test (say, a PostgreSQL
    database dropped at its end) never leak into the next."""
    from kinlink.config import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kinlink.db'}"


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("KINLINK_TEST_POSTGRES_URL is not set")
    server = make_url(POSTGRES_URL)
    name = f"kinlink_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database shared by one test module (for slow-to-build fixtures)."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def session_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database shared by the whole session (for the slowest fixtures,
    such as the web tests' resolved borough)."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh store, once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def unmigrated_settings(database_url: str, tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a fresh, empty store (no tables: `kinlink db upgrade` not yet run);
    also exported as KINLINK_* so the CLI sees the same store."""
    monkeypatch.setenv("KINLINK_DATABASE_URL", database_url)
    monkeypatch.setenv("KINLINK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KINLINK_CLI_USER", raising=False)
    from kinlink.config import get_settings

    get_settings.cache_clear()
    return Settings(database_url=database_url, home=tmp_path / "home")


@pytest.fixture
def settings(unmigrated_settings: Settings) -> Settings:
    """Settings for a fresh store brought to the newest schema, as `kinlink db upgrade`
    does before anything else."""
    s = Store(unmigrated_settings.resolved_database_url)
    s.upgrade()
    s.dispose()
    return unmigrated_settings


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A migrated, empty store."""
    s = Store(settings.resolved_database_url)
    s.upgrade()
    yield s
    s.dispose()


@pytest.fixture
def hand_built(store: Store) -> Callable[[Path], Store]:
    """Loads a hand-written borough folder (police and social-care extracts plus the
    `record_persons.csv` that `kinlink resolve` would have written) into `store`, ingested
    for real, and builds its network."""
    from kinlink.ingest import ingest_extract
    from kinlink.network import build_network
    from kinlink.store.schema.identity import record_persons

    def load(folder: Path) -> Store:
        for agency in ("police", "social-care"):
            assert not ingest_extract(store, folder / agency, agency).problems
        with (folder / "record_persons.csv").open() as f:
            rows = [dict(r, cluster_confidence=float(r["cluster_confidence"]))
                    for r in csv.DictReader(f)]
        with store.begin() as conn:
            conn.execute(record_persons.insert(), rows)
        build_network(store)
        return store

    return load
