"""/api/persons: search, one person's page as data, and real-time matching of a new record."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from kinlink.chronology import EventKind, Filters
from kinlink.core.persons import PersonDetail
from kinlink.linkage.search import MAX_PAGE_SIZE, PersonQuery
from kinlink.web.api.models import (
    AlertOut,
    CandidateOut,
    ChronologyOut,
    ClockOut,
    ErrorOut,
    IdentityOut,
    MatchesOut,
    NetworkViewOut,
    NewRecordIn,
    PersonDetailOut,
    ReferralOut,
    SearchPageOut,
)
from kinlink.web.auth import CurrentActor, core_of

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 401, 403, 404, 422)}
router = APIRouter(prefix="/api", tags=["persons"], responses=ERRORS)


@router.get("/persons")
def search(request: Request, actor: CurrentActor,
           first_name: str = "", surname: str = "", dob: str = "", postcode: str = "",
           identifier: str = "", page: Annotated[int, Query(ge=1)] = 1,
           page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20) -> SearchPageOut:
    """Persons however the name was spelt, by date of birth, postcode or identifier."""
    query = PersonQuery(first_name=first_name, surname=surname, dob=dob, postcode=postcode,
                        identifier=identifier)
    found = core_of(request).persons.search(actor, query, page=page,
                                                  page_size=page_size)
    return SearchPageOut.model_validate(found)


@router.get("/persons/{person_id}")
def person(request: Request, actor: CurrentActor, person_id: str,
           reason: str | None = None) -> PersonDetailOut:
    """Every source record, the resolved identity and why, the network and risks, alerts,
    referrals and their clocks. A restricted person needs `reason`."""
    detail = core_of(request).persons.detail(actor, person_id, reason=reason)
    return person_out(detail)


@router.get("/persons/{person_id}/chronology")
def chronology(request: Request, actor: CurrentActor, person_id: str,
               since: date | None = None, until: date | None = None,
               agency: Annotated[list[str] | None, Query()] = None,
               kind: Annotated[list[EventKind] | None, Query()] = None,
               reason: str | None = None) -> ChronologyOut:
    """Every dated event any agency holds about the child and the adults near them, in
    order across agencies (the person page's chronology tab); filters by date range, agency
    and event kind. Undated events are always kept, flagged and listed last."""
    filters = Filters(since, until, frozenset(agency or ()), frozenset(kind or ()))
    found = core_of(request).chronology.child(actor, person_id, filters=filters,
                                              reason=reason)
    return ChronologyOut.model_validate(found)


@router.post("/match")
def match(request: Request, actor: CurrentActor, record: NewRecordIn) -> MatchesOut:
    """The stored records most likely to be the person about to be entered."""
    fields = record.model_dump(exclude={"top", "min_probability"}, exclude_none=True)
    found = core_of(request).resolution.match(
        actor, fields, top=record.top, min_probability=record.min_probability, refresh=False)
    return MatchesOut(candidates=[
        CandidateOut(agency=c.agency, record_id=c.record_id, person_id=c.person_id,
                     match_probability=c.match_probability, match_weight=c.match_weight,
                     explanation=c.explanation.text)
        for c in found.candidates])


def person_out(detail: PersonDetail) -> PersonDetailOut:
    """The person page's data as the API returns it."""
    return PersonDetailOut(
        person_id=detail.person_id, name=detail.name, dob=detail.dob, as_of=detail.as_of,
        identity=IdentityOut.model_validate(detail.identity),
        network=NetworkViewOut.model_validate(detail.network) if detail.network else None,
        network_note=detail.network_note,
        alerts=[AlertOut.model_validate(a) for a in detail.alerts],
        referrals=[ReferralOut(
            agency=r.agency, referral_id=r.referral_id, team=r.team,
            referral_date=r.referral_date,
            clocks=[ClockOut(clock=c.name, label=c.label, status=c.status.value, rag=rag,
                             limit=c.limit, started_at=c.started_at, due_at=c.due_at,
                             waited=c.waited, unit=c.unit) for c, rag in r.clocks])
            for r in detail.referrals])
