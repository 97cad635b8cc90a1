"""Data-quality findings: a small, generic store any area uses to flag source records.

    from kinlink.quality import Finding, replace_findings, list_findings

    replace_findings(store, area="timeliness", findings=[Finding(...)], run_id=3)
    list_findings(store, area="timeliness", agency="social-care")

An area records the findings of each run of its checks with `replace_findings` (its
earlier findings go, so re-running never duplicates) or adds to them with `record_findings`.
An area that sees only some records in a run (ingest: one extract) replaces the findings
on those records with `replace_record_findings`.
"""

from kinlink.quality.findings import (
    SEVERITIES,
    Finding,
    StoredFinding,
    list_findings,
    record_findings,
    replace_findings,
    replace_record_findings,
)

__all__ = ["SEVERITIES", "Finding", "StoredFinding", "list_findings", "record_findings",
           "replace_findings", "replace_record_findings"]
