"""Writes the CLI reference (docs/cli.md) from the commands' own --help, so it cannot drift.

Run `python -m kinlink.cli.reference > docs/cli.md`; a test checks the file is current.
"""

from __future__ import annotations

from typer.main import get_command
from typer.testing import CliRunner

from kinlink.cli import app


def _paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found.append((*prefix, name))
        found.extend(_paths(sub, (*prefix, name)))
    return found


def _help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="kinlink",
                                env={"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"})
    return result.output.rstrip()


def cli_reference() -> str:
    """The Markdown text of docs/cli.md."""
    parts = ["# Command reference", "",
             "Generated from `--help` by `python -m kinlink.cli.reference`; do not edit.", "",
             "```text", _help(()), "```"]
    for path in _paths(get_command(app)):
        parts += ["", f"## kinlink {' '.join(path)}", "", "```text", _help(path), "```"]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(cli_reference(), end="")
