"""`kinlink ingest`, `kinlink quarantine` and `kinlink status`: loading extracts and seeing them."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from kinlink.cli.common import console, core, err_console
from kinlink.errors import InputError
from kinlink.ingest import IngestReport
from kinlink.ingest.format import TABLES

_STATUS_HEADINGS = {
    "agency": "agency", "table": "table", "current_rows": "rows", "versions": "versions",
    "quarantined": "quarantined", "last_ingest": "last ingest",
}
_COUNTS = {"current_rows", "versions", "quarantined"}


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def ingest(
    path: Path = typer.Argument(..., help="The agency's extract: a folder of table files "
                                "(people.csv, relationships.parquet, ...) or one such file."),
    agency: str = typer.Option(..., "--agency", "-a", help="Who sent the extract: lower-case "
                               "letters, digits and '-' (police, social-care, health, ...)."),
    show: int = typer.Option(20, "--show", min=0, help="How many quarantined rows to print."),
    progress: bool = typer.Option(True, "--progress/--no-progress",
                                  help="Show a progress bar while loading."),
) -> None:
    """Validate an agency extract and store its good rows; bad rows go to quarantine.

    A person row keeps its name and history when one of its values is wrong (a date of
    birth in 2031, an NHS number with a wrong check digit, ...): the value is stored as
    unknown with a finding naming file, row, field and value (`kinlink findings`). Only a
    row with nothing usable left (no name and no identifier) is quarantined whole.

    Exits 0 when the extract was stored (even with quarantined rows) and 1 when a file
    could not be read at all, in which case nothing of the extract is stored.
    """
    kl, actor = core(progress=progress)
    report = kl.ingest.load(actor, path, agency)
    for warning in report.warnings:
        err_console.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False)
    console.print(_summary_table(report))
    if report.problems and show:
        console.print(_problems_table(report, show))
    quarantined, set_aside = report.total("quarantined"), report.total("set_aside")
    console.print(
        f"Ingest run {report.run_id}: stored {report.total('new')} new and "
        f"{report.total('changed')} changed rows, {report.total('unchanged')} unchanged, "
        f"{quarantined} quarantined"
        + (f" (see `kinlink quarantine --agency {report.agency}`)" if quarantined else "")
        + f"; {set_aside} wrong values stored as unknown"
        + (f" (see `kinlink findings --agency {report.agency}`)." if set_aside else "."),
        highlight=False,
    )


def _summary_table(report: IngestReport) -> Table:
    table = Table(title=f"Extract from {report.agency}: {report.path}", title_justify="left")
    for heading in ("file", "read", "new", "changed", "unchanged", "quarantined"):
        table.add_column(heading, justify="left" if heading == "file" else "right")
    for f in report.files:
        table.add_row(f.file, *(f"{n:,}" for n in (f.read, f.new, f.changed, f.unchanged,
                                                    f.quarantined)))
    table.add_section()
    table.add_row("total", *(f"{report.total(c):,}" for c in
                             ("read", "new", "changed", "unchanged", "quarantined")))
    return table


def _problems_table(report: IngestReport, show: int) -> Table:
    shown = report.problems[:show]
    table = Table(title=f"First {len(shown)} quarantined problems", title_justify="left")
    for heading in ("file", "row", "field", "reason"):
        table.add_column(heading, overflow="fold")
    for p in shown:
        table.add_row(p.file, str(p.row), p.field or "", p.reason)
    return table


def quarantine(
    agency: str | None = typer.Option(None, "--agency", "-a", help="Only this agency."),
    table: str | None = typer.Option(None, "--table", "-t",
                                     help=f"Only this table ({', '.join(TABLES)})."),
    run: int | None = typer.Option(None, "--run", help="Only this ingest run."),
    all_runs: bool = typer.Option(False, "--all-runs", help="Include rows quarantined by "
                                  "earlier ingests (default: each table's latest ingest)."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="At most this many rows."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                        help="table, csv or json."),
) -> None:
    """List rows that ingest refused to store, with file, row, field and reason.

    Only rows with nothing usable are refused whole; a wrong value of a usable person row
    is stored as unknown instead (see `kinlink findings`)."""
    if table is not None and table not in TABLES:
        raise InputError(f"unknown table {table!r}; one of {', '.join(TABLES)}", field="table")
    kl, actor = core()
    page = kl.ingest.quarantine(actor, agency=agency, table=table, run_id=run,
                                latest=not all_runs, limit=limit)
    rows = page.rows
    if output is OutputFormat.json:
        typer.echo(json.dumps([asdict(r) for r in rows], indent=2))
        return
    if output is OutputFormat.csv:
        writer = csv.writer(typer.get_text_stream("stdout"), lineterminator="\n")
        writer.writerow(["run", "agency", "table", "file", "row", "field", "reason", "raw"])
        for r in rows:
            writer.writerow([r.run_id, r.agency, r.table, r.file, r.row, r.field or "",
                             r.reason, json.dumps(r.raw)])
        return
    total = page.total
    if not rows:
        console.print("No quarantined rows.")
        return
    view = Table(title=f"Quarantined rows ({len(rows)} of {total})", title_justify="left")
    for heading in ("run", "agency", "file", "row", "field", "reason"):
        view.add_column(heading, overflow="fold")
    for r in rows:
        view.add_row(str(r.run_id), r.agency, r.file, str(r.row), r.field or "", r.reason)
    console.print(view)


def findings(
    agency: str | None = typer.Option(None, "--agency", "-a", help="Only this agency."),
    area: str | None = typer.Option(None, "--area", help="Only this area's findings "
                                    "(ingest, timeliness, ...)."),
    table: str | None = typer.Option(None, "--table", "-t",
                                     help=f"Only this table ({', '.join(TABLES)})."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="At most this many findings."),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                        help="table, csv or json."),
) -> None:
    """List data-quality findings: values ingest stored as unknown, messy dates, ..."""
    kl, actor = core()
    found = [f for f in kl.quality.findings(actor, area=area, agency=agency)
             if table is None or f.table_name == table]
    shown = found[:limit]
    headings = ("area", "agency", "table_name", "record_key", "rule", "severity", "reason")
    if output is OutputFormat.json:
        typer.echo(json.dumps([{h: getattr(f, h) for h in headings} for f in shown], indent=2))
        return
    if output is OutputFormat.csv:
        writer = csv.writer(typer.get_text_stream("stdout"), lineterminator="\n")
        writer.writerow(headings)
        writer.writerows([getattr(f, h) for h in headings] for f in shown)
        return
    if not shown:
        console.print("No findings.")
        return
    view = Table(title=f"Data-quality findings ({len(shown)} of {len(found)})",
                 title_justify="left")
    for heading in ("area", "agency", "table", "record", "rule", "reason"):
        view.add_column(heading, overflow="fold")
    for f in shown:
        view.add_row(f.area, f.agency, f.table_name, f.record_key, f.rule, f.reason)
    console.print(view)


def status(
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                        help="table, csv or json."),
) -> None:
    """Show what is loaded, by agency and table: rows, versions, quarantine, last ingest."""
    kl, actor = core()
    rows = kl.ingest.status(actor)
    records = [asdict(r) | {"last_ingest": f"{r.last_ingest:%Y-%m-%d %H:%M:%S} UTC"
                            if r.last_ingest else None} for r in rows]
    if output is OutputFormat.json:
        typer.echo(json.dumps(records, indent=2))
        return
    if output is OutputFormat.csv:
        writer = csv.DictWriter(typer.get_text_stream("stdout"), fieldnames=list(_STATUS_HEADINGS),
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return
    if not rows:
        console.print("Nothing loaded yet: run `kinlink ingest PATH --agency NAME`.")
        return
    view = Table(title="Loaded source records", title_justify="left",
                 caption="rows: current records; versions: every version stored; "
                 "quarantined: by the table's latest ingest", caption_justify="left")
    for name, heading in _STATUS_HEADINGS.items():
        view.add_column(heading, justify="right" if name in _COUNTS else "left")
    for record in records:
        view.add_row(*(f"{v:,}" if isinstance(v, int) else str(v or "")
                       for v in record.values()))
    console.print(view)


def register(app: typer.Typer) -> None:
    """Add the ingest commands to the `kinlink` app."""
    app.command("ingest")(ingest)
    app.command("quarantine")(quarantine)
    app.command("findings")(findings)
    app.command("status")(status)
