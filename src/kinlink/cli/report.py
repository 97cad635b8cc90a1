"""`kinlink report`: the inspection report as HTML and PDF."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from kinlink.cli.common import console, err_console, store
from kinlink.errors import InputError
from kinlink.report import produce_report


def report(
    out: Path | None = typer.Option(None, "--out", dir_okay=False,
                                    help="Write the report as one HTML file (charts inside)."),
    pdf: Path | None = typer.Option(None, "--pdf", dir_okay=False,
                                    help="Write the report as a PDF."),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"],
        help="Report as of this date (clocks at the end of the day); default today. Give it "
        "to get the same report from the same inputs."),
    truth: Path | None = typer.Option(
        None, "--truth", dir_okay=False,
        help="A synthetic borough's truth/records.csv: also measure the linkage's accuracy."),
) -> None:
    """The inspection report: children waiting, clocks breached, hidden risks and what
    happened to each alert, data quality by agency and team with its trend, duplicates,
    and how the records were linked, with the extracts, model and settings it rests on."""
    if out is None and pdf is None:
        raise InputError("say where to write the report: --out report.html and/or "
                         "--pdf report.pdf")
    with err_console.status("Gathering the figures and drawing the charts..."):
        result = produce_report(store(), as_of=as_of.date() if as_of else date.today(),
                                truth=truth)
        written = result.write(html=out, pdf=pdf)
    if result.recomputed:
        console.print("Records had changed since the network was built: the network and "
                      "alerts were recomputed first.", style="dim")
    f = result.figures
    console.print(f"Report as of {f.as_of}: {len(f.queue):,} children waiting "
                  f"({len(f.overdue):,} overdue), {len(f.alerts):,} alerts, data-quality run "
                  f"{f.quality_run.id if f.quality_run else '-'}.", soft_wrap=True)
    for path in written:
        console.print(f"Written: {path}")


def register(app: typer.Typer) -> None:
    """Add `kinlink report` to the `kinlink` command."""
    app.command("report")(report)
