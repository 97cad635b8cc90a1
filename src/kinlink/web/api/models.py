"""The API's request and response bodies: pydantic models, apart from the core's records.

Each response model reads the core's dataclass of the same shape (`from_attributes`), so a
route is `Model.model_validate(core_result)`; the schema at /openapi.json comes from here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """Base of response models: built from the core's dataclasses."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(BaseModel):
    """Every error: one line, never a stack trace."""

    error: str = Field(examples=["no person P9999999"])


# --- persons -------------------------------------------------------------------------------

class PersonHitOut(Out):
    person_id: str
    resolved: bool
    name: str
    dob: str | None
    postcode: str | None
    agencies: list[str]
    records: list[str]
    score: float = Field(description="0..1: how alike the best record is to the search")
    matched_on: list[str]


class SearchPageOut(Out):
    hits: list[PersonHitOut]
    total: int
    page: int
    page_size: int
    pages: int


class SourceRecordOut(Out):
    uid: str
    agency: str
    record_id: str
    confidence: float | None = Field(description="weakest link holding it in the person")
    person: dict[str, Any] = Field(description="the people record's fields")
    rows: dict[str, list[dict[str, Any]]] = Field(
        description="addresses, relationships, risk markers and referrals naming the record")


class IdentityEventOut(Out):
    kind: str
    other_person_id: str | None
    records: list[str]
    reason: str
    at: datetime


class PairInDoubtOut(Out):
    item_id: int
    uid_l: str
    uid_r: str
    match_probability: float
    explanation: str
    status: str


class IdentityOut(Out):
    person_id: str
    resolved: bool
    agencies: list[str]
    records: list[SourceRecordOut]
    events: list[IdentityEventOut]
    in_doubt: list[PairInDoubtOut]


class LinkOut(Out):
    relation: str
    source: str
    recorded: bool
    agencies: list[str]
    records: list[str]
    detail: str | None
    from_date: date | None
    to_date: date | None
    confidence: float
    via: str | None


class MarkerOut(Out):
    marker: str
    agency: str
    record_id: str
    start_date: date | None
    end_date: date | None
    current: bool
    severity: float
    weight: float
    identity: str = Field(description="why this record is this person")
    notes: str | None


class NetworkPersonOut(Out):
    person_id: str
    name: str
    dob: str | None
    age: int | None
    records: list[str]


class MemberOut(Out):
    person: NetworkPersonOut
    role: str
    steps: int
    links: list[LinkOut]
    markers: list[MarkerOut]


class RiskOut(Out):
    score: float
    level: str
    top_markers: list[str]
    adults: int
    adults_with_markers: int


class NetworkOut(Out):
    child: NetworkPersonOut
    as_of: date
    is_child: bool
    adults: list[MemberOut]
    children: list[MemberOut]
    own_markers: list[MarkerOut]
    risk: RiskOut


class NetworkStatusOut(Out):
    built_at: datetime | None
    stale: bool


class NetworkViewOut(Out):
    network: NetworkOut
    status: NetworkStatusOut


class AlertEventOut(Out):
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    reason: str


class AlertOut(Out):
    id: int
    type: str
    status: str
    person_id: str
    other_person_id: str | None
    agency: str | None
    summary: str
    evidence: dict[str, Any]
    detected: bool
    first_detected_at: datetime
    last_detected_at: datetime
    history: list[AlertEventOut] = []


class ClockOut(BaseModel):
    clock: str
    label: str
    status: str
    rag: Literal["red", "amber", "green"] | None
    limit: str
    started_at: datetime | None
    due_at: datetime | None
    waited: float | None
    unit: str


class ReferralOut(BaseModel):
    agency: str
    referral_id: str
    team: str | None
    referral_date: datetime | None
    clocks: list[ClockOut]


class PersonDetailOut(BaseModel):
    person_id: str
    name: str
    dob: str | None
    as_of: date
    identity: IdentityOut
    network: NetworkViewOut | None
    network_note: str | None
    alerts: list[AlertOut]
    referrals: list[ReferralOut]


# --- real-time matching ----------------------------------------------------------------------

class NewRecordIn(BaseModel):
    """A record as someone is about to enter it (people-format fields; any may be empty)."""

    model_config = ConfigDict(extra="forbid")

    first_name: str | None = Field(default=None, max_length=200)
    middle_names: str | None = Field(default=None, max_length=200)
    surname: str | None = Field(default=None, max_length=200)
    dob: str | None = Field(default=None, max_length=10, examples=["2015-03-27"])
    sex: str | None = Field(default=None, max_length=1)
    address: str | None = Field(default=None, max_length=500)
    postcode: str | None = Field(default=None, max_length=8)
    nhs_number: str | None = Field(default=None, max_length=12)
    upn: str | None = Field(default=None, max_length=13)
    pnc_id: str | None = Field(default=None, max_length=16)
    top: int = Field(default=5, ge=1, le=20)
    min_probability: float = Field(default=0.0, ge=0.0, le=1.0)


class CandidateOut(BaseModel):
    agency: str
    record_id: str
    person_id: str | None
    match_probability: float
    match_weight: float
    explanation: str


class MatchesOut(BaseModel):
    candidates: list[CandidateOut]


# --- review ---------------------------------------------------------------------------------

class ReviewItemOut(Out):
    id: int
    uid_l: str
    uid_r: str
    agency_l: str
    agency_r: str
    match_probability: float
    match_weight: float | None
    explanation: str
    reason: str
    status: str
    updated_at: datetime


class ReviewPageOut(Out):
    items: list[ReviewItemOut]
    total: int


class FieldComparisonOut(Out):
    title: str
    level: str
    weight: float
    words: str
    value_l: str | None
    value_r: str | None


class PairComparisonOut(Out):
    uid_l: str
    uid_r: str
    record_l: dict[str, Any]
    record_r: dict[str, Any]
    fields: list[FieldComparisonOut]
    match_probability: float


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["same", "not-same", "unsure"]
    reason: str = Field(min_length=1, max_length=2000)


class UndoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000)


class DecisionOut(Out):
    id: int
    uid_l: str
    uid_r: str
    decision: str
    reason: str
    actor: str
    decided_at: datetime


# --- alerts, queue, quality -----------------------------------------------------------------

class AlertStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "acknowledged", "resolved"]
    reason: str = Field(min_length=1, max_length=2000)


class RankedAlertOut(Out):
    alert: AlertOut
    priority: float
    severity: float
    closeness: float
    recency: float
    next_step: str


class ChildAlertsOut(Out):
    person_id: str
    name: str
    priority: float
    alerts: list[RankedAlertOut]


class InboxOut(Out):
    children: list[ChildAlertsOut]
    teams: list[str]
    alerts: int


class QueueItemOut(BaseModel):
    rank: int
    child: str
    child_name: str | None  # as the records give it; None when no record names the child
    referral_id: str
    agency: str
    team: str | None
    waiting_for: str
    working_days_waited: int
    due: datetime | None
    rag: Literal["red", "amber", "green"] | None
    risk_level: str


class QualityOut(Out):
    findings: int
    by_agency: list[tuple[str, int]]
    by_rule: list[tuple[str, int]]
    by_severity: list[tuple[str, int]]
    records: list[tuple[str, int]]
    quarantined: list[tuple[str, int]]


# --- chronology ----------------------------------------------------------------------------

class SubjectOut(Out):
    """Who an event is about: the child, or an adult near them and how."""

    person_id: str
    name: str
    about: str
    relation: str


class EventOut(Out):
    """One dated event an agency holds; `on` is null (and `date_missing` true) when the
    agency holds the event but not its date."""

    on: date | None
    at: datetime | None
    kind: str
    agency: str
    record: str
    table: str
    subject: SubjectOut
    summary: str
    date_missing: bool


class ChronologyOut(Out):
    """A child's events across agencies, in order, undated ones last."""

    child: SubjectOut
    dob: str | None
    as_of: date
    subjects: list[SubjectOut]
    events: list[EventOut]
