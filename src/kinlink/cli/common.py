"""Helpers shared by the command modules: opening the store, printing tables."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from kinlink.config import get_settings
from kinlink.errors import InputError
from kinlink.store import Store, open_store

console = Console()
err_console = Console(stderr=True)


def store() -> Store:
    """The store named by the environment, migrated to the newest schema."""
    return open_store(get_settings())


def option_date(value: str | None, option: str) -> date | None:
    """A `--<option> YYYY-MM-DD` value (None when not given); a bad one is a user error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise InputError(f"--{option} must be a date like 2026-11-01, not {value!r}",
                         field=option) from e
