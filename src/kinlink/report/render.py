"""Rendering the report: figures into HTML (Jinja2), HTML into PDF (WeasyPrint).

The HTML holds its charts as embedded PNGs, so the one file is the whole report. The
body depends only on the figures: the one wall-clock time in it is the generation stamp,
kept in its own element (`#generation-stamp`) at the end, so two reports of the same
inputs differ only there.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kinlink import __version__
from kinlink.errors import KinlinkError
from kinlink.quality.rules import RULES, RULES_BY_NAME
from kinlink.quality.scores import Score
from kinlink.report import charts
from kinlink.report.figures import ReportFigures
from kinlink.timeliness import ClocksConfig
from kinlink.timeliness.stats import NO_TEAM as NO_TEAM_LABEL

LISTED_CHILDREN = 25
"""Children waiting listed one by one (the riskiest and longest first, as the queue)."""


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    note: str


def _number(value: int | float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def _percent(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.1f}%" if value < 0.1 else f"{100 * value:.0f}%"


def _team(value: str | None) -> str:
    return value if value else NO_TEAM_LABEL


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def headlines(f: ReportFigures) -> list[Headline]:
    """The figures on the first page, each with where it comes from."""
    counts = f.alert_counts
    hidden_open = sum(counts[t]["open"] for t in ("unlinked-risk", "breach"))
    return [
        Headline("Children waiting", _number(len(f.waiting)),
                 f"{len(f.overdue):,} overdue; {len(f.not_recorded):,} more probably not "
                 "recorded (kinlink queue)"),
        Headline("Clocks breached", _number(f.breached),
                 f"referrals {f.timeliness.date_from:%d %b %Y} to "
                 f"{f.timeliness.date_to:%d %b %Y} (kinlink timeliness)"),
        Headline("Hidden risks open", _number(hidden_open),
                 "unlinked-risk and breach alerts (kinlink alerts)"),
        Headline("Alerts open", _number(sum(c["open"] for c in counts.values())),
                 f"of {len(f.alerts):,} raised (kinlink alerts)"),
        Headline("Probable duplicates", _number(f.quality_count("probable-duplicate")),
                 "records within one agency (kinlink quality show)"),
        Headline("Persons", _number(f.persons),
                 f"the records of {len({e.agency for e in f.extracts})} agencies resolve "
                 "into (kinlink resolve)"),
    ]


WORST_SHOWN = 5


def worst_scores(f: ReportFigures) -> list[Score]:
    """The highest data-quality rates by agency (ties: the larger count first)."""
    flagged = [s for s in f.quality_by_agency if s.count and s.rate is not None]
    return sorted(flagged, key=lambda s: (-(s.rate or 0), -s.count, s.rule,
                                          s.agency))[:WORST_SHOWN]


def waiting_by_team(f: ReportFigures) -> list[dict[str, Any]]:
    """Children waiting per team of the referral: waiting, overdue, longest wait."""
    teams: dict[str, list[Any]] = {}
    for item in f.queue:
        teams.setdefault(_team(item.team), []).append(item)
    return [{"team": team, "waiting": sum(1 for i in items if not i.not_recorded),
             "overdue": sum(1 for i in items if i.state == "overdue"),
             "longest": max((i.waited_days for i in items if not i.not_recorded), default=0),
             "not_recorded": sum(1 for i in items if i.not_recorded)}
            for team, items in sorted(teams.items(), key=lambda t: (t[0] == NO_TEAM_LABEL, t[0]))]


def duplicate_rows(f: ReportFigures) -> list[dict[str, Any]]:
    """Per agency: records held twice or more, and its split-identity alerts by status."""
    rows = []
    for s in f.quality_by_agency:
        if s.rule == "probable-duplicate":
            alerts = Counter(a.status for a in f.alerts
                             if a.type == "split-identity" and a.agency == s.agency)
            rows.append({"agency": s.agency, "count": s.count, "denominator": s.denominator,
                         **{k: alerts[k] for k in ("open", "acknowledged", "resolved")}})
    return rows


TEAM_COLUMNS = 4
"""Teams side by side in one scorecard table, so it fits the page; more make more tables."""


def _scorecard(found: list[Score], columns: list[tuple[str, str]]) -> dict[str, Any]:
    """Rules as rows and the given (agency, team) pairs as columns ("" team: the agency)."""
    cells = {(s.rule, s.agency, s.team or ""): s for s in found}
    return {"columns": columns, "cells": cells,
            "rules": [r for r in RULES if any(s.rule == r.name for s in found)]}


def scorecards(f: ReportFigures) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The scorecard by agency, and the scorecards by team (agencies with teams only), a
    few teams to a table."""
    agencies = sorted({s.agency for s in f.quality_by_agency})
    by_agency = _scorecard(f.quality_by_agency, [(a, "") for a in agencies])
    with_teams = {s.agency for s in f.quality_by_team if s.team}
    team_scores = [s for s in f.quality_by_team if s.agency in with_teams]
    columns = sorted({(s.agency, s.team or "") for s in team_scores},
                     key=lambda c: (c[0], c[1] == "", c[1]))
    return by_agency, [_scorecard(team_scores, columns[i:i + TEAM_COLUMNS])
                       for i in range(0, len(columns), TEAM_COLUMNS)]


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("kinlink.report", "templates"),
                      autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=_number, percent=_percent, team=_team)
    return env


def render_html(figures: ReportFigures, *, config: ClocksConfig, generated_at: datetime) -> str:
    """The whole report as one HTML document, charts embedded."""
    agencies = sorted({s.agency for s in figures.quality_by_agency})
    images = {"waits": _data_uri(charts.waits_chart(figures.waiting)),
              "clock_times": _data_uri(charts.clock_times_chart(figures.timeliness, config))}
    trends = {a: _data_uri(charts.trend_chart(figures.quality_trend, a)) for a in agencies}
    agency_card, team_cards = scorecards(figures)
    template = _environment().get_template("report.html")
    return template.render(
        f=figures, headlines=headlines(figures), images=images, trends=trends,
        agency_card=agency_card, team_cards=team_cards, worst=worst_scores(figures),
        rules=RULES, rule_by_name=RULES_BY_NAME, clocks=config.clocks,
        listed_children=figures.waiting[:LISTED_CHILDREN], waiting_teams=waiting_by_team(figures),
        duplicate_rows=duplicate_rows(figures), version=__version__,
        generated_at=generated_at)


def write_pdf(html: str, path: Path) -> Path:
    """Print the HTML to a PDF with WeasyPrint (which needs Pango from the system)."""
    try:
        from weasyprint import HTML
    except OSError as e:  # WeasyPrint loads Pango when imported
        raise KinlinkError("the PDF needs Pango (Debian: apt-get install libpango-1.0-0 "
                           f"libpangoft2-1.0-0 fonts-dejavu-core): {e}") from e
    HTML(string=html).write_pdf(path)
    return path
