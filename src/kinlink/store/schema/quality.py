"""Data-quality findings, and the scores of each run of the data-quality rules.

Any area may record findings (timeliness flags messy referral dates; the data-quality
rules of `kinlink.quality.rules` flag the records behind each score). A finding names the
record by agency, table and natural key (and the team the record belongs to, where one
does), so it can be shown next to the record; each area replaces its findings on every
run of its checks.

Scores are kept for every run (`quality_runs`, `quality_scores`), never replaced, so a
trend shows whether an agency's records are getting better.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

quality_findings = Table(
    "quality_findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area", String(32), nullable=False),  # who checked, e.g. 'timeliness'
    Column("agency", String(64), nullable=False),
    Column("table_name", String(32), nullable=False),
    Column("record_key", Text, nullable=False),  # the row's natural key within the agency
    Column("rule", String(48), nullable=False),  # e.g. 'out-of-order'
    Column("reason", Text, nullable=False),  # for a person to read
    Column("severity", String(8), nullable=False),  # info | warning | error
    Column("detected_at", UtcDateTime, nullable=False),
    Column("run_id", Integer),  # the area's run that found it (e.g. timeliness_runs.id)
    Column("team", Text),  # the team the record belongs to, where known
)
Index("ix_quality_findings_area_agency", quality_findings.c.area, quality_findings.c.agency)
Index("ix_quality_findings_record", quality_findings.c.agency, quality_findings.c.table_name,
      quality_findings.c.record_key)

quality_runs = Table(
    "quality_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("as_of", DateTime, nullable=False),  # the date the rules were judged on
    Column("network_build_id", Integer),  # the network the child rules read (None: not built)
    Column("ingest_run_ids", JSON, nullable=False),  # the newest ingest run of each agency
    Column("findings", Integer, nullable=False),
)

quality_scores = Table(
    "quality_scores",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("quality_runs.id"), nullable=False),
    Column("rule", String(48), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("team", Text, nullable=False),  # "" for records that belong to no team
    Column("count", Integer, nullable=False),  # records the rule flagged
    Column("denominator", Integer, nullable=False),  # records the rule looked at
)
Index("ix_quality_scores_run", quality_scores.c.run_id, quality_scores.c.rule)
