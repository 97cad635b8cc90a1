"""`kinlink train` and `kinlink match`: training the linkage model, matching in real time."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.table import Table

from kinlink.cli.common import console, core
from kinlink.errors import InputError
from kinlink.linkage.batch import BatchMatches
from kinlink.linkage.engines import ENGINES
from kinlink.linkage.realtime import Candidate

_QUERY_FIELDS = ("first_name", "middle_names", "surname", "previous_surnames", "aliases",
                 "dob", "sex", "address", "postcode", "nhs_number", "upn", "pnc_id")


def train_command(
    engine: str | None = typer.Option(None, "--engine", help=f"Compute engine: "
                                      f"{', '.join(ENGINES)} (default KINLINK_ENGINE, duckdb)."),
    spark_master: str | None = typer.Option(None, "--spark-master", help="Spark master URL "
                                            "for --engine spark (default KINLINK_SPARK_MASTER, "
                                            "local[2]; e.g. spark://host:7077)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress."),
) -> None:
    """Train the linkage model on every stored record (no labels needed) and save it.

    u is estimated by random sampling, m by expectation maximisation, and the prior from
    near-certain pairs. The model is stored as a new version; charts of its match
    weights and m/u values are written as HTML under KINLINK_HOME/charts/.
    """
    kl, actor = core(progress=progress)
    model = kl.resolution.train(actor, engine=engine, spark_master=spark_master)
    console.print(f"Trained model version {model.version} on {model.records:,} records "
                  f"in {model.seconds:.1f} s ({model.engine}); "
                  f"prior {model.prior:.2e}.", highlight=False)
    for note in model.notes:
        console.print(note, highlight=False, markup=False)
    for name, path in model.charts.items():
        console.print(f"  {name.replace('_', ' ')} chart: {path}", highlight=False)


def match_command(
    first_name: str = typer.Option(None, "--first-name", help="Forename of the person sought."),
    middle_names: str = typer.Option(None, "--middle-names", help="Middle names."),
    surname: str = typer.Option(None, "--surname", help="Surname."),
    previous_surnames: str = typer.Option(None, "--previous-surnames",
                                          help="Earlier surnames, ';'-separated."),
    aliases: str = typer.Option(None, "--aliases", help="Other full names, ';'-separated."),
    dob: str = typer.Option(None, "--dob", help="Date of birth: YYYY-MM-DD, YYYY-MM or YYYY."),
    sex: str = typer.Option(None, "--sex", help="F, M or U."),
    address: str = typer.Option(None, "--address", help="Address."),
    postcode: str = typer.Option(None, "--postcode", help="UK postcode, full or outward."),
    nhs_number: str = typer.Option(None, "--nhs-number", help="NHS number."),
    upn: str = typer.Option(None, "--upn", help="Unique pupil number."),
    pnc_id: str = typer.Option(None, "--pnc-id", help="Police National Computer id."),
    input_path: Path = typer.Option(None, "--input", help="A people-format CSV: each row is "
                                    "matched as a separate real-time query."),
    out: Path = typer.Option(None, "--out", help="With --input: write record_id, person_id, "
                             "probability (and candidate_uid) of each row's best candidates."),
    top: int = typer.Option(5, "--top", min=1, help="How many candidates to return per query."),
    min_probability: float = typer.Option(0.01, "--min-probability", min=0.0, max=1.0,
                                          help="Leave out candidates below this probability."),
    version: int = typer.Option(None, "--model-version", help="Model version (default newest)."),
    refresh: bool = typer.Option(True, "--refresh/--no-refresh", help="Bring the matching "
                                 "index up to date with the store first."),
) -> None:
    """Find the stored persons most likely to be a given person, with explanations.

    Give one person by options, or a file of people with --input and --out. Needs a
    trained model (`kinlink train`); persons come from the latest `kinlink resolve`.
    """
    kl, actor = core()
    if input_path is not None:
        if out is None:
            raise InputError("--input needs --out to say where to write the matches")
        found = kl.resolution.match_file(actor, input_path, top=top,
                                         min_probability=min_probability, version=version,
                                         refresh=refresh)
        _print_indexed(found.indexed, found.total_indexed)
        _write_matches(found.batch, out)
        return
    fields = dict(zip(_QUERY_FIELDS, (first_name, middle_names, surname, previous_surnames,
                                      aliases, dob, sex, address, postcode, nhs_number, upn,
                                      pnc_id), strict=True))
    if not any(fields.values()):
        raise InputError("give the person to match (--first-name, --surname, --dob, ...) "
                         "or --input FILE")
    matches = kl.resolution.match(actor, fields, top=top, min_probability=min_probability,
                                  version=version, refresh=refresh)
    _print_indexed(matches.indexed, matches.total_indexed)
    _print_candidates(matches.candidates)


def _print_indexed(indexed: int, total: int) -> None:
    if indexed:
        console.print(f"Indexed {indexed:,} new or changed records ({total:,} in all).",
                      highlight=False)


def _write_matches(batch: BatchMatches, out: Path) -> None:
    """The matches to `out` as CSV; the latency figures printed."""
    try:
        with out.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["record_id", "person_id", "probability", "candidate_uid"])
            writer.writerows([r.record_id, r.person_id, f"{r.probability:.4f}",
                              r.candidate_uid] for r in batch.rows)
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", file=str(out)) from e
    p50, p95, p99 = (batch.percentile(q) for q in (0.50, 0.95, 0.99))
    console.print(f"Matched {batch.queries:,} queries: {len(batch.rows):,} candidates written "
                  f"to {out}. Latency per query p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                  f"p99 {p99:.1f} ms.", highlight=False)


def _print_candidates(candidates: list[Candidate]) -> None:
    if not candidates:
        console.print("No likely match among the stored records.")
        return
    table = Table("record", "person", "probability", "why")
    for c in candidates:
        table.add_row(c.uid, c.person_id or "-", f"{c.match_probability:.1%}",
                      c.explanation.text)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `train` and `match` to the `kinlink` command."""
    app.command("train")(train_command)
    app.command("match")(match_command)
