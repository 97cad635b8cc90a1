"""What the data-quality rules read: the current records, their persons, teams and clocks.

Read once per run, so every rule judges the same records as of the same date. The rules
about children read the stored network (who is a child, who has a parent): a run on a
store whose network was never built judges those rules on no children, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, select

from kinlink.ingest.loader import FINDINGS_AREA as INGEST_FINDINGS
from kinlink.ingest.loader import SET_ASIDE_RULE
from kinlink.network import all_alerts
from kinlink.network.graph import children_on, latest_build
from kinlink.network.load import SourceFrames, load_sources
from kinlink.store import Store
from kinlink.store.schema.network import network_edges
from kinlink.store.schema.quality import quality_findings
from kinlink.store.schema.resolution import review_items
from kinlink.store.schema.source import ingest_runs, quarantine
from kinlink.timeliness import CaseTimeliness, evaluate_cases

CARER_RELATIONS = ("parent", "step-parent", "carer")
"""Relations that make an adult a child's parent or carer (as edges stored from the child)."""

NO_TEAM = ""
"""The team of a record no referral places in a team (most records outside social care)."""


@dataclass
class QualityInputs:
    """Everything the rules judge, as of one date."""

    as_of: date
    sources: SourceFrames
    people: pl.DataFrame  # current people rows + uid, person_id, team
    children: frozenset[str]  # person ids under 18 on `as_of`
    with_carer: frozenset[str]  # person ids with a current parent or carer edge
    cases: list[CaseTimeliness]
    refused_people: pl.DataFrame  # people rows quarantined by each agency's newest ingest
    set_aside_nhs: pl.DataFrame  # agency, record_id, reason: NHS numbers ingest stored as unknown
    uncertain_pairs: pl.DataFrame  # open review items inside one agency: agency, uid_l, uid_r
    named_at_incidents: dict[tuple[str, str], list[str]]  # children named, not recorded
    network_build_id: int | None
    ingest_run_ids: dict[str, int]

    def team_of(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` (with `agency` and `record_id`) with the `team` of each record added."""
        teams = self.people.select("agency", "record_id", "team")
        return frame.join(teams, on=["agency", "record_id"], how="left").with_columns(
            pl.col("team").fill_null(NO_TEAM))


def record_teams(cases: list[CaseTimeliness]) -> pl.DataFrame:
    """Each referred record's team: the team of its newest referral (by referral date)."""
    rows = [(c.case.agency, c.case.record_id, c.case.team or NO_TEAM, c.case.referral_date)
            for c in cases]
    frame = pl.DataFrame(rows, schema={"agency": pl.String, "record_id": pl.String,
                                       "team": pl.String, "referral_date": pl.Datetime("us")},
                         orient="row")
    return (frame.sort("referral_date", nulls_last=False)
            .group_by("agency", "record_id", maintain_order=True).last()
            .select("agency", "record_id", "team"))


def newest_ingest_runs(conn: Connection) -> dict[str, int]:
    """The newest finished ingest run of each agency."""
    rows = conn.execute(select(ingest_runs.c.agency, func.max(ingest_runs.c.id))
                        .where(ingest_runs.c.finished_at.is_not(None))
                        .group_by(ingest_runs.c.agency)).all()
    return {agency: int(run_id) for agency, run_id in sorted(rows)}


def _refused_people(conn: Connection, runs: dict[str, int]) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    if runs:
        rows = [dict(r) for r in conn.execute(
            select(quarantine.c.agency, quarantine.c.row_number, quarantine.c.raw)
            .where(quarantine.c.table_name == "people",
                   quarantine.c.ingest_run_id.in_(list(runs.values())))
            .order_by(quarantine.c.agency, quarantine.c.row_number)).mappings()]
    return pl.DataFrame(
        [(r["agency"], r["row_number"], (r["raw"] or {}).get("record_id"),
          (r["raw"] or {}).get("nhs_number")) for r in rows],
        schema={"agency": pl.String, "row_number": pl.Int64, "record_id": pl.String,
                "nhs_number": pl.String}, orient="row")


def _set_aside_nhs(conn: Connection) -> pl.DataFrame:
    """The people records whose NHS number ingest set aside as invalid (kept the record,
    stored the number as unknown), with the ingest's reason naming file, row and value."""
    f = quality_findings.c
    rows = conn.execute(select(f.agency, f.record_key, f.reason).where(
        f.area == INGEST_FINDINGS, f.table_name == "people", f.rule == SET_ASIDE_RULE,
        f.reason.like("%: nhs_number %"))).all()
    return pl.DataFrame(rows, schema={"agency": pl.String, "record_id": pl.String,
                                      "reason": pl.String}, orient="row")


def _with_carer(conn: Connection, on: date) -> frozenset[str]:
    e = network_edges.c
    rows = conn.execute(select(e.person_id, e.to_date).where(e.relation.in_(CARER_RELATIONS)))
    return frozenset(person for person, to_date in rows if to_date is None or to_date >= on)


def _uncertain_pairs(conn: Connection) -> pl.DataFrame:
    r = review_items.c
    rows = conn.execute(select(r.agency_l, r.uid_l, r.uid_r).where(
        r.agency_l == r.agency_r, r.status == "open")).all()
    return pl.DataFrame([tuple(row) for row in rows], orient="row",
                        schema={"agency": pl.String, "uid_l": pl.String, "uid_r": pl.String})


def children_named_at_incidents(store: Store) -> dict[tuple[str, str], list[str]]:
    """(agency, incident id) -> the children the network found named in the incident's
    summary but not recorded at it (its current wrong-place alerts' structured evidence)."""
    named: dict[tuple[str, str], list[str]] = {}
    for alert in all_alerts(store, type="wrong-place"):
        incident = alert.evidence.get("incident")
        if alert.detected and incident:
            agency, _, incident_id = incident.partition(":")
            named.setdefault((agency, incident_id), []).append(alert.person_id)
    return named


def load_inputs(store: Store, as_of: date) -> QualityInputs:
    """Read what every rule needs, as of `as_of`."""
    cases = evaluate_cases(store, as_of=as_of)
    with store.connect() as conn:
        sources = load_sources(conn)
        build = latest_build(conn)
        runs = newest_ingest_runs(conn)
        refused = _refused_people(conn, runs)
        set_aside = _set_aside_nhs(conn)
        with_carer = _with_carer(conn, as_of)
        uncertain = _uncertain_pairs(conn)
    people = sources.person_of(sources.people).join(
        record_teams(cases), on=["agency", "record_id"], how="left").with_columns(
        pl.col("team").fill_null(NO_TEAM))
    children = frozenset(children_on(store, as_of)) if build else frozenset()
    return QualityInputs(as_of, sources, people, children, with_carer, cases, refused,
                         set_aside, uncertain, children_named_at_incidents(store),
                         build["id"] if build else None, runs)
