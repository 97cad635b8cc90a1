"""The `kinlink` command: one Typer app, with each area's commands in its own module."""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer import _click as click  # typer vendors its own click
from typer.core import TyperGroup

from kinlink.errors import KinlinkError


class KinlinkGroup(TyperGroup):
    """Shows every `KinlinkError` raised by a command as one line on stderr, exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KinlinkError as e:
            typer.secho(f"Error: {e}", err=True, fg="red")
            raise typer.Exit(1) from e


app = typer.Typer(
    name="kinlink",
    cls=KinlinkGroup,
    help="Link multi-agency records into persons and show each child's network, risks "
    "and waiting times. Settings come from KINLINK_* environment variables "
    "(KINLINK_DATABASE_URL, KINLINK_HOME, KINLINK_CLI_USER). A new store needs "
    "`kinlink db upgrade` first.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)

# Each module defines `register(app)`; listed in the order `--help` shows them.
COMMAND_MODULES: tuple[str, ...] = (
    "kinlink.cli.demo",
    "kinlink.cli.db",
    "kinlink.cli.synth",
    "kinlink.cli.ingest",
    "kinlink.cli.linkage",
    "kinlink.cli.resolve",
    "kinlink.cli.timeliness",
    "kinlink.cli.network",
    "kinlink.cli.chronology",
    "kinlink.cli.prompts",
    "kinlink.cli.users",
    "kinlink.cli.audit",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Entry point of the `kinlink` console script."""
    app()
