"""Each child's network: the person graph snapshot, markers by person, and alerts.

The graph is rebuilt from the source tables and `record_persons` by `kinlink.network.build`
(after every resolution run) and stored here as an adjacency list, so that one child's
network is a few indexed look-ups. Alerts live across builds: a recompute updates them by
their stable `key` and never drops a status a person set; every status change is kept in
`alert_events` (who, when, why).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

network_builds = Table(
    "network_builds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("persons", Integer, nullable=False, default=0),
    Column("edges", Integer, nullable=False, default=0),
    Column("markers", Integer, nullable=False, default=0),
    Column("unresolved_records", Integer, nullable=False, default=0),
    Column("seconds", Float),
)

network_persons = Table(
    "network_persons",
    metadata,
    Column("person_id", String(140), primary_key=True),  # P0000001, or "agency:record" unresolved
    Column("first_name", Text),
    Column("surname", Text),
    Column("dob", String(10)),  # the date of birth most of the person's records agree on
    Column("sex", String(1)),
    # holds a UPN or was referred to social care: a child when the dob is unknown
    Column("pupil", Boolean, nullable=False),
    Column("records", Text, nullable=False),  # record uids, a JSON array (`store.lists`)
    Column("agencies", Text, nullable=False),  # a JSON array
    Column("resolved", Boolean, nullable=False),
    Column("confidence", Float),  # weakest cluster confidence of its records
)

network_edges = Table(
    "network_edges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Stored in both directions: `other_person_id` is the `relation` of `person_id`.
    Column("person_id", String(140), nullable=False),
    Column("other_person_id", String(140), nullable=False),
    Column("relation", String(32), nullable=False),
    Column("source", String(24), nullable=False),  # relationship|co-residence|incident|...
    Column("recorded", Boolean, nullable=False),  # False: inferred by Kinlink
    Column("agencies", Text, nullable=False),  # a JSON array (`store.lists`)
    Column("records", Text, nullable=False),  # source record uids, a JSON array
    # Evidence the network reasons on: the incidents behind the edge ("agency:incident_id",
    # a JSON array) and whether it shows the two are intimate partners.
    Column("incidents", Text, nullable=False, server_default="[]"),
    Column("partners", Boolean, nullable=False, server_default=false()),
    Column("detail", Text),  # for people to read: incident ids and roles, the address, ...
    Column("from_date", Date),
    Column("to_date", Date),
    Column("confidence", Float, nullable=False),
)
Index("ix_network_edges_person", network_edges.c.person_id)

network_markers = Table(
    "network_markers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(140), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("record_id", Text, nullable=False),
    Column("marker", String(48), nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("review_date", Date),
    Column("related_record_id", Text),
    Column("notes", Text),
    Column("confidence", Float),  # cluster confidence holding the record in its person
    # The review queue's match evidence for this record, copied at build time (None: the
    # record's identity was never in doubt), so a child's network reads no other table.
    Column("identity", Text),
)
Index("ix_network_markers_person", network_markers.c.person_id)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),  # digest of type+persons+evidence
    Column("type", String(24), nullable=False),  # unlinked-risk|split-identity|wrong-place|breach
    Column("status", String(16), nullable=False),  # open|acknowledged|resolved
    Column("person_id", String(140), nullable=False),  # the child, or the duplicated person
    Column("other_person_id", String(140)),  # the adult, respondent, ...
    Column("agency", String(64)),  # the agency whose records to look at or fix
    Column("summary", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("detected", Boolean, nullable=False),  # found by the latest recompute
    Column("first_detected_at", UtcDateTime, nullable=False),
    Column("last_detected_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_alerts_type_status", alerts.c.type, alerts.c.status)
Index("ix_alerts_person", alerts.c.person_id)
Index("ix_alerts_other_person", alerts.c.other_person_id)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", Text, nullable=False),  # a person's name, or "kinlink" for recomputes
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
)
