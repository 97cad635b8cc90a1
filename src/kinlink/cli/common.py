"""Helpers shared by the command modules: opening the store, printing tables."""

from __future__ import annotations

from rich.console import Console

from kinlink.config import get_settings
from kinlink.store import Store, open_store

console = Console()
err_console = Console(stderr=True)


def store() -> Store:
    """The store named by the environment, migrated to the newest schema."""
    return open_store(get_settings())
