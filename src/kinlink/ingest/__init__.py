"""Validated ingest of agency extracts (CSV or Parquet) into the operational store.

`ingest_extract` loads one agency's extract in one transaction and returns an
`IngestReport`; `store_status` and `list_quarantine` show what is loaded and what was
rejected. The extract format itself is stated in `kinlink.ingest.format`.
"""

from kinlink.ingest.loader import check_agency, ingest_extract
from kinlink.ingest.report import FileReport, IngestReport, Problem
from kinlink.ingest.status import (
    QuarantinedRow,
    TableStatus,
    count_quarantine,
    list_quarantine,
    store_status,
)

__all__ = [
    "FileReport",
    "IngestReport",
    "Problem",
    "QuarantinedRow",
    "TableStatus",
    "check_agency",
    "count_quarantine",
    "ingest_extract",
    "list_quarantine",
    "store_status",
]
