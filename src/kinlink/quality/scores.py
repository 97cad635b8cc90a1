"""Running the data-quality rules, keeping each run's scores, and reading them back.

A run judges every rule as of one date, keeps its scores (count and denominator per rule,
agency and team) in `quality_runs` / `quality_scores` for ever, so trends show, and
replaces the `quality` area's findings with the records behind this run's counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import polars as pl
from sqlalchemy import func, insert, select

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.errors import InputError, NotFoundError
from kinlink.network.graph import latest_build
from kinlink.quality.findings import Finding, replace_findings
from kinlink.quality.inputs import load_inputs, newest_ingest_runs
from kinlink.quality.rules import RULES, RULES_BY_NAME, Outcome, Rule
from kinlink.store import Store
from kinlink.store.schema.quality import quality_runs, quality_scores

AREA = "quality"
"""The `area` of the findings the rules record."""
Grouping = Literal["agency", "team"]


@dataclass(frozen=True)
class Score:
    """A rule's count and rate for one agency (and team, when scored by team)."""

    rule: str
    agency: str
    team: str | None  # None: every team of the agency together; "": records of no team
    count: int
    denominator: int

    @property
    def label(self) -> str:
        return RULES_BY_NAME[self.rule].label

    @property
    def rate(self) -> float | None:
        """Flagged records as a share of the records looked at (None: nothing to look at)."""
        return self.count / self.denominator if self.denominator else None

    def as_row(self) -> dict[str, Any]:
        """The score as one flat row, for CSV and JSON."""
        rule = RULES_BY_NAME[self.rule]
        return {"rule": self.rule, "label": rule.label, "agency": self.agency,
                "team": self.team, "count": self.count, "denominator": self.denominator,
                "denominator_is": rule.denominator,
                "rate": None if self.rate is None else round(self.rate, 6)}


@dataclass(frozen=True)
class QualityRun:
    """One run of the rules: when, as of when, on which network and extracts."""

    id: int
    started_at: datetime
    as_of: date
    network_build_id: int | None
    ingest_run_ids: dict[str, int]
    findings: int


def _counts(rule: Rule, outcome: Outcome) -> pl.DataFrame:
    group = ["agency", "team"]
    looked = outcome.population.group_by(group).agg(denominator=pl.len())
    flagged = outcome.flagged.group_by(group).agg(count=pl.len())
    return (looked.join(flagged, on=group, how="full", coalesce=True)
            .with_columns(pl.col("count", "denominator").fill_null(0).cast(pl.Int64),
                          rule=pl.lit(rule.name)).sort(group))


def _findings(rule: Rule, outcome: Outcome) -> Iterable[Finding]:
    for agency, team, key, reason in outcome.flagged.iter_rows():
        yield Finding(agency, rule.table, key, rule.name, reason, rule.severity,
                      team=team or None)


def run_quality(store: Store, *, as_of: date, clock: Clock = SYSTEM_CLOCK) -> QualityRun:
    """Judge every rule as of `as_of`, keep the scores and replace the findings."""
    inputs = load_inputs(store, as_of)
    outcomes = [(rule, rule.check(inputs)) for rule in RULES]
    counts = pl.concat([_counts(rule, outcome) for rule, outcome in outcomes])
    findings = [f for rule, outcome in outcomes for f in _findings(rule, outcome)]
    values: dict[str, Any] = {
        "started_at": clock.now().replace(microsecond=0),
        "as_of": datetime.combine(as_of, datetime.min.time()),
        "network_build_id": inputs.network_build_id, "ingest_run_ids": inputs.ingest_run_ids,
        "findings": len(findings)}
    with store.begin() as conn:
        run_id = conn.execute(insert(quality_runs).values(**values)
                              .returning(quality_runs.c.id)).scalar_one()
        rows = [dict(r, run_id=run_id) for r in counts.select(
            "rule", "agency", "team", "count", "denominator").iter_rows(named=True)]
        if rows:
            conn.execute(insert(quality_scores), rows)
        replace_findings(conn, area=AREA, findings=findings, run_id=run_id, clock=clock)
    return QualityRun(run_id, values["started_at"], as_of, inputs.network_build_id,
                      inputs.ingest_run_ids, len(findings))


def _run(row: Any) -> QualityRun:
    return QualityRun(row["id"], row["started_at"], row["as_of"].date(),
                      row["network_build_id"], dict(row["ingest_run_ids"]), row["findings"])


def list_runs(store: Store) -> list[QualityRun]:
    """Every run of the rules, oldest first."""
    with store.connect() as conn:
        rows = conn.execute(select(quality_runs).order_by(quality_runs.c.id)).mappings().all()
    return [_run(r) for r in rows]


def get_run(store: Store, run_id: int | None = None) -> QualityRun:
    """A run by id, or the newest; NotFoundError when there is none."""
    query = select(quality_runs).order_by(quality_runs.c.id.desc()).limit(1)
    if run_id is not None:
        query = select(quality_runs).where(quality_runs.c.id == run_id)
    with store.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFoundError(f"no data-quality run {run_id}" if run_id is not None else
                            "no data-quality run yet: run `kinlink quality run` first")
    return _run(row)


def _check_rule(rule: str | None) -> None:
    if rule is not None and rule not in RULES_BY_NAME:
        raise InputError(f"unknown rule {rule!r}; choose from {', '.join(RULES_BY_NAME)}",
                         field="rule")


def scores(store: Store, *, run_id: int | None = None, by: Grouping = "agency",
           agency: str | None = None, team: str | None = None,
           rule: str | None = None) -> list[Score]:
    """A run's scores (the newest by default), per agency or per agency and team, in rule
    order. `team` keeps one team (any case); `team=""` the records of no team."""
    _check_rule(rule)
    run = get_run(store, run_id)
    s = quality_scores.c
    keys = [s.rule, s.agency] + ([s.team] if by == "team" else [])
    query = (select(*keys, func.sum(s.count), func.sum(s.denominator))
             .where(s.run_id == run.id).group_by(*keys))
    if agency is not None:
        query = query.where(s.agency == agency)
    if team is not None:
        query = query.where(func.lower(s.team) == team.casefold())
    if rule is not None:
        query = query.where(s.rule == rule)
    with store.connect() as conn:
        rows = conn.execute(query).all()
    found = [Score(r[0], r[1], r[2] if by == "team" else None, int(r[-2]), int(r[-1]))
             for r in rows]
    order = {r.name: i for i, r in enumerate(RULES)}
    return sorted(found, key=lambda x: (order[x.rule], x.agency, x.team or ""))


@dataclass(frozen=True)
class TrendPoint:
    """A rule's score for one agency (or team) in one run."""

    run_id: int
    as_of: date
    score: Score


def trend(store: Store, *, agency: str | None = None, team: str | None = None,
          rule: str | None = None) -> list[TrendPoint]:
    """Every run's scores per agency (one team's, when given), oldest run first."""
    points = []
    for run in list_runs(store):
        for score in scores(store, run_id=run.id, agency=agency, team=team, rule=rule,
                            by="team" if team is not None else "agency"):
            points.append(TrendPoint(run.id, run.as_of, score))
    return points


def newest_run(store: Store, as_of: date) -> QualityRun | None:
    """The newest run as of `as_of` or before, if any."""
    return next((r for r in reversed(list_runs(store)) if r.as_of <= as_of), None)


def matching_run(store: Store, as_of: date) -> QualityRun | None:
    """The newest run as of `as_of` if it judged the records as they are now (the same
    ingest runs and network build), so a report of unchanged inputs reuses it and the
    trend does not grow."""
    with store.connect() as conn:
        build = latest_build(conn)
        now = (newest_ingest_runs(conn), build["id"] if build else None)
    return next((r for r in reversed(list_runs(store)) if r.as_of == as_of
                 and (r.ingest_run_ids, r.network_build_id) == now), None)
