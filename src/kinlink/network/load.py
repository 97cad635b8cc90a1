"""Reading the current source records and the record-to-person map into polars frames.

Every frame carries `uid` (`"agency:record_id"`) and `person_id`. A record that no
resolution run has placed yet stands for a person of its own, with its uid as person id,
so the network is usable (if fragmented) before the first `kinlink resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, Select, select

from kinlink.store.queries import current_rows
from kinlink.store.schema.identity import record_persons

PEOPLE_COLUMNS = ("agency", "record_id", "first_name", "surname", "dob", "sex", "address",
                  "postcode", "nhs_number", "upn", "recorded_at")
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": PEOPLE_COLUMNS,
    "addresses": ("agency", "record_id", "address", "postcode", "from_date", "to_date"),
    "relationships": ("agency", "record_id", "related_record_id", "type", "from_date",
                      "to_date"),
    "risk_markers": ("agency", "record_id", "marker", "start_date", "end_date", "review_date",
                     "related_record_id", "notes"),
    "incidents": ("agency", "incident_id", "occurred_at", "type", "address", "postcode",
                  "summary"),
    "incident_people": ("agency", "incident_id", "record_id", "role"),
    "referrals": ("agency", "record_id"),
}
"""The columns the network reads from each source table."""


@dataclass
class SourceFrames:
    """The current source records, each record tagged with its person."""

    people: pl.DataFrame
    addresses: pl.DataFrame
    relationships: pl.DataFrame
    markers: pl.DataFrame
    incidents: pl.DataFrame
    incident_people: pl.DataFrame
    referrals: pl.DataFrame  # agency, record_id of each referred child
    persons: pl.DataFrame  # uid -> person_id, confidence, resolved

    def person_of(self, frame: pl.DataFrame, *, agency: str = "agency",
                  record: str = "record_id", prefix: str = "") -> pl.DataFrame:
        """`frame` with `{prefix}uid`, `{prefix}person_id` and `{prefix}confidence` added."""
        uid = pl.concat_str([pl.col(agency), pl.lit(":"), pl.col(record)])
        joined = frame.with_columns(uid.alias(f"{prefix}uid")).join(
            self.persons.select(
                pl.col("uid").alias(f"{prefix}uid"),
                pl.col("person_id").alias(f"{prefix}person_id"),
                pl.col("confidence").alias(f"{prefix}confidence"),
            ),
            on=f"{prefix}uid", how="left",
        )
        # Records named by a relationship but missing from people still get a node.
        return joined.with_columns(
            pl.col(f"{prefix}person_id").fill_null(pl.col(f"{prefix}uid")),
            pl.col(f"{prefix}confidence").fill_null(1.0),
        )


FETCH_ROWS = 100_000
"""Rows turned into a polars frame at a time: Python tuples cost ~10x the frame's memory, so
a whole table at once (1.6M people rows at 1M persons) would need gigabytes."""


def _fetch(conn: Connection, query: Select, columns: tuple[str, ...]) -> pl.DataFrame:
    """The rows of `query` as a frame, fetched (streamed on PostgreSQL) a chunk at a time."""
    result = conn.execute(query, execution_options={"stream_results": True,
                                                    "max_row_buffer": FETCH_ROWS})
    chunks = [_typed(pl.DataFrame([tuple(r) for r in rows], schema=list(columns),
                                  orient="row", strict=False, infer_schema_length=None))
              for rows in result.partitions(FETCH_ROWS)]
    if not chunks:
        return _typed(pl.DataFrame(schema=list(columns)))
    return pl.concat(chunks, how="vertical_relaxed", rechunk=True)


def _current(conn: Connection, table: str) -> pl.DataFrame:
    columns = TABLE_COLUMNS[table]
    current = current_rows(table).subquery()
    return _fetch(conn, select(*(current.c[c] for c in columns)), columns)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Give every column its type (dates, date-times, else text), so chunks and joins line up."""
    casts: dict[str, pl.DataType] = {}
    for name in frame.columns:
        if name.endswith("_date"):
            casts[name] = pl.Date()
        elif name in ("occurred_at", "recorded_at"):
            casts[name] = pl.Datetime("us")
        elif name == "confidence":
            casts[name] = pl.Float64()
        else:
            casts[name] = pl.String()
    return frame.with_columns(
        *(pl.col(n).cast(t, strict=False) for n, t in casts.items())
    ) if frame.height else pl.DataFrame(schema=casts)


def load_sources(conn: Connection) -> SourceFrames:
    """Read every current source row the network needs, with record -> person."""
    persons = _fetch(
        conn,
        select(record_persons.c.agency, record_persons.c.record_id, record_persons.c.person_id,
               record_persons.c.cluster_confidence),
        ("agency", "record_id", "person_id", "confidence"),
    )
    persons = pl.DataFrame(schema={"uid": pl.String, "person_id": pl.String,
                                   "confidence": pl.Float64}) if persons.height == 0 else (
        persons.select(
            pl.concat_str([pl.col("agency"), pl.lit(":"), pl.col("record_id")]).alias("uid"),
            pl.col("person_id").cast(pl.String),
            pl.col("confidence").cast(pl.Float64).fill_null(1.0),
        )
    )
    return SourceFrames(
        people=_current(conn, "people"),
        addresses=_current(conn, "addresses"),
        relationships=_current(conn, "relationships"),
        markers=_current(conn, "risk_markers"),
        incidents=_current(conn, "incidents"),
        incident_people=_current(conn, "incident_people"),
        referrals=_current(conn, "referrals").unique(),
        persons=persons,
    )
