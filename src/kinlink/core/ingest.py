"""`kl.ingest`: loading agency extracts, the rows refused, what is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource
from kinlink.ingest import (
    IngestReport,
    check_agency,
    count_quarantine,
    ingest_extract,
    list_quarantine,
    store_status,
)
from kinlink.ingest.status import QuarantinedRow, TableStatus


@dataclass(frozen=True)
class QuarantinePage:
    """Quarantined rows matching a filter, and how many match in all."""

    rows: list[QuarantinedRow]
    total: int


class Ingest(Capability):
    """Collection of agencies' records."""

    def load(self, actor: Actor, path: Path, agency: str) -> IngestReport:
        """Validate an extract and store its good rows; bad rows go to quarantine."""
        with self.gate(actor, Action.INGEST_LOAD, Resource("agency", agency, agency=agency),
                       detail={"path": str(path)}):
            check_agency(agency)
            self.step(f"Loading the {agency} extract")
            return ingest_extract(self.store, path, agency, progress=self.shows_progress,
                                  clock=self.clock)

    def quarantine(self, actor: Actor, *, agency: str | None = None, table: str | None = None,
                   run_id: int | None = None, latest: bool = True,
                   limit: int = 50) -> QuarantinePage:
        """Rows ingest refused to store, with file, row, field and reason."""
        agency = self.scoped_agency(actor, agency)
        detail = {k: v for k, v in (("agency", agency), ("table", table), ("run_id", run_id),
                                    ("latest", latest)) if v is not None}
        with self.gate(actor, Action.INGEST_QUARANTINE, Resource("quarantine", agency,
                                                                 agency=agency), detail=detail):
            if agency is not None:
                check_agency(agency)
            rows = list_quarantine(self.store, agency=agency, table=table, run_id=run_id,
                                   latest=latest, limit=limit)
            total = count_quarantine(self.store, agency=agency, table=table, run_id=run_id,
                                     latest=latest)
        return QuarantinePage(rows, total)

    def status(self, actor: Actor) -> list[TableStatus]:
        """What is loaded, by agency and table (counts only)."""
        with self.gate(actor, Action.INGEST_STATUS, Resource("store")):
            return store_status(self.store)
