"""The new-record form: as the user types, "this person is probably already known".

htmx posts the form to /new-record/check after each pause in typing and swaps in the
warning; without JavaScript the Check button posts the same form and the whole page comes
back with the warning. Matching is the core's real-time matcher.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from kinlink.errors import InputError
from kinlink.web.auth import CurrentActor, core_of
from kinlink.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = ("first_name", "middle_names", "surname", "dob", "sex", "address", "postcode",
          "nhs_number", "upn", "pnc_id")
WARN_FROM = 0.5  # match probability from which a candidate is shown as probably this person
_NAMED = ("first_name", "surname")


@router.get("/new-record")
def form(request: Request, actor: CurrentActor) -> Response:
    return render(request, "new_record.html", title="New record", record={}, known=None,
                  error=None)


@router.post("/new-record/check")
def check(request: Request, actor: CurrentActor, first_name: Annotated[str, Form()] = "",
          middle_names: Annotated[str, Form()] = "", surname: Annotated[str, Form()] = "",
          dob: Annotated[str, Form()] = "", sex: Annotated[str, Form()] = "",
          address: Annotated[str, Form()] = "", postcode: Annotated[str, Form()] = "",
          nhs_number: Annotated[str, Form()] = "", upn: Annotated[str, Form()] = "",
          pnc_id: Annotated[str, Form()] = "") -> Response:
    record = {name: value.strip() for name, value in zip(FIELDS, (
        first_name, middle_names, surname, dob, sex, address, postcode, nhs_number, upn,
        pnc_id), strict=True)}
    known, error = _known(request, actor, record)
    partial = request.headers.get("HX-Request") == "true"
    return render(request, "_known.html" if partial else "new_record.html",
                  title="New record", record=record, known=known, error=error)


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
