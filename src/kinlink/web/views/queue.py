"""The waiting queue: children waiting on a referral, working days waited, red/amber/green."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kinlink.timeliness.rag import rag_status
from kinlink.web.auth import CurrentActor, core_of
from kinlink.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/queue")
def queue(request: Request, actor: CurrentActor, team: str = "",
          page: Annotated[int, Query(ge=1)] = 1) -> Response:
    waiting = core_of(request).timeliness.queue(actor, team=team or None)
    rows = [(item, rag_status(item.clock, waiting.as_of)) for item in waiting.items]
    counts = {colour: sum(1 for _i, c in rows if c == colour)
              for colour in ("red", "amber", "green")}
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    start = (page - 1) * PAGE_SIZE
    return render(request, "queue.html", title="Waiting queue",
                  rows=rows[start:start + PAGE_SIZE], total=len(rows), counts=counts,
                  names=waiting.names,
                  team=team, page=page, pages=pages,
                  page_url=lambda n: f"/queue?page={n}" + (f"&team={team}" if team else ""))
