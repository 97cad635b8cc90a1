"""/api/review, /api/alerts, /api/queue, /api/quality: the work lists and their changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from kinlink.quality.figures import quality_figures
from kinlink.timeliness.rag import rag_status
from kinlink.web.api.models import (
    AlertOut,
    AlertStatusIn,
    DecisionIn,
    DecisionOut,
    InboxOut,
    PairComparisonOut,
    QualityOut,
    QueueItemOut,
    ReviewPageOut,
    UndoIn,
)
from kinlink.web.api.persons import ERRORS
from kinlink.web.auth import CurrentActor, core_of

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/review", tags=["review"])
def review_items(request: Request, actor: CurrentActor, status: str | None = "open",
                 agency: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 20,
                 offset: Annotated[int, Query(ge=0)] = 0) -> ReviewPageOut:
    """Pairs of records waiting for a decision, the most likely matches first."""
    found = core_of(request).review.list(actor, status=status, agency=agency,
                                               limit=limit, offset=offset)
    return ReviewPageOut.model_validate(found)


@router.get("/review/{item_id}", tags=["review"])
def review_item(request: Request, actor: CurrentActor, item_id: int) -> PairComparisonOut:
    """The pair's two records and each field's comparison with its weight."""
    return PairComparisonOut.model_validate(core_of(request).review.compare(actor, item_id))


@router.post("/review/{item_id}/decision", tags=["review"])
def review_decide(request: Request, actor: CurrentActor, item_id: int,
                  body: DecisionIn) -> DecisionOut:
    """Decide: the same person, not the same, or unsure (kept; the next run honours it)."""
    core = core_of(request)
    item = core.review.get(actor, item_id)
    return DecisionOut.model_validate(core.review.decide(
        actor, item.uid_l, item.uid_r, body.decision, reason=body.reason))


@router.post("/review/{item_id}/undo", tags=["review"])
def review_undo(request: Request, actor: CurrentActor, item_id: int,
                body: UndoIn) -> DecisionOut:
    """Undo the decision in force: the one before returns, or the pair is unsure again."""
    core = core_of(request)
    item = core.review.get(actor, item_id)
    return DecisionOut.model_validate(core.review.undo(actor, item.uid_l, item.uid_r,
                                                       reason=body.reason))


@router.get("/alerts", tags=["alerts"])
def alerts(request: Request, actor: CurrentActor, status: str | None = "open",
           type: str | None = None, agency: str | None = None,
           team: str | None = None) -> InboxOut:
    """Alerts grouped by child, ranked by marker severity, closeness and recency."""
    found = core_of(request).alerts.inbox(actor, status=status, type=type,
                                                agency=agency, team=team)
    return InboxOut.model_validate(found)


@router.get("/alerts/{alert_id}", tags=["alerts"])
def alert(request: Request, actor: CurrentActor, alert_id: int) -> AlertOut:
    """One alert with the history of its status."""
    return AlertOut.model_validate(core_of(request).alerts.get(actor, alert_id))


@router.post("/alerts/{alert_id}/status", tags=["alerts"])
def alert_status(request: Request, actor: CurrentActor, alert_id: int,
                 body: AlertStatusIn) -> AlertOut:
    """Acknowledge, resolve or reopen an alert, saying why."""
    return AlertOut.model_validate(core_of(request).alerts.change(
        actor, alert_id, body.status, reason=body.reason))


@router.get("/queue", tags=["queue"])
def queue(request: Request, actor: CurrentActor, team: str | None = None,
          limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> list[QueueItemOut]:
    """Children waiting, riskiest and longest first, with working days and red/amber/green."""
    waiting = core_of(request).timeliness.queue(actor, team=team, limit=limit)
    return [QueueItemOut(rank=i.rank, child=i.child_key, child_name=waiting.name_of(i),
                         referral_id=i.referral_id,
                         agency=i.agency, team=i.team, waiting_for=i.clock.name,
                         working_days_waited=i.waited_days, due=i.clock.due_at,
                         rag=rag_status(i.clock, waiting.as_of), risk_level=i.risk.level)
            for i in waiting.items]


@router.get("/quality", tags=["quality"])
def quality(request: Request, actor: CurrentActor) -> QualityOut:
    """Data-quality findings counted by agency, rule and severity; records and quarantine."""
    core = core_of(request)
    return QualityOut.model_validate(quality_figures(core.quality.findings(actor),
                                                     core.ingest.status(actor)))
