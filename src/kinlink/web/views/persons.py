"""Search, and the person page: identity across agencies, network, risks, alerts, referrals."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kinlink.chronology import EventKind, Filters
from kinlink.errors import InputError, ReasonRequired
from kinlink.ingest.format import AGENCIES
from kinlink.linkage.search import PersonQuery
from kinlink.web.auth import CurrentActor, core_of
from kinlink.web.network import network_elements
from kinlink.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = ("first_name", "surname", "dob", "postcode", "identifier")
_CHOICES: dict[str, Any] = {"agencies": [(str(a), str(a)) for a in AGENCIES],
            "kinds": [(k.value, k.value.replace("-", " ")) for k in EventKind]}
"""The chronology form's options, as (value, text)."""


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
                      message=str(e), action=f"/persons/{person_id}")
    elements: list[dict[str, Any]] = (network_elements(detail.network.network)
                                      if detail.network else [])
    return render(request, "person.html", title=detail.name, detail=detail,
                  elements=elements)


@router.get("/persons/{person_id}/chronology")
def chronology(request: Request, actor: CurrentActor, person_id: str, since: str = "",
               until: str = "", agency: str = "", kind: str = "",
               reason: str | None = None) -> Response:
    """The person page's chronology tab: every event about the child and the adults near
    them across agencies, in order, filtered by a GET form (so it works without script)."""
    typed = {"since": since.strip(), "until": until.strip(), "agency": agency, "kind": kind}
    try:
        filters = _chronology_filters(**typed)
    except InputError as e:
        return render(request, "chronology.html", status_code=400, title="Chronology",
                      person_id=person_id, found=None, typed=typed,
                      errors={e.field or "since": str(e)},
                      **_CHOICES)
    try:
        found = core_of(request).chronology.child(actor, person_id, filters=filters,
                                                  reason=reason)
    except ReasonRequired as e:
        return render(request, "reason.html", status_code=403, title="Say why you need this",
                      message=str(e), action=f"/persons/{person_id}/chronology")
    return render(request, "chronology.html", title=f"Chronology of {found.child.name}",
                  person_id=person_id, found=found, typed=typed, errors={},
                  **_CHOICES)


def _chronology_filters(*, since: str, until: str, agency: str, kind: str) -> Filters:
    """The chronology form's fields as filters; a one-line InputError for a bad date."""
    dates: dict[str, date | None] = {}
    for name, value in (("since", since), ("until", until)):
        try:
            dates[name] = date.fromisoformat(value) if value else None
        except ValueError as e:
            raise InputError(f"{value!r} is not a date: write it as 2024-03-27",
                             field=name) from e
    if agency and agency not in AGENCIES:
        raise InputError(f"no agency {agency!r}", field="agency")
    if kind and kind not in {k.value for k in EventKind}:
        raise InputError(f"no kind of event {kind!r}", field="kind")
    return Filters(dates["since"], dates["until"],
                   frozenset({agency} if agency else ()),
                   frozenset({EventKind(kind)} if kind else ()))
