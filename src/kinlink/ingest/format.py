"""The agency extract format: tables, columns, kinds, vocabularies and keys.

This module is the single statement of the format. Ingest validates against it,
the synthetic borough writes it and `docs/data-format.md` describes it.

An extract is a folder for one agency holding some of the tables below, each as
`<table>.csv` (UTF-8, header row) or `<table>.parquet`. Only `people` is required.
A blank cell means "not known".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a column's text is read and checked."""

    TEXT = "text"
    ID = "id"  # non-empty text without leading/trailing spaces
    DATE = "date"  # YYYY-MM-DD
    PARTIAL_DATE = "partial-date"  # YYYY, YYYY-MM or YYYY-MM-DD
    DATETIME = "datetime"  # YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS]
    BOOL = "bool"  # true/false, yes/no, y/n, 1/0 (any case); blank = false
    ENUM = "enum"  # one value of the column's vocabulary
    LIST = "list"  # ';'-separated text values
    DATE_LIST = "date-list"  # ';'-separated YYYY-MM-DD
    SEX = "sex"  # F, M or U; blank = U
    POSTCODE = "postcode"  # UK postcode, full ("B91 3QB") or outward only ("B91")
    NHS_NUMBER = "nhs-number"  # 10 digits with a valid modulus-11 check digit
    UPN = "upn"  # unique pupil number: check letter and 12 characters
    PNC_ID = "pnc-id"  # YYYY/NNNNNNNA police national computer id


RELATIONSHIP_TYPES = (
    "parent", "step-parent", "carer", "partner", "ex-partner", "sibling",
    "household-member", "associate",
)
"""What `record_id` is to `related_record_id` (e.g. `parent`: record_id is the parent)."""

SYMMETRIC_RELATIONSHIPS = frozenset(
    {"partner", "ex-partner", "sibling", "household-member", "associate"}
)

RISK_MARKERS = (
    "domestic-abuse-perpetrator", "domestic-abuse-victim", "drug-misuse", "alcohol-misuse",
    "violence", "sexual-offence", "weapons", "non-molestation-order-respondent",
    "non-molestation-order-protected", "child-protection-plan", "looked-after",
    "mental-health", "missing-episodes", "child-sexual-exploitation", "gang-association",
)

INCIDENT_TYPES = (
    "domestic-abuse", "violence", "drugs", "sexual-offence", "concern-for-welfare",
    "missing-person", "antisocial-behaviour", "other",
)

INCIDENT_ROLES = ("victim", "suspect", "witness", "reporter", "child-present")

REFERRAL_SOURCES = (
    "individual", "school", "education-other", "health", "housing", "local-authority",
    "police", "other-legal", "other", "anonymous", "unknown",
)

PRIMARY_NEEDS = ("N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9")
"""Children in Need census codes: N1 abuse or neglect ... N9 not in need; N0 not stated."""

TRIAGE_RATINGS = ("red", "amber", "green")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: Kind
    required: bool = False  # the column must be in the header
    not_blank: bool = False  # the value must be given on every row
    vocabulary: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Reference:
    """Values of `column` must name a row of `table` (same agency) by its `target` column."""

    column: str
    table: str
    target: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]  # the natural key within an agency; a changed row is a new version
    references: tuple[Reference, ...] = ()
    description: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, kind: Kind, *, required: bool = False, not_blank: bool = False,
       vocabulary: tuple[str, ...] = (), description: str = "") -> ColumnSpec:
    return ColumnSpec(name, kind, required, not_blank, vocabulary, description)


_RECORD = _c("record_id", Kind.ID, required=True, not_blank=True,
             description="the person record this row is about")
_TO_PEOPLE = Reference("record_id", "people", "record_id")

PEOPLE = TableSpec(
    "people",
    (
        _c("record_id", Kind.ID, required=True, not_blank=True,
           description="unique within the agency"),
        _c("first_name", Kind.TEXT, required=True, description="given name as recorded"),
        _c("middle_names", Kind.TEXT, description="other given names, space-separated"),
        _c("surname", Kind.TEXT, required=True, description="family name as recorded"),
        _c("previous_surnames", Kind.LIST,
           description="earlier family names (e.g. before marriage)"),
        _c("aliases", Kind.LIST, description="other full names used"),
        _c("dob", Kind.PARTIAL_DATE, required=True,
           description="date of birth, partial if only the year or month is known"),
        _c("dob_estimated", Kind.BOOL, description="the date of birth is a guess"),
        _c("sex", Kind.SEX, description="as recorded by the agency"),
        _c("address", Kind.TEXT, description="current address, one line"),
        _c("postcode", Kind.POSTCODE, description="postcode of the current address"),
        _c("nhs_number", Kind.NHS_NUMBER, description="health and social care's identifier"),
        _c("upn", Kind.UPN, description="education's unique pupil number"),
        _c("pnc_id", Kind.PNC_ID, description="police national computer id"),
        _c("local_id", Kind.TEXT, description="the agency's own reference (case or system number)"),
        _c("recorded_at", Kind.DATETIME, description="when the agency last updated the record"),
    ),
    key=("record_id",),
    description="one row per person record held by the agency",
)

ADDRESSES = TableSpec(
    "addresses",
    (
        _RECORD,
        _c("address", Kind.TEXT, required=True, description="the address, one line"),
        _c("postcode", Kind.POSTCODE, description="its postcode"),
        _c("from_date", Kind.DATE, description="moved in"),
        _c("to_date", Kind.DATE, description="moved out (blank: still there)"),
    ),
    key=("record_id", "address", "postcode", "from_date"),
    references=(_TO_PEOPLE,),
    description="where a person lived, and when",
)

RELATIONSHIPS = TableSpec(
    "relationships",
    (
        _RECORD,
        _c("related_record_id", Kind.ID, required=True, not_blank=True,
           description="the other person record"),
        _c("type", Kind.ENUM, required=True, not_blank=True, vocabulary=RELATIONSHIP_TYPES,
           description="what record_id is to related_record_id"),
        _c("from_date", Kind.DATE, description="when the relationship began"),
        _c("to_date", Kind.DATE, description="when it ended (blank: current)"),
    ),
    key=("record_id", "related_record_id", "type"),
    references=(_TO_PEOPLE, Reference("related_record_id", "people", "record_id")),
    description="links the agency recorded between two of its own person records",
)

RISK_MARKERS_TABLE = TableSpec(
    "risk_markers",
    (
        _RECORD,
        _c("marker", Kind.ENUM, required=True, not_blank=True, vocabulary=RISK_MARKERS,
           description="the risk or status"),
        _c("start_date", Kind.DATE, description="when it was recorded or began"),
        _c("end_date", Kind.DATE, description="when it ended (blank: current)"),
        _c("review_date", Kind.DATE, description="when it is next to be reviewed"),
        _c("related_record_id", Kind.TEXT,
           description="for an order: the other party (protected person or respondent)"),
        _c("notes", Kind.TEXT, description="free text"),
    ),
    key=("record_id", "marker", "start_date"),
    references=(_TO_PEOPLE, Reference("related_record_id", "people", "record_id")),
    description="risks and statuses the agency holds on a person",
)

INCIDENTS = TableSpec(
    "incidents",
    (
        _c("incident_id", Kind.ID, required=True, not_blank=True,
           description="the agency's reference for the incident"),
        _c("occurred_at", Kind.DATETIME, required=True, not_blank=True,
           description="when it happened"),
        _c("type", Kind.ENUM, vocabulary=INCIDENT_TYPES, description="what kind of incident"),
        _c("address", Kind.TEXT, description="where it happened"),
        _c("postcode", Kind.POSTCODE, description="its postcode"),
        _c("summary", Kind.TEXT, description="free text, as written by the officer"),
    ),
    key=("incident_id",),
    description="events the agency attended or recorded",
)

INCIDENT_PEOPLE = TableSpec(
    "incident_people",
    (
        _c("incident_id", Kind.ID, required=True, not_blank=True, description="the incident"),
        _RECORD,
        _c("role", Kind.ENUM, required=True, not_blank=True, vocabulary=INCIDENT_ROLES,
           description="the person's part in it"),
    ),
    key=("incident_id", "record_id", "role"),
    references=(Reference("incident_id", "incidents", "incident_id"), _TO_PEOPLE),
    description="who was at an incident, in what role",
)

REFERRALS = TableSpec(
    "referrals",
    (
        _c("referral_id", Kind.ID, required=True, not_blank=True,
           description="the referral's reference"),
        _c("record_id", Kind.ID, required=True, not_blank=True, description="the child"),
        _c("team", Kind.TEXT, description="team that received it"),
        _c("referral_date", Kind.DATETIME, required=True, not_blank=True,
           description="when the referral was received"),
        _c("referral_source", Kind.ENUM, vocabulary=REFERRAL_SOURCES, description="who referred"),
        _c("primary_need", Kind.ENUM, vocabulary=PRIMARY_NEEDS,
           description="census primary need code"),
        _c("triage_rating", Kind.ENUM, vocabulary=TRIAGE_RATINGS,
           description="urgency given at the front door"),
        _c("decision_date", Kind.DATETIME, description="when it was decided what to do"),
        _c("nfa", Kind.BOOL, description="no further action decided"),
        _c("assessment_start_date", Kind.DATE, description="child and family assessment started"),
        _c("assessment_authorised_date", Kind.DATE,
           description="assessment completed and authorised"),
        _c("strategy_discussion_date", Kind.DATE, description="first strategy discussion"),
        _c("strategy_discussion_dates", Kind.DATE_LIST,
           description="every strategy discussion held, where there were several"),
        _c("s47_start_date", Kind.DATE, description="section 47 enquiry started"),
        _c("icpc_not_required", Kind.BOOL,
           description="the section 47 enquiry found no conference needed (census "
                       "ICPCnotRequired)"),
        _c("icpc_date", Kind.DATE, description="initial child protection conference"),
        _c("cp_plan_start_date", Kind.DATE, description="child protection plan began"),
        _c("cp_plan_end_date", Kind.DATE, description="child protection plan ended"),
        _c("review_conference_dates", Kind.DATE_LIST,
           description="child protection review conferences held"),
        _c("closure_date", Kind.DATE, description="case closed"),
    ),
    key=("referral_id",),
    references=(_TO_PEOPLE,),
    description="children's social care referrals and what followed (Children in Need census)",
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (PEOPLE, ADDRESSES, RELATIONSHIPS, RISK_MARKERS_TABLE, INCIDENTS, INCIDENT_PEOPLE,
              REFERRALS)
}
"""Every table of the format, in the order ingest loads them (referenced tables first)."""

AGENCIES = ("police", "social-care", "health", "education")
"""The agencies of the synthetic borough; any other name made of a-z, 0-9 and '-' is allowed."""
