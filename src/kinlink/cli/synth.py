"""`kinlink synth`: write a synthetic borough's agency extracts and its truth."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kinlink.cli.common import console
from kinlink.synth import SynthSummary, generate, load_config


def register(app: typer.Typer) -> None:
    """Add the `synth` command."""
    app.command("synth")(synth)


def synth(
    out: Path = typer.Option(..., "--out", help="Folder to write <agency>/ extracts and truth/ "
                             "into (created if missing; existing files are overwritten)."),
    people: int = typer.Option(220_000, "--people", min=1,
                               help="Number of residents of the borough."),
    seed: int = typer.Option(1, "--seed", help="Random seed; the same seed and config give "
                             "byte-identical files."),
    profile: str | None = typer.Option(
        None, "--profile", help="Noise profile: a shipped one (default, typos, sparse, "
        "freetext, households) or a FILE.toml of overrides (see docs/synthetic-data.md)."),
    config: Path | None = typer.Option(None, "--config", help="TOML file overriding error "
                                       "rates and other settings, applied over the profile "
                                       "(see docs/synthetic-data.md)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar or summary."),
) -> None:
    """Generate a synthetic borough: police, social-care, health and education extracts in
    the agency extract format, plus truth/ (true persons, households, relationships, hidden
    risks and every injected error)."""
    settings = load_config(config, profile=profile) if config or profile else None
    summary = generate(out, people=people, seed=seed, config=settings, progress=not quiet)
    if not quiet:
        _print_summary(summary)


def _print_summary(s: SynthSummary) -> None:
    console.print(f"Wrote a borough of {s.persons:,} people in {s.households:,} households "
                  f"to {s.out} in {s.seconds:.1f} s (seed {s.seed}).")
    records = Table("agency", "person records", "other rows", title="Extracts")
    for agency, count in s.records.items():
        other = sum(n for t, n in s.rows[agency].items() if t != "people")
        records.add_row(agency, f"{count:,}", f"{other:,}")
    console.print(records)
    hidden = Table("hidden because", "pairs", title=f"Hidden risks (of {s.risk_pairs:,} "
                   "child-adult-risk pairs)")
    for reason, count in s.hidden_risks.items():
        hidden.add_row(reason, f"{count:,}")
    console.print(hidden)
