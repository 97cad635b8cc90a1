"""The duplicate review screen: the queue, two records side by side, a decision, undo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from kinlink.review import DECISIONS
from kinlink.review.compare import SHOWN
from kinlink.web.auth import CurrentActor, core_of
from kinlink.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
DECISION_WORDS = {"same": "The same person", "not-same": "Not the same person",
                  "unsure": "Not sure"}


@router.get("/review")
def queue(request: Request, actor: CurrentActor,
          page: Annotated[int, Query(ge=1)] = 1) -> Response:
    found = core_of(request).review.list(actor, limit=PAGE_SIZE,
                                               offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-found.total // PAGE_SIZE))
    return render(request, "review_list.html", title="Possible duplicates", found=found,
                  page=page, pages=pages, page_url=lambda n: f"/review?page={n}")


@router.get("/review/{item_id}")
def item(request: Request, actor: CurrentActor, item_id: int,
         decided: str | None = None) -> Response:
    return _screen(request, actor, item_id, decided=decided, errors={})


@router.post("/review/{item_id}/decision")
def decision(request: Request, actor: CurrentActor, item_id: int,
             choice: Annotated[str, Form(alias="decision")] = "",
             reason: Annotated[str, Form()] = "") -> Response:
    errors = {}
    if choice not in DECISIONS:
        errors["decision"] = "Choose whether the records are the same person"
    if not reason.strip():
        errors["reason"] = "Say why: it is kept with the decision"
    core = core_of(request)
    if errors:
        return _screen(request, actor, item_id, decided=None, errors=errors, reason=reason,
                       status_code=400)
    found = core.review.get(actor, item_id)
    core.review.decide(actor, found.uid_l, found.uid_r, choice, reason=reason)
    return RedirectResponse(f"/review/{item_id}?decided={choice}", status_code=303)


@router.post("/review/{item_id}/undo")
def undo(request: Request, actor: CurrentActor, item_id: int) -> Response:
    core = core_of(request)
    found = core.review.get(actor, item_id)
    core.review.undo(actor, found.uid_l, found.uid_r, reason="undone on the review screen")
    return RedirectResponse(f"/review/{item_id}?decided=undone", status_code=303)


def _screen(request: Request, actor: CurrentActor, item_id: int, *, decided: str | None,
            errors: dict[str, str], reason: str = "", status_code: int = 200) -> Response:
    core = core_of(request)
    found = core.review.get(actor, item_id)
    comparison = core.review.compare(actor, item_id)
    history = core.review.history(actor, found.uid_l, found.uid_r)
    return render(request, "review_item.html", status_code=status_code,
                  title="Are these the same person?", item=found, comparison=comparison,
                  history=history, decided=decided, errors=errors, reason=reason,
                  words=DECISION_WORDS, labels=SHOWN)
