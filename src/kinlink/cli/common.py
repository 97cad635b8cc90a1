"""Helpers shared by the command modules: opening the store, printing tables and rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console

from kinlink.config import get_settings
from kinlink.core import Actor, Kinlink
from kinlink.store import Store, open_store

console = Console()
err_console = Console(stderr=True)


def store() -> Store:
    """The store named by the environment, migrated to the newest schema."""
    return open_store(get_settings())


@contextmanager
def core() -> Iterator[tuple[Kinlink, Actor]]:
    """The application core on the store the environment names, and who the command acts
    as (KINLINK_CLI_USER; see `Authentication.cli_actor`)."""
    kl = Kinlink.open(get_settings())
    try:
        yield kl, kl.auth.cli_actor()
    finally:
        kl.close()


class Format(StrEnum):
    """How a command prints what it lists."""

    table = "table"
    csv = "csv"
    json = "json"


def print_csv(rows: list[dict[str, Any]]) -> None:
    """Rows as CSV with a header (nothing at all for no rows)."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    typer.echo(out.getvalue(), nl=False)


def print_json(value: Any) -> None:
    """A value as indented JSON (dates and other objects as text)."""
    typer.echo(json.dumps(value, indent=2, default=str))
