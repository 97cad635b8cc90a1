"""Helpers shared by the command modules: the core and the acting user, printing."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from kinlink.config import get_settings
from kinlink.core import Actor, Kinlink
from kinlink.errors import InputError

console = Console()
err_console = Console(stderr=True)


def _progress(message: str) -> None:
    # Like the progress bars, only on a terminal: in a pipe or a log it would be noise.
    if err_console.is_terminal:
        err_console.print(f"[dim]{message}...[/dim]", highlight=False)


def core(*, progress: bool = False) -> tuple[Kinlink, Actor]:
    """The core on the store the environment names, and the user the command acts as
    (KINLINK_CLI_USER; see `Authentication.cli_actor`). `progress` shows long jobs' stages
    and bars on stderr."""
    kl = Kinlink.open(get_settings(), progress=_progress if progress else None)
    return kl, kl.auth.cli_actor()


def option_date(value: str | None, option: str) -> date | None:
    """A `--<option> YYYY-MM-DD` value (None when not given); a bad one is a user error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise InputError(f"--{option} must be a date like 2026-11-01, not {value!r}",
                         field=option) from e
