"""Producing the report: the quality run it needs, its figures, its HTML and PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from kinlink.errors import InputError
from kinlink.network import recompute_alerts
from kinlink.network.graph import is_stale
from kinlink.quality.scores import current_run
from kinlink.report.figures import ReportFigures, gather
from kinlink.report.render import render_html, write_pdf
from kinlink.store import Store


@dataclass(frozen=True)
class Report:
    """A rendered report: its figures and its HTML, ready to write."""

    figures: ReportFigures
    html: str
    recomputed: bool  # the network and alerts were rebuilt first (the records had changed)

    def write(self, *, html: Path | None = None, pdf: Path | None = None) -> list[Path]:
        """Write the HTML and/or the PDF; returns the paths written."""
        written = []
        for path in (html, pdf):
            if path is not None and not path.parent.is_dir():
                raise InputError(f"no folder {path.parent} to write the report into",
                                 file=str(path))
        if html is not None:
            html.write_text(self.html, encoding="utf-8")
            written.append(html)
        if pdf is not None:
            written.append(write_pdf(self.html, pdf))
        return written


def produce_report(store: Store, *, as_of: date, truth: Path | None = None,
                   generated_at: datetime | None = None) -> Report:
    """The report as of `as_of`. Brings the alerts up to date first when records changed
    since the network was built (as `kinlink alerts` does), and runs the data-quality rules
    unless the newest run already judged these records as of this date."""
    if truth is not None and not truth.is_file():
        raise InputError(f"no truth file {truth}", file=str(truth))
    with store.connect() as conn:
        stale = is_stale(conn)
    if stale:
        recompute_alerts(store, as_of=as_of)
    run = current_run(store, as_of=as_of)
    figures = gather(store, as_of=as_of, quality_run_id=run.id, truth=truth)
    stamp = generated_at or datetime.now(UTC).replace(microsecond=0)
    return Report(figures, render_html(figures, generated_at=stamp), stale)
