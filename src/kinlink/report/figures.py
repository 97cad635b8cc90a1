"""Gathering every figure of the inspection report from the functions the commands use.

Nothing here counts anything its own way: children waiting come from `build_queue` (as
`kinlink queue`), clock times from `timeliness_report` (as `kinlink timeliness`), alerts
from `list_alerts` (as `kinlink alerts`), data quality from the stored scores (as
`kinlink quality show`), review counts from the review queue (as `kinlink review list`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import func, select

from kinlink.errors import NotFoundError
from kinlink.ingest.loader import file_digest
from kinlink.linkage.evaluate import store_cluster_scores
from kinlink.linkage.model import LinkageModel, load_model
from kinlink.linkage.resolve import REVIEW_BAND
from kinlink.network import Alert, all_alerts, get_alert
from kinlink.network.detect import ALERT_TYPES
from kinlink.network.graph import NetworkStatus, network_status
from kinlink.quality.scores import (
    QualityRun,
    Score,
    TrendPoint,
    get_run,
    newest_run,
    scores,
    trend,
)
from kinlink.review import STATUSES as REVIEW_STATUSES
from kinlink.review import count_review_items, latest_decisions
from kinlink.store import Store
from kinlink.store.schema.identity import persons
from kinlink.store.schema.resolution import resolution_runs
from kinlink.store.schema.source import ingest_runs
from kinlink.timeliness import (
    ClocksConfig,
    QueueItem,
    TimelinessReport,
    build_queue,
    evaluate_cases,
    timeliness_report,
)
from kinlink.timeliness.evaluate import moment

PERIOD_DAYS = 365
"""Clock times are reported for the referrals of the year up to the as-of date, as
`kinlink timeliness` does by default."""
HIDDEN_RISK_TYPES = ("unlinked-risk", "breach")
"""Alert types that are a hidden risk to a child (the others are record-keeping)."""
LISTED_ALERTS = 40
"""Hidden-risk alerts listed one by one; the rest are counted (the command lists them all)."""


@dataclass(frozen=True)
class ExtractUsed:
    """One ingest run the report's figures rest on."""

    run_id: int
    agency: str
    source_path: str
    finished_at: datetime | None
    files: list[dict[str, Any]]  # table, file, read, sha256 ("" when not recorded)


@dataclass(frozen=True)
class AlertLine:
    """One hidden-risk alert and what happened to it: its status and latest change."""

    id: int
    type: str
    status: str
    person_id: str
    agency: str | None
    summary: str
    last_change: str  # who changed it last, when, and why


@dataclass(frozen=True)
class LinkageFigures:
    """How the records were linked: the run, its model and settings, and accuracy."""

    run: dict[str, Any] | None  # the newest finished resolution run
    model: LinkageModel | None
    review_band: tuple[float, float]
    accuracy: dict[str, float] | None  # against a truth, when one was given
    truth: str | None


@dataclass
class ReportFigures:
    """Everything the report shows, as of one date."""

    as_of: date
    extracts: list[ExtractUsed]
    network: NetworkStatus
    clocks_source: str
    queue: list[QueueItem]
    timeliness: TimelinessReport
    alerts: list[Alert]
    hidden_risks: list[AlertLine]
    quality_run: QualityRun | None
    quality_by_agency: list[Score]
    quality_by_team: list[Score]
    quality_trend: list[TrendPoint]
    review_counts: dict[str, int]
    decisions: dict[str, int]
    linkage: LinkageFigures
    persons: int
    clocks_sha256: str

    @property
    def alert_counts(self) -> dict[str, dict[str, int]]:
        """Alerts by type, then by status (open, acknowledged, resolved)."""
        counts = Counter((a.type, a.status) for a in self.alerts)
        return {t: {s: counts[(t, s)] for s in ("open", "acknowledged", "resolved")}
                for t in ALERT_TYPES}

    @property
    def hidden_risk_counts(self) -> dict[str, int]:
        """Hidden-risk alerts still found, by status, and those no longer found (the records
        changed)."""
        found = [a for a in self.alerts if a.type in HIDDEN_RISK_TYPES and a.detected]
        counts = Counter(a.status for a in found)
        return {"found": len(found), **{s: counts[s] for s in ("open", "acknowledged",
                                                                 "resolved")},
                "no_longer_found": sum(1 for a in self.alerts if a.type in HIDDEN_RISK_TYPES
                                         and not a.detected)}

    @property
    def waiting(self) -> list[QueueItem]:
        """The children really waiting (as `kinlink queue` counts them)."""
        return [i for i in self.queue if not i.not_recorded]

    @property
    def overdue(self) -> list[QueueItem]:
        return [i for i in self.waiting if i.state == "overdue"]

    @property
    def not_recorded(self) -> list[QueueItem]:
        """Referrals the queue sets apart as probably done but not recorded."""
        return [i for i in self.queue if i.not_recorded]

    @property
    def breached(self) -> int:
        """Clocks of the period that stopped late (completed but not in time)."""
        return sum(f.completed - f.in_time for f in self.timeliness.total.clocks.values())

    def quality_count(self, rule: str) -> int:
        return sum(s.count for s in self.quality_by_agency if s.rule == rule)


def what_was_found(alert: Alert) -> str:
    """The alert in words that name persons by id only (the stored summary has names: a
    report sent outside the system carries no more than it needs)."""
    evidence = alert.evidence
    if alert.type == "unlinked-risk":
        markers = ", ".join(dict.fromkeys(m["marker"] for m in evidence.get("markers", [])))
        why = ", ".join(evidence.get("hidden_because", []))
        return (f"child {alert.person_id}: {evidence.get('role', 'adult')} "
                f"{alert.other_person_id} has {markers}, on a record no agency links to the "
                f"child ({why})")
    if alert.type == "breach":
        return (f"{alert.person_id}, protected by an order, lives with its respondent "
                f"{alert.other_person_id}")
    return alert.summary


def _alert_line(store: Store, alert: Alert) -> AlertLine:
    last = get_alert(store, alert.id).history[-1]
    change = f"{last.to_status} by {last.actor} on {last.at:%Y-%m-%d}: {last.reason}"
    return AlertLine(alert.id, alert.type, alert.status, alert.person_id, alert.agency,
                     what_was_found(alert), change)


def hidden_risks(store: Store, alerts: list[Alert]) -> list[AlertLine]:
    """The hidden-risk alerts still found, each with its latest change: those a person acted
    on first (what happened to them is the point), then the open ones."""
    order = {"acknowledged": 0, "resolved": 1, "open": 2}
    found = sorted((a for a in alerts if a.type in HIDDEN_RISK_TYPES and a.detected),
                   key=lambda a: (order[a.status], a.id))
    return [_alert_line(store, a) for a in found[:LISTED_ALERTS]]


def extracts_used(store: Store) -> list[ExtractUsed]:
    """Every finished ingest run, oldest first, with each file's digest."""
    with store.connect() as conn:
        rows = conn.execute(select(ingest_runs).where(ingest_runs.c.finished_at.is_not(None))
                            .order_by(ingest_runs.c.id)).mappings().all()
    return [ExtractUsed(r["id"], r["agency"], r["source_path"], r["finished_at"],
                        [{"table": table, "file": f.get("file", ""), "read": f.get("read", 0),
                          "sha256": f.get("sha256", "")} for table, f in r["files"].items()])
            for r in rows]


def linkage_figures(store: Store, truth: Path | None) -> LinkageFigures:
    """The newest resolution run, the model it used, and its accuracy against `truth`."""
    with store.connect() as conn:
        run = conn.execute(select(resolution_runs).where(resolution_runs.c.status == "done")
                           .order_by(resolution_runs.c.id.desc()).limit(1)).mappings().first()
    model = None
    if run is not None and run["model_version"] is not None:
        try:
            model = load_model(store, run["model_version"])
        except NotFoundError:
            model = None
    accuracy = None
    if truth is not None:
        records = pl.read_csv(truth, infer_schema=False)
        accuracy = store_cluster_scores(store, records.select("agency", "record_id",
                                                              "person_id"))
    return LinkageFigures(dict(run) if run else None, model, REVIEW_BAND, accuracy,
                          str(truth) if truth else None)


def _review_figures(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    counts = {s: count_review_items(store, status=s) for s in REVIEW_STATUSES}
    with store.connect() as conn:
        decided = Counter(d.decision for d in latest_decisions(conn).values())
    return counts, dict(sorted(decided.items()))


def _quality(store: Store, run: QualityRun | None, as_of: date
             ) -> tuple[list[Score], list[Score], list[TrendPoint]]:
    if run is None:
        return [], [], []
    points = [p for p in trend(store) if p.as_of <= as_of and p.run_id <= run.id]
    return (scores(store, run_id=run.id), scores(store, run_id=run.id, by="team"), points)


def gather(store: Store, *, as_of: date, config: ClocksConfig,
           quality_run_id: int | None = None, truth: Path | None = None) -> ReportFigures:
    """Every figure of the report as of `as_of` (the clocks at the end of that day), with
    the given data-quality run (default the newest as of that date or before)."""
    at = moment(as_of)
    network = network_status(store)  # before anything reads the network
    evaluated = evaluate_cases(store, as_of=at, config=config)
    queue = build_queue(store, as_of=at, config=config, evaluated=evaluated)
    period = timeliness_report(store, date_from=as_of - timedelta(days=PERIOD_DAYS),
                               date_to=as_of, by="team", as_of=at, config=config,
                               evaluated=evaluated)
    alerts = all_alerts(store)
    run = get_run(store, quality_run_id) if quality_run_id else newest_run(store, as_of)
    by_agency, by_team, points = _quality(store, run, as_of)
    counts, decisions = _review_figures(store)
    with store.connect() as conn:
        active = conn.execute(select(func.count()).select_from(persons)
                              .where(persons.c.status == "active")).scalar_one()
    return ReportFigures(
        as_of=as_of, extracts=extracts_used(store), network=network,
        clocks_source=config.source, queue=queue, timeliness=period, alerts=alerts,
        hidden_risks=hidden_risks(store, alerts), quality_run=run,
        quality_by_agency=by_agency, quality_by_team=by_team, quality_trend=points,
        review_counts=counts, decisions=decisions, linkage=linkage_figures(store, truth),
        persons=int(active), clocks_sha256=file_digest(Path(config.source)))
