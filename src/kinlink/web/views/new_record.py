"""The new-record form: as the user types, "this person is probably already known"; then
saving the record as the user's agency's.

htmx posts the form to /new-record/check after each pause in typing and swaps in the
warning; without JavaScript the Check button posts the same form and the whole page comes
back with the warning. Matching is the core's real-time matcher. Saving posts to
/new-record: the server matches again, and while the record looks like a known person it
saves only once the user has seen those records and ticked that none of them is this
person. The core stores it (`kl.ingest.record`: authorised, logged, checked as an
extract's row would be).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from kinlink.core import Actor
from kinlink.errors import InputError
from kinlink.ingest.format import AGENCIES
from kinlink.web.auth import CurrentActor, core_of
from kinlink.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = ("first_name", "middle_names", "surname", "dob", "sex", "address", "postcode",
          "nhs_number", "upn", "pnc_id")
WARN_FROM = 0.5  # match probability from which a candidate is shown as probably this person
_NAMED = ("first_name", "surname")
CONFIRM = "None of these records is this person"


def _typed(first_name: Annotated[str, Form()] = "", middle_names: Annotated[str, Form()] = "",
           surname: Annotated[str, Form()] = "", dob: Annotated[str, Form()] = "",
           sex: Annotated[str, Form()] = "", address: Annotated[str, Form()] = "",
           postcode: Annotated[str, Form()] = "", nhs_number: Annotated[str, Form()] = "",
           upn: Annotated[str, Form()] = "", pnc_id: Annotated[str, Form()] = ""
           ) -> dict[str, str]:
    """The record's fields as typed (trimmed), from the posted form."""
    return {name: value.strip() for name, value in zip(FIELDS, (
        first_name, middle_names, surname, dob, sex, address, postcode, nhs_number, upn,
        pnc_id), strict=True)}


TypedRecord = Annotated[dict[str, str], Depends(_typed)]


def _page(request: Request, actor: Actor, *, status_code: int = 200,
          **context: Any) -> Response:
    values = {"record": {}, "known": None, "error": None, "errors": {}, "saved": None,
              "agency": actor.agency or "", "agencies": [(str(a), str(a)) for a in AGENCIES],
              "confirm": CONFIRM} | context
    return render(request, "new_record.html", status_code=status_code, title="New record",
                  **values)


@router.get("/new-record")
def form(request: Request, actor: CurrentActor, saved: str = "") -> Response:
    return _page(request, actor, saved=saved or None)


@router.post("/new-record/check")
def check(request: Request, actor: CurrentActor, record: TypedRecord,
          agency: Annotated[str, Form()] = "") -> Response:
    known, error = _known(request, actor, record)
    if request.headers.get("HX-Request") == "true":
        return render(request, "_known.html", known=known, error=error, confirm=CONFIRM)
    return _page(request, actor, record=record, known=known, error=error,
                 agency=actor.agency or agency)


@router.post("/new-record")
def save(request: Request, actor: CurrentActor, record: TypedRecord,
         agency: Annotated[str, Form()] = "", not_known: Annotated[str, Form()] = "") -> Response:
    """Save the record, once any known person it resembles has been shown and set aside."""
    agency = actor.agency or agency
    known, error = _known(request, actor, record)
    again: dict[str, Any] = {"record": record, "known": known, "error": error, "agency": agency}
    if not agency:
        return _page(request, actor, status_code=400, **again,
                     errors={"agency": "Choose the agency the record is for"})
    if known and not_known != "yes":
        return _page(request, actor, **again, errors={  # a step, not a failure
            "not_known": "This person is probably already known: check the records listed, "
                         f"then tick '{CONFIRM}' to save a new record anyway"})
    try:
        saved = core_of(request).ingest.record(
            actor, agency, {k: v for k, v in record.items() if v})
    except InputError as e:
        return _page(request, actor, status_code=400, **again,
                     errors={e.field or "surname": str(e)})
    return RedirectResponse(f"/new-record?saved={saved.uid}", status_code=303)


def _known(request: Request, actor: CurrentActor,
           record: dict[str, str]) -> tuple[list[Any] | None, str | None]:
    """Candidates for the record typed so far (None until there is enough to match on)."""
    if not any(record[name] for name in _NAMED):
        return None, None
    try:
        matches = core_of(request).resolution.match(
            actor, {k: v for k, v in record.items() if v}, top=5, min_probability=WARN_FROM,
            refresh=False)
    except InputError as e:  # a half-typed date of birth, say
        return None, str(e)
    return matches.candidates, None
