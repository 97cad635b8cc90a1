"""Source records as the agencies sent them: append-only and versioned.

Every source table has the same bookkeeping columns:

- `agency`: who sent the row;
- `key`: the row's natural key within the agency (see `kinlink.ingest.format`);
- `version`: 1 for the first time a key is seen, +1 each time a later extract
  changes the row; earlier versions are never updated or deleted;
- `row_hash`: a digest of the row's values, so re-ingesting an unchanged row adds nothing;
- `ingest_run_id`: the ingest that stored this version.

The current state of a table is the highest version of each (agency, key).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(64), nullable=False, index=True),
    Column("source_path", Text, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_new", Integer, nullable=False, default=0),
    Column("rows_changed", Integer, nullable=False, default=0),
    Column("rows_unchanged", Integer, nullable=False, default=0),
    Column("rows_quarantined", Integer, nullable=False, default=0),
    Column("files", JSON, nullable=False, default=dict),
)


def _bookkeeping() -> list[Column]:
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("agency", String(64), nullable=False),
        Column("key", Text, nullable=False),
        Column("version", Integer, nullable=False),
        Column("row_hash", String(32), nullable=False),
        Column("ingest_run_id", Integer, ForeignKey("ingest_runs.id"), nullable=False),
    ]


def _source_table(name: str, *columns: Column) -> Table:
    table = Table(name, metadata, *_bookkeeping(), *columns)
    UniqueConstraint(table.c.agency, table.c.key, table.c.version)
    return table


people = _source_table(
    "people",
    Column("record_id", Text, nullable=False),
    Column("first_name", Text),
    Column("middle_names", Text),
    Column("surname", Text),
    Column("previous_surnames", Text),
    Column("aliases", Text),
    Column("dob", String(10)),  # ISO date, or partial: YYYY or YYYY-MM
    Column("dob_estimated", Boolean, nullable=False, default=False),
    Column("sex", String(1), nullable=False, default="U"),
    Column("address", Text),
    Column("postcode", String(8)),
    Column("nhs_number", String(10)),
    Column("upn", String(13)),
    Column("pnc_id", String(16)),
    Column("local_id", Text),
    Column("recorded_at", DateTime),
)
Index("ix_people_agency_record", people.c.agency, people.c.record_id)

addresses = _source_table(
    "addresses",
    Column("record_id", Text, nullable=False),
    Column("address", Text),
    Column("postcode", String(8)),
    Column("from_date", Date),
    Column("to_date", Date),
)
Index("ix_addresses_agency_record", addresses.c.agency, addresses.c.record_id)

relationships = _source_table(
    "relationships",
    Column("record_id", Text, nullable=False),
    Column("related_record_id", Text, nullable=False),
    Column("type", String(32), nullable=False),
    Column("from_date", Date),
    Column("to_date", Date),
)
Index("ix_relationships_agency_record", relationships.c.agency, relationships.c.record_id)

risk_markers = _source_table(
    "risk_markers",
    Column("record_id", Text, nullable=False),
    Column("marker", String(48), nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("review_date", Date),
    Column("related_record_id", Text),
    Column("notes", Text),
)
Index("ix_risk_markers_agency_record", risk_markers.c.agency, risk_markers.c.record_id)

incidents = _source_table(
    "incidents",
    Column("incident_id", Text, nullable=False),
    Column("occurred_at", DateTime),
    Column("type", String(32)),
    Column("address", Text),
    Column("postcode", String(8)),
    Column("summary", Text),
)

incident_people = _source_table(
    "incident_people",
    Column("incident_id", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("role", String(16), nullable=False),
)
Index("ix_incident_people_agency_incident", incident_people.c.agency, incident_people.c.incident_id)

referrals = _source_table(
    "referrals",
    Column("referral_id", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("team", Text),
    Column("referral_date", DateTime),
    Column("referral_source", String(32)),
    Column("primary_need", String(4)),
    Column("triage_rating", String(8)),
    Column("decision_date", DateTime),
    Column("nfa", Boolean),
    Column("assessment_start_date", Date),
    Column("assessment_authorised_date", Date),
    Column("strategy_discussion_date", Date),
    Column("strategy_discussion_dates", Text),  # ';'-separated ISO dates
    Column("s47_start_date", Date),
    Column("icpc_not_required", Boolean),
    Column("icpc_date", Date),
    Column("cp_plan_start_date", Date),
    Column("cp_plan_end_date", Date),
    Column("review_conference_dates", Text),  # ';'-separated ISO dates
    Column("closure_date", Date),
)
Index("ix_referrals_agency_record", referrals.c.agency, referrals.c.record_id)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ingest_run_id", Integer, ForeignKey("ingest_runs.id"), nullable=False, index=True),
    Column("agency", String(64), nullable=False),
    Column("table_name", String(32), nullable=False),
    Column("file", Text, nullable=False),
    Column("row_number", Integer, nullable=False),  # 1-based data row; the header is row 0
    Column("field", Text),
    Column("reason", Text, nullable=False),
    Column("raw", JSON, nullable=False),
)

SOURCE_TABLES: dict[str, Table] = {
    t.name: t
    for t in (people, addresses, relationships, risk_markers, incidents, incident_people,
              referrals)
}
