"""Loading one agency extract into the store, in one transaction.

For each table file, in the order of `kinlink.ingest.format.TABLES`: read it, check and
normalise its values, drop repeated keys, check references, compare with what is stored,
then append new rows and new versions and quarantine the bad rows. Either the whole
extract is stored (with an `ingest_runs` row counting what happened) or, when a file
cannot be read at all, `InputError` is raised and nothing of it is kept.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, insert, update

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.errors import InputError
from kinlink.ingest import bulk
from kinlink.ingest.format import TableSpec
from kinlink.ingest.progress import IngestProgress
from kinlink.ingest.reader import ROW, ExtractFile, RawTable, find_files, read_file, read_header
from kinlink.ingest.references import ExtractValues, check_references
from kinlink.ingest.report import FileReport, IngestReport, Problem
from kinlink.ingest.validate import PROBLEM_SCHEMA, validate_values
from kinlink.ingest.versions import (
    CHANGED,
    HASH,
    KEY,
    NEW,
    STATUS,
    UNCHANGED,
    VERSION,
    compare_with_stored,
    duplicate_keys,
    with_key_and_hash,
)
from kinlink.quality import Finding, replace_record_findings
from kinlink.store import Store
from kinlink.store.schema.source import SOURCE_TABLES, ingest_runs, quarantine

AGENCY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FINDINGS_AREA = "ingest"
SET_ASIDE_RULE = "value-set-aside"
REPORTED_PROBLEMS = 50
"""How many problems an `IngestReport` carries; the quarantine table keeps them all."""


def check_agency(agency: str) -> str:
    """The agency name, if it is lower-case letters, digits and '-' (at most 64)."""
    if not AGENCY_NAME.match(agency):
        raise InputError(f"agency name {agency!r} must be lower-case letters, digits and '-' "
                         "(e.g. police, social-care)")
    return agency


def ingest_extract(store: Store, path: str | Path, agency: str, *, progress: bool = False,
                   today: date | None = None, clock: Clock = SYSTEM_CLOCK) -> IngestReport:
    """Validate and store one agency's extract (a folder of table files, or one file).

    Returns what was read, stored and quarantined. Raises `InputError`, storing nothing,
    when a file cannot be read at all. `today` fixes the date for date checks (tests);
    by default it is the clock's.
    """
    check_agency(agency)
    path = Path(path)
    files, warnings = find_files(path)
    for file in files:  # refuse unreadable headers before any work
        read_header(file)
    started = clock.now()
    with (IngestProgress(enabled=progress) as bar, store.begin() as conn,
          bulk.bulk_session(conn)):
        bulk.lock_agency(conn, agency)
        run = _Run(conn, agency, _start_run(conn, agency, path, started), today or clock.today())
        reports = [_load_file(run, file, bar) for file in files]
        finished = clock.now()
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == run.run_id).values(
            finished_at=finished,
            rows_read=sum(r.read for r in reports),
            rows_new=sum(r.new for r in reports),
            rows_changed=sum(r.changed for r in reports),
            rows_unchanged=sum(r.unchanged for r in reports),
            rows_quarantined=sum(r.quarantined for r in reports),
            files={r.table: {k: v for k, v in vars(r).items() if k != "table"} for r in reports},
        ))
    store.analyze(*(SOURCE_TABLES[r.table] for r in reports if r.new or r.changed))
    return IngestReport(run.run_id, agency, str(path), started, finished, reports,
                        warnings + run.warnings, run.problems[:REPORTED_PROBLEMS])


@dataclass
class _Run:
    """What one ingest carries from file to file."""

    conn: Connection
    agency: str
    run_id: int
    today: date
    seen: ExtractValues = field(default_factory=ExtractValues)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def lookup(self, spec: TableSpec, column: str, values: list[str]) -> set[str]:
        """Which `values` of `spec.column` are stored for the agency."""
        # A one-column key is the column itself, and `key` is indexed with the agency.
        stored_column = KEY if spec.key == (column,) else column
        return bulk.stored_values(self.conn, SOURCE_TABLES[spec.name], stored_column,
                                  self.agency, values)


def _start_run(conn: Connection, agency: str, path: Path, started: datetime) -> int:
    result = conn.execute(insert(ingest_runs).values(
        agency=agency, source_path=str(path.resolve()), started_at=started, rows_read=0,
        rows_new=0, rows_changed=0, rows_unchanged=0, rows_quarantined=0, files={},
    ))
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def _load_file(run: _Run, file: ExtractFile, bar: IngestProgress) -> FileReport:
    started = time.perf_counter()
    spec = file.spec
    bar.stage(f"reading {file.name}")
    raw = read_file(file)
    run.warnings.extend(raw.warnings)
    bar.stage(f"checking {file.name} ({raw.rows_read:,} rows)")
    checked = validate_values(raw.frame, spec, today=run.today)
    rows = with_key_and_hash(checked.rows, spec)
    problems = [checked.problems, duplicate_keys(rows, spec)]
    rows = _without(rows, problems[-1])
    problems.append(check_references(rows, spec, agency=run.agency, seen=run.seen,
                                     lookup=run.lookup))
    rows = _without(rows, problems[-1])
    set_aside = _record_set_aside(run, file, rows, checked.set_aside)
    table = SOURCE_TABLES[spec.name]
    rows = compare_with_stored(rows, bulk.stored_versions(run.conn, table, run.agency))
    # In key order, so index inserts append rather than land all over the B-tree.
    changes = rows.filter(pl.col(STATUS) != UNCHANGED).sort(KEY)
    bar.stage(f"storing {file.name}", total=changes.height)
    bulk.insert_frame(run.conn, table, changes.select(
        pl.lit(run.agency).alias("agency"), KEY, VERSION, HASH,
        pl.lit(run.run_id).alias("ingest_run_id"), *spec.column_names,
    ), bar.advance)
    all_problems = pl.concat(problems, how="vertical").sort(ROW, maintain_order=True)
    _quarantine(run, raw, all_problems)
    bad_rows = raw.frame.filter(pl.col(ROW).is_in(all_problems.get_column(ROW).implode()))
    run.seen.remember(spec, rows, bad_rows.select(pl.exclude(ROW).str.strip_chars()))
    counts = rows.get_column(STATUS).value_counts()
    count = dict(zip(counts.get_column(STATUS), counts.get_column("count"), strict=True))
    return FileReport(spec.name, file.name, raw.rows_read, count.get(NEW, 0),
                      count.get(CHANGED, 0), count.get(UNCHANGED, 0),
                      all_problems.get_column(ROW).n_unique() + len(raw.bad_rows),
                      round(time.perf_counter() - started, 3), set_aside=set_aside)


def _record_set_aside(run: _Run, file: ExtractFile, rows: pl.DataFrame,
                      set_aside: pl.DataFrame) -> int:
    """A data-quality finding for each value of a stored row that was stored as unknown,
    naming the file, row, field and value; these replace the ingest findings on the rows'
    records (a corrected record loses its finding). Returns how many values were set aside."""
    kept = set_aside.join(rows.select(ROW, KEY), on=ROW)
    findings = [
        Finding(run.agency, file.spec.name, key, SET_ASIDE_RULE,
                f"{file.name} row {row}: {column} {reason}; stored as unknown")
        for row, column, reason, key in kept.select(ROW, "field", "reason", KEY).iter_rows()]
    replace_record_findings(run.conn, area=FINDINGS_AREA, agency=run.agency,
                            table_name=file.spec.name, record_keys=rows.get_column(KEY),
                            findings=findings, run_id=run.run_id)
    return len(findings)


def _without(rows: pl.DataFrame, problems: pl.DataFrame) -> pl.DataFrame:
    return rows.filter(~pl.col(ROW).is_in(problems.get_column(ROW).implode()))


def _quarantine(run: _Run, raw: RawTable, problems: pl.DataFrame) -> None:
    """Store every problem with its raw row, and keep the first few for the report."""
    raw_json = raw.frame.filter(pl.col(ROW).is_in(problems.get_column(ROW).implode())).select(
        pl.col(ROW), pl.struct(pl.exclude(ROW)).struct.json_encode().alias("raw"))
    unsplit = pl.DataFrame(
        {ROW: [b.row for b in raw.bad_rows], "field": [None] * len(raw.bad_rows),
         "reason": [b.reason for b in raw.bad_rows],
         "raw": [json.dumps({"line": b.text}) for b in raw.bad_rows]},
        schema={**PROBLEM_SCHEMA, "raw": pl.Utf8},
    )
    rows = pl.concat([problems.join(raw_json, on=ROW, how="left"), unsplit],
                     how="vertical").sort(ROW, maintain_order=True)
    bulk.insert_frame(run.conn, quarantine, rows.select(
        pl.lit(run.run_id).alias("ingest_run_id"), pl.lit(run.agency).alias("agency"),
        pl.lit(raw.file.spec.name).alias("table_name"), pl.lit(raw.file.name).alias("file"),
        pl.col(ROW).alias("row_number"), "field", "reason", "raw",
    ))
    room = REPORTED_PROBLEMS - len(run.problems)
    run.problems.extend(
        Problem(raw.file.spec.name, raw.file.name, row, field, reason)
        for row, field, reason in rows.head(max(room, 0)).select(ROW, "field", "reason")
        .iter_rows())

