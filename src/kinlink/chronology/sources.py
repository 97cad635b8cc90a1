"""The agencies' source rows held on given person records, read from the store.

A chronology and the second-look rules both need "every row any agency holds on these
records": the current version of each row (the highest version of its key), and for
`people` every version, since a changed address or school between two extracts is itself
an event. Look-ups go agency by agency so the `(agency, record_id)` indexes serve them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select

from kinlink.store.schema.source import SOURCE_TABLES, ingest_runs

Row = dict[str, Any]
CHUNK = 500


def uid(agency: str, record_id: str) -> str:
    """A record's uid, as every area writes it: `agency:record_id`."""
    return f"{agency}:{record_id}"


def _by_agency(uids: Collection[str]) -> dict[str, list[str]]:
    out: defaultdict[str, list[str]] = defaultdict(list)
    for u in sorted(set(uids)):
        agency, _, record_id = u.partition(":")
        out[agency].append(record_id)
    return out


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    for i in range(0, len(values), CHUNK):
        yield list(values[i:i + CHUNK])


def _latest(rows: Iterator[Row]) -> list[Row]:
    """The highest version of each (agency, key)."""
    best: dict[tuple[str, str], Row] = {}
    for row in rows:
        k = (row["agency"], row["key"])
        if k not in best or row["version"] > best[k]["version"]:
            best[k] = row
    return sorted(best.values(), key=lambda r: (r["agency"], r["key"]))


def _select(conn: Connection, table: Table, column: str,
            values: dict[str, list[str]]) -> Iterator[Row]:
    for agency, ids in values.items():
        for chunk in _chunks(ids):
            query = select(table).where(table.c.agency == agency, table.c[column].in_(chunk))
            yield from (dict(r) for r in conn.execute(query).mappings())


def rows_on_records(conn: Connection, table: str, uids: Collection[str]) -> list[Row]:
    """The current rows of a source table held on any of the records (by `record_id`)."""
    return _latest(_select(conn, SOURCE_TABLES[table], "record_id", _by_agency(uids)))


def related_rows(conn: Connection, table: str, uids: Collection[str]) -> list[Row]:
    """The current rows of a table that name one of the records as `related_record_id`."""
    return _latest(_select(conn, SOURCE_TABLES[table], "related_record_id", _by_agency(uids)))


def people_versions(conn: Connection, uids: Collection[str]) -> list[Row]:
    """Every stored version of the records' `people` rows, oldest first, each with the time
    its extract was loaded (`loaded_at`), for changes between extracts."""
    people = SOURCE_TABLES["people"]
    rows = list(_select(conn, people, "record_id", _by_agency(uids)))
    loaded = dict(conn.execute(select(ingest_runs.c.id, ingest_runs.c.started_at).where(
        ingest_runs.c.id.in_(sorted({r["ingest_run_id"] for r in rows})))).all()) if rows else {}
    for row in rows:
        row["loaded_at"] = loaded.get(row["ingest_run_id"])
    return sorted(rows, key=lambda r: (r["agency"], r["record_id"], r["version"]))


def incidents_of(conn: Connection, uids: Collection[str]) -> tuple[list[Row], dict[str, Row]]:
    """Who of the records was at which incident (`incident_people` rows), and those
    incidents by `agency:incident_id`."""
    attended = rows_on_records(conn, "incident_people", uids)
    wanted: defaultdict[str, list[str]] = defaultdict(list)
    for row in attended:
        wanted[row["agency"]].append(row["incident_id"])
    table = SOURCE_TABLES["incidents"]
    incidents = _latest(_select(conn, table, "key", {a: sorted(set(ids))
                                                     for a, ids in wanted.items()}))
    return attended, {uid(r["agency"], r["incident_id"]): r for r in incidents}
