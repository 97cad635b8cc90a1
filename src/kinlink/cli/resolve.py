"""`kinlink resolve` and `kinlink review ...`: link records into persons, review doubts."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kinlink.cli.common import console, core
from kinlink.config import get_settings
from kinlink.core import Actor, Kinlink
from kinlink.errors import InputError
from kinlink.linkage.engines import check_engine
from kinlink.linkage.resolve import ResolutionReport, resolve_file
from kinlink.review import STATUSES

review_app = typer.Typer(
    help="The review queue: record pairs the matcher is unsure about, and decisions on them.",
    no_args_is_help=True, rich_markup_mode=None)


def resolve(
    people: Path | None = typer.Argument(
        None, help="A standalone people-format CSV (record_id, first_name, surname required; "
        "optional agency). Without it, every record in the store is resolved.",
        dir_okay=False, metavar="PEOPLE.csv"),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="With PEOPLE.csv: where to write "
        "record_id,person_id,cluster_size (plus agency when the file has one)."),
    engine: str | None = typer.Option(
        None, help="Compute engine: duckdb or spark (default KINLINK_ENGINE, duckdb)."),
    spark_master: str | None = typer.Option(
        None, help="Spark master URL for --engine spark (default KINLINK_SPARK_MASTER, "
        "local[2])."),
    retrain: bool = typer.Option(
        False, help="Store mode: train a new model even if one is saved."),
    threshold: float | None = typer.Option(
        None, help="Match probability at or above which two records are linked "
        "(default: the one chosen from the data when the model was trained, where the "
        "model expects its best F1; 0.5 for a model saved before that)."),
) -> None:
    """Link records into persons: every stored record, or a standalone file."""
    if people is None:
        if out is not None:
            raise InputError("--out is only for resolving a file: give PEOPLE.csv too")
        kl, actor = core(progress=True)
        report = kl.resolution.run(actor, engine=engine, spark_master=spark_master,
                                   retrain=retrain, threshold=threshold)
    else:
        if out is None:
            raise InputError("resolving a file needs --out OUT.csv")
        if retrain:
            raise InputError("--retrain is for store mode: a file is always trained on itself")
        # A standalone file is linked without the store: nothing is kept and nothing of
        # the store is read, so there is nothing for the core to authorise or log.
        settings = get_settings()
        report = resolve_file(people, out, engine=check_engine(engine or settings.engine),
                              spark_master=spark_master or settings.spark_master,
                              progress=True, threshold=threshold)
    _print_report(report)


def _print_report(report: ResolutionReport) -> None:
    table = Table(title="Resolution" + (f" run {report.run_id}" if report.run_id else ""),
                  show_header=False)
    for name, value in report.summary():
        table.add_row(name, value)
    console.print(table)
    for note in report.notes:
        console.print(note, highlight=False, markup=False)
    if report.output:
        console.print(f"Wrote {report.output}")


@review_app.command("list")
def review_list(
    status: str = typer.Option("open", help=f"Item status: {', '.join(STATUSES)} or all."),
    agency: str | None = typer.Option(None, help="Only pairs involving this agency's records."),
    limit: int = typer.Option(20, min=1, help="How many items to show."),
    offset: int = typer.Option(0, min=0, help="How many items to skip (for paging)."),
) -> None:
    """List review items, most likely matches first."""
    wanted = None if status == "all" else status
    kl, actor = core()
    page = kl.review.list(actor, status=wanted, agency=agency, limit=limit, offset=offset)
    items, total = page.items, page.total
    table = Table(title=f"Review items ({status}): {offset + len(items) if items else 0} "
                  f"of {total:,}")
    for column in ("id", "probability", "record A", "record B", "why", "status"):
        table.add_column(column)
    for item in items:
        table.add_row(str(item.id), f"{item.match_probability:.1%}", item.uid_l, item.uid_r,
                      item.reason, item.status)
    console.print(table)


@review_app.command("show")
def review_show(item_id: int = typer.Argument(..., help="The review item's id.")) -> None:
    """Show one review item: its explanation and every decision made on it."""
    kl, actor = core()
    item = kl.review.get(actor, item_id)
    console.print(f"Item {item.id}: {item.uid_l} / {item.uid_r} ({item.status}, "
                  f"queued as {item.reason})", markup=False)
    console.print(item.explanation or "(no explanation)", markup=False)
    _print_history(kl, actor, item.uid_l, item.uid_r)


@review_app.command("decide")
def review_decide(
    uid_a: str = typer.Argument(..., help="One record, as AGENCY:RECORD_ID."),
    uid_b: str = typer.Argument(..., help="The other record, as AGENCY:RECORD_ID."),
    decision: str = typer.Argument(..., help="same, not-same or unsure."),
    reason: str = typer.Option(..., help="Why: kept with the decision for audit."),
) -> None:
    """Decide whether two records are the same person; the next resolve honours it.
    The decision is recorded as the user the command acts as (KINLINK_CLI_USER)."""
    kl, actor = core()
    made = kl.review.decide(actor, uid_a, uid_b, decision, reason=reason)
    console.print(f"Recorded: {made.uid_l} and {made.uid_r}: {made.decision} "
                  f"(by {made.actor}). Run `kinlink resolve` to apply it.", markup=False)


@review_app.command("history")
def review_history(
    uid_a: str = typer.Argument(..., help="One record, as AGENCY:RECORD_ID."),
    uid_b: str = typer.Argument(..., help="The other record, as AGENCY:RECORD_ID."),
) -> None:
    """Every decision made on a pair of records, oldest first."""
    _print_history(*core(), uid_a, uid_b)


def _print_history(kl: Kinlink, actor: Actor, uid_a: str, uid_b: str) -> None:
    history = kl.review.history(actor, uid_a, uid_b)
    if not history:
        console.print("No decisions yet.")
        return
    table = Table(title="Decisions (the last one is in force)")
    for column in ("when (UTC)", "decision", "by", "reason"):
        table.add_column(column)
    for d in history:
        table.add_row(f"{d.decided_at:%Y-%m-%d %H:%M}", d.decision, d.actor, d.reason)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `resolve` and the `review` group to the kinlink command."""
    app.command("resolve")(resolve)
    app.add_typer(review_app, name="review")
