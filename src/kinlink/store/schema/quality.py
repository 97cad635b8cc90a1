"""Data-quality findings: what a check found wrong with a source record, and why.

Any area may record findings (timeliness flags messy referral dates; later areas add
their own). A finding names the record by agency, table and natural key, so it can be
shown next to the record; each area replaces its findings on every run of its checks.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

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
)
Index("ix_quality_findings_area_agency", quality_findings.c.area, quality_findings.c.agency)
Index("ix_quality_findings_record", quality_findings.c.agency, quality_findings.c.table_name,
      quality_findings.c.record_key)
