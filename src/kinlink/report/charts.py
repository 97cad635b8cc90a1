"""The report's charts as PNG images, drawn for print (matplotlib, off-screen).

Times taken by completed clocks are the `kinlink timeliness --chart-dir` chart itself;
the others are drawn here in the same style: plain colours that survive a grey-scale
printer, labelled axes, whole numbers on count axes.
"""

from __future__ import annotations

import io
import math
import tempfile
import textwrap
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: draw to files only
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from kinlink.quality.rules import RULES_BY_NAME
from kinlink.quality.scores import TrendPoint
from kinlink.timeliness import ClocksConfig, QueueItem, TimelinessReport
from kinlink.timeliness.charts import waiting_time_chart

DPI = 150
OPEN, OVERDUE = "#4477aa", "#cc3311"


def _png(figure: Figure, *, bottom: float = 0.0) -> bytes:
    """The figure as PNG bytes, laid out tight above `bottom` (a share of its height kept
    for a footnote). No metadata that could vary: the same chart gives the same bytes."""
    figure.tight_layout(rect=(0, bottom, 1, 1))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(figure)
    return out.getvalue()


def waits_chart(queue: list[QueueItem]) -> bytes:
    """How long the children waiting now have waited: working days, open and overdue
    stacked, one bar per day while that stays readable."""
    figure, ax = plt.subplots(figsize=(7.2, 3.0))
    open_days = [i.waited_days for i in queue if i.state == "open"]
    overdue_days = [i.waited_days for i in queue if i.state == "overdue"]
    top = max(open_days + overdue_days, default=0)
    bins: range | int = range(0, top + 2) if top <= 60 else 30
    ax.hist([open_days, overdue_days], bins=bins, stacked=True, color=[OPEN, OVERDUE],
            label=[f"open ({len(open_days)})", f"overdue ({len(overdue_days)})"],
            align="left" if top <= 60 else "mid")
    ax.set_xlabel("working days waited so far")
    ax.set_ylabel("children waiting")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False)
    ax.set_title(f"Children waiting now ({len(queue)}), by time waited", loc="left")
    return _png(figure)


def clock_times_chart(report: TimelinessReport, config: ClocksConfig) -> bytes:
    """The time completed clocks took: the `kinlink timeliness` chart."""
    with tempfile.TemporaryDirectory() as folder:
        return waiting_time_chart(report, config, Path(folder) / "times.png").read_bytes()


def trend_chart(points: list[TrendPoint], agency: str) -> bytes:
    """One agency's rate of each rule over the runs, a small panel per rule, so lines never
    hide each other. Rules that flagged nothing in any run get no panel; they are named
    below the panels instead."""
    runs = sorted({(p.run_id, p.as_of) for p in points})
    labels = [f"{as_of:%d %b}\nrun {run_id}" for run_id, as_of in runs]
    position = {run_id: i for i, (run_id, _) in enumerate(runs)}
    series: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for p in points:
        if p.score.agency == agency and p.score.rate is not None:
            series[p.score.rule].append((position[p.run_id], 100 * p.score.rate))
    drawn = {r: v for r, v in series.items() if any(y > 0 for _, y in v)}
    columns = 4
    rows = max(1, math.ceil(len(drawn) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(7.2, 1.75 * rows + 0.5),
                                squeeze=False, sharex=True)
    for ax, (rule, values) in zip(axes.flat, drawn.items(), strict=False):
        xs, ys = zip(*values, strict=True)
        ax.plot(xs, ys, marker="o", color=OPEN)
        ax.set_title(textwrap.fill(RULES_BY_NAME[rule].label, 24), fontsize=7.5, loc="left")
        ax.set_ylim(0, min(100.0, max(5.0, math.ceil(max(ys) * 1.25))))
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.tick_params(labelsize=6.5)
        ax.set_xticks(range(len(labels)), labels)
        ax.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
    for ax in list(axes.flat)[len(drawn):]:
        ax.axis("off")
    if not drawn:
        axes.flat[0].text(0, 0.5, "No record flagged by any rule in any run.",
                          transform=axes.flat[0].transAxes, fontsize=9, color="#505a5f")
    figure.suptitle(f"{agency}: share of records flagged, run by run", x=0.01, ha="left",
                    fontsize=10)
    quiet = [RULES_BY_NAME[r].label for r in series if r not in drawn]
    if quiet and drawn:
        figure.text(0.01, 0.005, textwrap.fill("At 0% in every run: " + "; ".join(quiet), 150),
                    fontsize=6.5, color="#505a5f", va="bottom")
    return _png(figure, bottom=0.06 if quiet and drawn else 0.0)
