"""Producing the report: its figures, its HTML, and writing it as HTML and PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kinlink.errors import InputError
from kinlink.report.figures import ReportFigures, gather
from kinlink.report.render import render_html, write_pdf
from kinlink.store import Store
from kinlink.timeliness import ClocksConfig


@dataclass(frozen=True)
class Report:
    """A rendered report: its figures and its HTML, ready to write."""

    figures: ReportFigures
    html: str

    def write(self, *, html: Path | None = None, pdf: Path | None = None) -> list[Path]:
        """Write the HTML and/or the PDF; returns the paths written."""
        for path in (html, pdf):
            if path is not None and not path.parent.is_dir():
                raise InputError(f"no folder {path.parent} to write the report into",
                                 file=str(path))
        written = []
        if html is not None:
            html.write_text(self.html, encoding="utf-8")
            written.append(html)
        if pdf is not None:
            written.append(write_pdf(self.html, pdf))
        return written


def produce_report(store: Store, *, as_of: date, config: ClocksConfig, generated_at: datetime,
                   quality_run_id: int | None = None, truth: Path | None = None) -> Report:
    """The report as of `as_of`, stamped `generated_at` (the one wall-clock time in it).

    It reads and never writes: a stale network is reported as such, and the data-quality
    figures are those of `quality_run_id` (default the newest run as of that date)."""
    if truth is not None and not truth.is_file():
        raise InputError(f"no truth file {truth}", file=str(truth))
    figures = gather(store, as_of=as_of, config=config, quality_run_id=quality_run_id,
                     truth=truth)
    return Report(figures, render_html(figures, config=config, generated_at=generated_at))
