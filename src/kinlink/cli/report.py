"""`kinlink report`: the inspection report as HTML and PDF."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from kinlink.cli.common import console, core, err_console
from kinlink.core import Forbidden
from kinlink.errors import InputError


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
    kl, actor = core()
    with err_console.status("Gathering the figures and drawing the charts..."):
        on = as_of.date() if as_of else kl.clock.today()
        # The rules are run as of the report's date unless the newest run already judged
        # these records then: the same inputs give the same report, and no new trend point.
        # A role that may report but not run the rules (a team manager) reports the newest
        # run as of the date.
        try:
            run_id: int | None = kl.quality.run(actor, as_of=on, reuse=True).id
        except Forbidden:
            run_id = None
        result = kl.report.produce(actor, as_of=on, quality_run_id=run_id, truth=truth)
        written = result.write(html=out, pdf=pdf)
    f = result.figures
    if f.network.stale:
        console.print("The network is older than the records (or was never built): the "
                      "report says so. `kinlink alerts recompute`, then report again.",
                      style="yellow")
    console.print(f"Report as of {f.as_of}: {len(f.waiting):,} children waiting "
                  f"({len(f.overdue):,} overdue, {len(f.not_recorded):,} more probably not "
                  f"recorded), {len(f.alerts):,} alerts, data-quality run "
                  f"{f.quality_run.id if f.quality_run else '-'}.", soft_wrap=True)
    for path in written:
        console.print(f"Written: {path}")


def register(app: typer.Typer) -> None:
    """Add `kinlink report` to the `kinlink` command."""
    app.command("report")(report)
