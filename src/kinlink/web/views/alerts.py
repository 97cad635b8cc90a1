"""The alerts inbox: grouped by child, ranked by what matters, with status changes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from kinlink.ingest.format import AGENCIES
from kinlink.network.alerts import STATUSES
from kinlink.network.detect import ALERT_TYPES
from kinlink.network.triage import NEXT_STEPS, rank_alert
from kinlink.web.auth import CurrentActor, core_of
from kinlink.web.templating import render

router = APIRouter(include_in_schema=False)
CHILDREN_PER_PAGE = 20


@router.get("/alerts")
def inbox(request: Request, actor: CurrentActor, status: str = "open", type: str = "",
          agency: str = "", team: str = "",
          page: Annotated[int, Query(ge=1)] = 1) -> Response:
    core = core_of(request)
    found = core.alerts.inbox(actor, status=status or None, type=type or None,
                              agency=agency or None, team=team or None)
    chosen = {"status": status, "type": type, "agency": agency, "team": team}
    pages = max(1, -(-len(found.children) // CHILDREN_PER_PAGE))
    start = (page - 1) * CHILDREN_PER_PAGE

    def page_url(number: int) -> str:
        return "/alerts?" + urlencode({**{k: v for k, v in chosen.items() if v},
                                       "page": number})

    return render(request, "alerts.html", title="Alerts", inbox=found,
                  children=found.children[start:start + CHILDREN_PER_PAGE], page=page,
                  pages=pages, page_url=page_url, chosen=chosen, steps=NEXT_STEPS,
                  status_options=_options(STATUSES), type_options=_options(ALERT_TYPES),
                  agency_options=_options(AGENCIES),
                  team_options=[(t, t) for t in found.teams])


@router.get("/alerts/{alert_id}")
def alert(request: Request, actor: CurrentActor, alert_id: int,
          changed: str | None = None) -> Response:
    return _page(request, actor, alert_id, changed=changed, errors={})


@router.post("/alerts/{alert_id}/status")
def change(request: Request, actor: CurrentActor, alert_id: int,
           status: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    errors = {}
    if status not in STATUSES:
        errors["status"] = "Choose the alert's new status"
    if not reason.strip():
        errors["reason"] = "Say why: it is kept in the alert's history"
    if errors:
        return _page(request, actor, alert_id, changed=None, errors=errors, status_code=400)
    core_of(request).alerts.change(actor, alert_id, status, reason=reason)
    return RedirectResponse(f"/alerts/{alert_id}?changed={status}", status_code=303)


def _options(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """(value, words) of each choice of a filter."""
    return [(v, v.replace("-", " ").capitalize()) for v in values]


def _page(request: Request, actor: CurrentActor, alert_id: int, *, changed: str | None,
          errors: dict[str, str], status_code: int = 200) -> Response:
    core = core_of(request)
    found = core.alerts.get(actor, alert_id)
    ranked = rank_alert(found, core.clock.today())
    return render(request, "alert.html", status_code=status_code, title=found.summary,
                  alert=found, ranked=ranked, changed=changed, errors=errors,
                  statuses=STATUSES)
