"""The operational store: SQLite by default, PostgreSQL in production."""

from kinlink.store.database import Store, open_store

__all__ = ["Store", "open_store"]
