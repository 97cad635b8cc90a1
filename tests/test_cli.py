"""Every command and option explains itself, and the CLI reference in docs/ is current."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.cli.reference import cli_reference

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[list[str]]:
    """Every command path, e.g. ['ingest'], ['review', 'list']."""
    root = get_command(app)
    paths: list[list[str]] = []

    def walk(command, prefix: list[str]) -> None:  # type: ignore[no-untyped-def]
        for name, sub in getattr(command, "commands", {}).items():
            paths.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_every_command_has_help(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help, f"kinlink {' '.join(path)} has no help text"
    for param in command.params:
        if param.name != "help" and not getattr(param, "hidden", False):
            assert getattr(param, "help", None) or param.param_type_name == "argument", (
                f"kinlink {' '.join(path)} {param.name}: no help text")


def test_cli_reference_is_current() -> None:
    documented = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert documented == cli_reference(), (
        "docs/cli.md is out of date: run `.venv/bin/python -m kinlink.cli.reference > docs/cli.md`")
