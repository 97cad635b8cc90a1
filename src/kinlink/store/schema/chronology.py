"""Chronologies and second-look prompts: what a person decided on a prompt.

A prompt is an alert of type `second-look` (`network.alerts`): its status changes are in
`alert_events` like any alert's. What the team manager who looked decided, and why, is
kept here as a structured row beside that history, never overwritten.

A chronology reads a child's incidents by record, so `incident_people` gets an index by
record here (the table itself belongs to ingest).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from kinlink.store.schema.base import metadata
from kinlink.store.schema.source import incident_people
from kinlink.store.schema.types import UtcDateTime

prompt_reviews = Table(
    "prompt_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", Text, nullable=False),  # who looked
    Column("decision", String(32), nullable=False),  # decision-stands|further-action|...
    Column("reason", Text, nullable=False),  # why
)

Index("ix_incident_people_agency_record", incident_people.c.agency, incident_people.c.record_id)
