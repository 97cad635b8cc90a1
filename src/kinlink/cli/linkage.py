"""`kinlink train` and `kinlink match`: training the linkage model, matching in real time."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from kinlink.cli.common import console, store
from kinlink.errors import InputError
from kinlink.linkage import load_model, prepare_records_from_store, save_model, train
from kinlink.linkage.engines import ENGINES, check_engine
from kinlink.linkage.prepare import read_people_csv
from kinlink.linkage.realtime import Candidate, RealtimeMatcher
from kinlink.linkage.resolve import model_notes

_QUERY_FIELDS = ("first_name", "middle_names", "surname", "previous_surnames", "aliases",
                 "dob", "sex", "address", "postcode", "nhs_number", "upn", "pnc_id")


def train_command(
    engine: str = typer.Option("duckdb", "--engine", help=f"Compute engine: {', '.join(ENGINES)}."),
    spark_master: str = typer.Option(None, "--spark-master", help="Spark master URL for "
                                     "--engine spark (default local[2]; e.g. spark://host:7077)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress."),
) -> None:
    """Train the linkage model on every stored record (no labels needed) and save it.

    u is estimated by random sampling, m by expectation maximisation, and the prior from
    near-certain pairs. The model is stored as a new version; charts of its match
    weights and m/u values are written as HTML under KINLINK_HOME/charts/.
    """
    check_engine(engine)
    s = store()
    records = prepare_records_from_store(s)
    model = train(records, engine=engine, spark_master=spark_master, progress=progress)
    version = save_model(s, model)
    console.print(f"Trained model version {version} on {records.num_rows:,} records "
                  f"in {model.training_seconds:.1f} s ({engine}); "
                  f"prior {model.prior:.2e}.", highlight=False)
    for note in model_notes(model):
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
    s = store()
    matcher = RealtimeMatcher(s, load_model(s, version))
    if refresh:
        summary = matcher.refresh()
        if summary.indexed:
            console.print(f"Indexed {summary.indexed:,} new or changed records "
                          f"({summary.total:,} in all).", highlight=False)
    if input_path is not None:
        if out is None:
            raise InputError("--input needs --out to say where to write the matches")
        _match_file(matcher, input_path, out, top=top, min_probability=min_probability)
        return
    fields = dict(zip(_QUERY_FIELDS, (first_name, middle_names, surname, previous_surnames,
                                      aliases, dob, sex, address, postcode, nhs_number, upn,
                                      pnc_id), strict=True))
    if not any(fields.values()):
        raise InputError("give the person to match (--first-name, --surname, --dob, ...) "
                         "or --input FILE")
    candidates = [c for c in matcher.match(fields, top=top)
                  if c.match_probability >= min_probability]
    _print_candidates(candidates)


def _match_file(matcher: RealtimeMatcher, path: Path, out: Path, *, top: int,
                min_probability: float) -> None:
    """Each row of `path` as its own real-time query; matches to `out`, latency printed."""
    queries = read_people_csv(path).to_pylist()
    latencies: list[float] = []
    rows: list[dict[str, Any]] = []
    for number, query in enumerate(queries, start=1):
        started = time.perf_counter()
        try:
            candidates = matcher.match(query, top=top)
        except InputError as e:
            raise InputError(str(e).split(": ", 1)[-1], file=str(path), row=number,
                             field=e.field) from e
        latencies.append((time.perf_counter() - started) * 1000)
        rows.extend(_best_per_person(query["record_id"], candidates, min_probability))
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["record_id", "person_id", "probability", "candidate_uid"])
        writer.writeheader()
        writer.writerows(rows)
    p50, p95, p99 = (_percentile(latencies, q) for q in (50, 95, 99))
    console.print(f"Matched {len(queries):,} queries: {len(rows):,} candidates written to "
                  f"{out}. Latency per query p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                  f"p99 {p99:.1f} ms.", highlight=False)


def _best_per_person(record_id: str, candidates: list[Candidate],
                     min_probability: float) -> list[dict[str, Any]]:
    """One row per candidate person (records not yet resolved stand for themselves)."""
    seen: set[str] = set()
    rows = []
    for c in candidates:
        who = c.person_id or c.uid
        if c.match_probability < min_probability or who in seen:
            continue
        seen.add(who)
        rows.append({"record_id": record_id, "person_id": c.person_id or "",
                     "probability": f"{c.match_probability:.4f}", "candidate_uid": c.uid})
    return rows


def _print_candidates(candidates: list[Candidate]) -> None:
    if not candidates:
        console.print("No likely match among the stored records.")
        return
    table = Table("record", "person", "probability", "why")
    for c in candidates:
        table.add_row(c.uid, c.person_id or "-", f"{c.match_probability:.1%}",
                      c.explanation.text)
    console.print(table)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def register(app: typer.Typer) -> None:
    """Add `train` and `match` to the `kinlink` command."""
    app.command("train")(train_command)
    app.command("match")(match_command)
