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
        _c("first_name", Kind.TEXT, required=True),
        _c("middle_names", Kind.TEXT),
        _c("surname", Kind.TEXT, required=True),
        _c("previous_surnames", Kind.LIST),
        _c("aliases", Kind.LIST, description="other full names used"),
        _c("dob", Kind.PARTIAL_DATE, required=True),
        _c("dob_estimated", Kind.BOOL),
        _c("sex", Kind.SEX),
        _c("address", Kind.TEXT),
        _c("postcode", Kind.POSTCODE),
        _c("nhs_number", Kind.NHS_NUMBER),
        _c("upn", Kind.UPN),
        _c("pnc_id", Kind.PNC_ID),
        _c("local_id", Kind.TEXT),
        _c("recorded_at", Kind.DATETIME),
    ),
    key=("record_id",),
    description="one row per person record held by the agency",
)

ADDRESSES = TableSpec(
    "addresses",
    (
        _RECORD,
        _c("address", Kind.TEXT, required=True),
        _c("postcode", Kind.POSTCODE),
        _c("from_date", Kind.DATE),
        _c("to_date", Kind.DATE),
    ),
    key=("record_id", "address", "postcode", "from_date"),
    references=(_TO_PEOPLE,),
    description="where a person lived, and when",
)

RELATIONSHIPS = TableSpec(
    "relationships",
    (
        _RECORD,
        _c("related_record_id", Kind.ID, required=True, not_blank=True),
        _c("type", Kind.ENUM, required=True, not_blank=True, vocabulary=RELATIONSHIP_TYPES,
           description="what record_id is to related_record_id"),
        _c("from_date", Kind.DATE),
        _c("to_date", Kind.DATE),
    ),
    key=("record_id", "related_record_id", "type"),
    references=(_TO_PEOPLE, Reference("related_record_id", "people", "record_id")),
    description="links the agency recorded between two of its own person records",
)

RISK_MARKERS_TABLE = TableSpec(
    "risk_markers",
    (
        _RECORD,
        _c("marker", Kind.ENUM, required=True, not_blank=True, vocabulary=RISK_MARKERS),
        _c("start_date", Kind.DATE),
        _c("end_date", Kind.DATE),
        _c("review_date", Kind.DATE),
        _c("related_record_id", Kind.TEXT,
           description="for an order: the other party (protected person or respondent)"),
        _c("notes", Kind.TEXT),
    ),
    key=("record_id", "marker", "start_date"),
    references=(_TO_PEOPLE, Reference("related_record_id", "people", "record_id")),
    description="risks and statuses the agency holds on a person",
)

INCIDENTS = TableSpec(
    "incidents",
    (
        _c("incident_id", Kind.ID, required=True, not_blank=True),
        _c("occurred_at", Kind.DATETIME, required=True, not_blank=True),
        _c("type", Kind.ENUM, vocabulary=INCIDENT_TYPES),
        _c("address", Kind.TEXT),
        _c("postcode", Kind.POSTCODE),
        _c("summary", Kind.TEXT, description="free text, as written by the officer"),
    ),
    key=("incident_id",),
    description="events the agency attended or recorded",
)

INCIDENT_PEOPLE = TableSpec(
    "incident_people",
    (
        _c("incident_id", Kind.ID, required=True, not_blank=True),
        _RECORD,
        _c("role", Kind.ENUM, required=True, not_blank=True, vocabulary=INCIDENT_ROLES),
    ),
    key=("incident_id", "record_id", "role"),
    references=(Reference("incident_id", "incidents", "incident_id"), _TO_PEOPLE),
    description="who was at an incident, in what role",
)

REFERRALS = TableSpec(
    "referrals",
    (
        _c("referral_id", Kind.ID, required=True, not_blank=True),
        _c("record_id", Kind.ID, required=True, not_blank=True, description="the child"),
        _c("team", Kind.TEXT),
        _c("referral_date", Kind.DATETIME, required=True, not_blank=True),
        _c("referral_source", Kind.ENUM, vocabulary=REFERRAL_SOURCES),
        _c("primary_need", Kind.ENUM, vocabulary=PRIMARY_NEEDS),
        _c("triage_rating", Kind.ENUM, vocabulary=TRIAGE_RATINGS),
        _c("decision_date", Kind.DATETIME),
        _c("nfa", Kind.BOOL, description="no further action decided"),
        _c("assessment_start_date", Kind.DATE),
        _c("assessment_authorised_date", Kind.DATE),
        _c("strategy_discussion_date", Kind.DATE),
        _c("s47_start_date", Kind.DATE),
        _c("icpc_date", Kind.DATE, description="initial child protection conference"),
        _c("cp_plan_start_date", Kind.DATE),
        _c("cp_plan_end_date", Kind.DATE),
        _c("review_conference_dates", Kind.DATE_LIST),
        _c("closure_date", Kind.DATE),
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
