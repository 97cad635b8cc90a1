"""The store's schema: migrations build exactly what the metadata describes, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from kinlink.store import Store
from kinlink.store.schema import metadata


def test_migrations_match_metadata(store: Store) -> None:
    with store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upgrade_is_idempotent(store: Store) -> None:
    store.upgrade()
    assert store.is_current()
    tables = set(inspect(store.engine).get_table_names())
    assert {"people", "quarantine", "ingest_runs", "record_persons"} <= tables
