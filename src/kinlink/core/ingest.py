"""`kl.ingest`: loading agency extracts, the rows refused, what is loaded."""

from __future__ import annotations

import csv
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource
from kinlink.errors import InputError
from kinlink.ingest import (
    IngestReport,
    check_agency,
    count_quarantine,
    ingest_extract,
    list_quarantine,
    store_status,
)
from kinlink.ingest.format import PEOPLE
from kinlink.ingest.reader import ROW
from kinlink.ingest.status import QuarantinedRow, TableStatus
from kinlink.ingest.validate import validate_values
from kinlink.store import Store
from kinlink.store.schema.source import people

ENTERED = tuple(c.name for c in PEOPLE.columns
                if c.name not in ("record_id", "recorded_at", "dob_estimated"))
"""The people fields a practitioner may type into a new record (the id is Kinlink's)."""


@dataclass(frozen=True)
class QuarantinePage:
    """Quarantined rows matching a filter, and how many match in all."""

    rows: list[QuarantinedRow]
    total: int


@dataclass(frozen=True)
class EnteredRecord:
    """A record typed in by a practitioner and stored as its agency's, by one ingest run."""

    agency: str
    record_id: str
    run_id: int

    @property
    def uid(self) -> str:
        return f"{self.agency}:{self.record_id}"


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

    def record(self, actor: Actor, agency: str, fields: dict[str, Any]) -> EnteredRecord:
        """Store one person record typed in by a practitioner as a new record of the agency.

        The values are checked by the same rules as an extract's, but a value that an
        extract would quarantine or store as unknown is refused here with one line naming
        the field, so the person typing can correct it; nothing is stored then. Kinlink
        gives the record its id; it joins a person at the next resolution run."""
        typed = {k: str(v).strip() for k, v in fields.items() if v is not None and str(v).strip()}
        unknown = sorted(set(typed) - set(ENTERED))
        with self.gate(actor, Action.INGEST_RECORD, Resource("agency", agency, agency=agency),
                       detail={"fields": sorted(typed)}):
            check_agency(agency)
            if unknown:
                raise InputError(f"a new record has no field {unknown[0]!r}", field=unknown[0])
            if not (typed.get("first_name") or typed.get("surname")):
                raise InputError("a new record needs a first name or a surname",
                                 field="surname")
            _check_entered(typed, today=self.clock.today())
            record_id = _new_record_id(self.store, agency, self.clock.today().strftime("%Y%m%d"))
            with tempfile.TemporaryDirectory(prefix="kinlink-entered-") as folder:
                path = Path(folder) / "people.csv"
                with path.open("w", newline="", encoding="utf-8") as out:
                    writer = csv.DictWriter(out, ["record_id", *ENTERED, "recorded_at"])
                    writer.writeheader()
                    writer.writerow(typed | {"record_id": record_id, "recorded_at":
                                             self.clock.now().strftime("%Y-%m-%dT%H:%M:%S")})
                report = ingest_extract(self.store, path, agency, clock=self.clock)
            if report.total("new") != 1:  # checked above: only a race could get here
                raise InputError(f"the record was not stored: {report.problems or 'no row'}")
        return EnteredRecord(agency, record_id, report.run_id)

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


def _check_entered(typed: dict[str, str], *, today: date) -> None:
    """Refuse, in one line naming the field, a value ingest would not store as typed."""
    frame = pl.DataFrame({ROW: [1], "record_id": ["new"],
                          **{name: [typed.get(name)] for name in ENTERED}},
                         schema={ROW: pl.Int64, "record_id": pl.Utf8,
                                 **dict.fromkeys(ENTERED, pl.Utf8)})
    checked = validate_values(frame, PEOPLE, today=today)
    for problems in (checked.problems, checked.set_aside):
        for field, reason in problems.select("field", "reason").iter_rows():
            raise InputError(reason, field=field)


def _new_record_id(store: Store, agency: str, day: str) -> str:
    """A record id the agency has not used: `KL-<day>-<random>` (typed in through Kinlink)."""
    with store.connect() as conn:
        while True:
            record_id = f"KL-{day}-{secrets.token_hex(4).upper()}"
            taken = conn.execute(select(people.c.id).where(
                people.c.agency == agency, people.c.record_id == record_id).limit(1)).first()
            if taken is None:
                return record_id
