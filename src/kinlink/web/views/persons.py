"""Search, and the person page: identity across agencies, network, risks, alerts, referrals."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kinlink.errors import InputError, ReasonRequired
from kinlink.linkage.search import PersonQuery
from kinlink.web.auth import CurrentActor, core_of
from kinlink.web.network import network_elements
from kinlink.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = ("first_name", "surname", "dob", "postcode", "identifier")


@router.get("/search")
def search(request: Request, actor: CurrentActor,
           first_name: str = "", surname: str = "", dob: str = "", postcode: str = "",
           identifier: str = "", page: Annotated[int, Query(ge=1)] = 1) -> Response:
    query = PersonQuery(first_name=first_name, surname=surname, dob=dob, postcode=postcode,
                        identifier=identifier)
    result, error = None, None
    if not query.cleaned().is_empty:
        try:
            result = core_of(request).persons.search(actor, query, page=page)
        except InputError as e:
            error = str(e)
    typed = {name: getattr(query, name) or "" for name in FIELDS}

    def page_url(number: int) -> str:
        return "/search?" + urlencode({**{k: v for k, v in typed.items() if v},
                                       "page": number})

    return render(request, "search.html", title="Find a person", typed=typed,
                  result=result, error=error, page_url=page_url)


@router.get("/persons/{person_id}")
def person(request: Request, actor: CurrentActor, person_id: str,
           reason: str | None = None) -> Response:
    core = core_of(request)
    try:
        detail = core.persons.detail(actor, person_id, reason=reason)
    except ReasonRequired as e:
        return render(request, "reason.html", status_code=403, title="Say why you need this",
                      message=str(e), person_id=person_id)
    elements: list[dict[str, Any]] = (network_elements(detail.network.network)
                                      if detail.network else [])
    return render(request, "person.html", title=detail.name, detail=detail,
                  elements=elements)
