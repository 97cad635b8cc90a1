"""`kinlink demo`: a synthetic borough taken through every step."""

from __future__ import annotations

from pathlib import Path

import typer

from kinlink.cli.common import console
from kinlink.demo import DEFAULT_PEOPLE, run_demo


def demo(
    people: int = typer.Option(DEFAULT_PEOPLE, "--people", min=100,
                               help="Persons in the synthetic borough (about Solihull's size)."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed, the same borough."),
    folder: Path = typer.Option(Path("var/demo"), "--dir",
                                help="Folder for the borough, its store and the charts; the "
                                "demo replaces what an earlier demo left there."),
) -> None:
    """Generate a synthetic borough, ingest, resolve, build networks and alerts, rank the
    waiting children and score the persons found against the borough's truth."""
    run_demo(folder, people=people, seed=seed, console=console)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
