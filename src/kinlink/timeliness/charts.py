"""Charts of a timeliness report, as PNG files (matplotlib, drawn off-screen)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: draw to files only
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from kinlink.files import writing
from kinlink.timeliness.config import ClocksConfig
from kinlink.timeliness.stats import TimelinessReport, group_figures


def _save(figure: Figure, path: Path) -> Path:
    figure.tight_layout()
    try:
        with writing(path) as temporary:
            figure.savefig(temporary, dpi=100, format=path.suffix.lstrip(".").lower() or "png")
    finally:
        plt.close(figure)
    return path


def waiting_time_chart(report: TimelinessReport, config: ClocksConfig, path: Path) -> Path:
    """Histogram of the time each reported clock took, one panel per clock, with its limit
    as a dashed line."""
    panels = max(len(report.clocks), 1)
    figure, axes = plt.subplots(1, panels, figsize=(5 * panels, 4), squeeze=False)
    for ax, name in zip(axes[0], report.clocks, strict=False):
        clock = config.clocks[name]
        states = [s for c in report.cases if (s := c.clock(name)) is not None]
        times = [s.waited for s in states if s.status.done and s.waited is not None
                 and s.waited >= 0]
        top = max(times, default=0)
        # Whole working days get one bar each while that stays readable.
        bins = range(0, math.floor(top) + 2) if top <= 60 else 30
        ax.hist(times, bins=bins, color="#4477aa", align="left" if top <= 60 else "mid")
        limit = clock.working_days or (clock.working_hours
                                       if isinstance(clock.working_hours, int | float) else None)
        if limit:
            # Bars sit on whole days, so the boundary between in time and late is half a day on.
            edge = limit + 0.5 if top <= 60 else limit
            ax.axvline(edge, color="#cc3311", linestyle="--", label=f"limit {limit:g}")
            ax.legend()
        ax.set_title(f"{clock.label} ({len(times)} done)")
        ax.set_xlabel(clock.unit if clock.unit != "months" else "working days")
        ax.set_ylabel("referrals")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.suptitle(f"Time taken, referrals {report.date_from} to {report.date_to}")
    return _save(figure, path)


def share_chart(report: TimelinessReport, by: str, path: Path, title: str) -> Path:
    """Share of completed clocks within timescale per group: a line over months, or bars
    per team. A group where nothing completed has no point (not a zero)."""
    groups = group_figures(report.cases, by, report.clocks)
    names = [g.group for g in groups]
    width = 0.8 / max(len(report.clocks), 1)
    figure, ax = plt.subplots(figsize=(max(6, len(names) * 0.8), 4))
    for i, clock in enumerate(report.clocks):
        shares = [100 * s if (s := g.clocks[clock].share_in_time) is not None else math.nan
                  for g in groups]
        label = groups[0].clocks[clock].label if groups else clock
        if by == "month":
            ax.plot(names, shares, marker="o", label=label)
        else:
            ax.bar([x + i * width for x in range(len(names))], shares, width=width, label=label)
    if by != "month":
        ax.set_xticks([x + width * (len(report.clocks) - 1) / 2 for x in range(len(names))],
                      names)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% within timescale")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=45)
    if report.clocks and names:
        ax.legend()
    return _save(figure, path)


def write_charts(report: TimelinessReport, config: ClocksConfig, directory: Path) -> list[Path]:
    """Write the three charts into `directory` (created if needed); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        waiting_time_chart(report, config, directory / "waiting_times.png"),
        share_chart(report, "month", directory / "share_in_time_by_month.png",
                    "Share within timescale, by month of referral"),
        share_chart(report, "team", directory / "share_in_time_by_team.png",
                    "Share within timescale, by team"),
    ]
