"""Building the person graph from the source records and storing it as an adjacency list.

Why polars + the store rather than a graph library for the build: every kind of edge is a
join over up to millions of rows (addresses x addresses, incident x incident people), which
polars does vectorised in seconds on two cores, where a networkx graph of 1M nodes would
take gigabytes and minutes to fill. What a user asks is local (one child, two steps), so the
graph is stored in the store as a two-way adjacency list (`network_edges`, indexed by
person): a child's network is two indexed look-ups on SQLite or PostgreSQL, fresh for every
process (the CLI, the web app) without rebuilding anything. networkx is used where a graph
algorithm is needed on that small neighbourhood (the layout of the picture).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from rich.progress import Progress
from sqlalchemy import Connection, Table, func, insert, select, text, update

from kinlink.network import edges as kinds
from kinlink.network.incident_text import incident_text_edges
from kinlink.network.load import SourceFrames, load_sources
from kinlink.network.persons import ADULT_AGE, age_expr, person_table
from kinlink.store import Store
from kinlink.store.schema.network import (
    network_builds,
    network_edges,
    network_markers,
    network_persons,
)
from kinlink.store.schema.resolution import resolution_runs
from kinlink.store.schema.source import ingest_runs


@dataclass
class NetworkBuild:
    """What one build stored, and the frames it built them from (for alerts)."""

    build_id: int
    persons: pl.DataFrame
    edges: pl.DataFrame
    markers: pl.DataFrame
    sources: SourceFrames
    seconds: float

    def summary(self) -> dict[str, Any]:
        return {"build_id": self.build_id, "persons": self.persons.height,
                "edges": self.edges.height, "markers": self.markers.height,
                "seconds": round(self.seconds, 2)}


def collect_evidence(src: SourceFrames, persons: pl.DataFrame) -> pl.DataFrame:
    """Every piece of edge evidence, in the order each kind needs the ones before it."""
    periods = kinds.residence_periods(src)
    evidence = pl.concat([
        kinds.relationship_edges(src), kinds.order_edges(src),
        kinds.coresidence_edges(periods), kinds.incident_edges(src),
    ])
    evidence = pl.concat([evidence, kinds.shared_parenthood_edges(evidence)])
    return pl.concat([evidence, incident_text_edges(src, evidence, periods, persons)])


def _joined(column: str) -> pl.Expr:
    """The distinct ';'-separated values of `column` across a group, sorted."""
    return pl.col(column).str.split(";").explode().unique().sort().str.join(";")


def fold_edges(evidence: pl.DataFrame) -> pl.DataFrame:
    """One edge per (person, other, relation, source), stored from both ends."""
    forward = evidence.rename({"a": "person_id", "b": "other_person_id", "rel_ab": "relation"})
    backward = evidence.with_columns(
        person_id=pl.col("b"), other_person_id=pl.col("a"),
        relation=pl.col("rel_ab").replace_strict(kinds.INVERSE),
    )
    both = pl.concat([forward, backward.select(forward.columns)])
    return (
        both.group_by("person_id", "other_person_id", "relation", "source")
        .agg(
            pl.col("recorded").any(), _joined("agency").alias("agencies"),
            _joined("records"), pl.col("detail").unique().sort().head(20).str.join(" | "),
            pl.col("from_date").min(),
            # Any open-ended evidence keeps the edge open.
            pl.when(pl.col("to_date").is_null().any()).then(None)
            .otherwise(pl.col("to_date").max()).alias("to_date"),
            pl.col("confidence").max(),
        )
        .sort("person_id", "other_person_id")
    )


def marker_table(src: SourceFrames) -> pl.DataFrame:
    """Every current risk marker with the person its record belongs to."""
    markers = src.person_of(src.markers)
    return markers.select(
        "person_id", "agency", "record_id", "marker", "start_date", "end_date", "review_date",
        "related_record_id", "notes", "confidence").sort("person_id")


def build_network(store: Store, *, progress: bool = False) -> NetworkBuild:
    """Rebuild the whole graph from the current source records and store it."""
    started = time.perf_counter()
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("Building the network", total=5)
        with store.connect() as conn:
            src = load_sources(conn)
        bar.advance(task)
        persons = person_table(src)
        bar.advance(task)
        edges = fold_edges(collect_evidence(src, persons))
        bar.advance(task)
        markers = marker_table(src)
        bar.advance(task)
        build_id = _store_snapshot(store, persons, edges, markers,
                                   unresolved=persons.filter(~pl.col("resolved")).height,
                                   started=started)
        bar.advance(task)
    return NetworkBuild(build_id, persons, edges, markers, src, time.perf_counter() - started)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _store_snapshot(store: Store, persons: pl.DataFrame, edges: pl.DataFrame,
                    markers: pl.DataFrame, *, unresolved: int, started: float) -> int:
    """Replace the stored graph with a new one, in one transaction (readers see old or new)."""
    with store.begin() as conn:
        build_id = conn.execute(insert(network_builds).values(
            started_at=_now(), persons=persons.height, edges=edges.height,
            markers=markers.height, unresolved_records=unresolved,
        ).returning(network_builds.c.id)).scalar_one()
        for table, frame in ((network_persons, persons), (network_edges, edges),
                             (network_markers, markers)):
            _replace_rows(conn, table, frame)
        conn.execute(update(network_builds).where(network_builds.c.id == build_id).values(
            finished_at=_now(), seconds=time.perf_counter() - started))
    return int(build_id)


def _replace_rows(conn: Connection, table: Table, frame: pl.DataFrame) -> None:
    """Delete every row of `table` and bulk-load `frame` (COPY on PostgreSQL)."""
    columns = [c.name for c in table.columns if c.name in frame.columns]
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"TRUNCATE {table.name}"))
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in frame.select(columns).iter_rows():
                copy.write_row(row)
        return
    conn.execute(table.delete())
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    # SQLite's driver takes dates as ISO text, as SQLAlchemy's Date type stores them.
    dates = [pl.col(c).cast(pl.String) for c in columns if frame.schema[c] == pl.Date]
    rows = frame.select(columns).with_columns(*dates).iter_rows()
    conn.connection.driver_connection.executemany(sql, rows)  # type: ignore[union-attr]


def latest_build(conn: Connection) -> dict[str, Any] | None:
    """The newest finished build, or None if the network was never built."""
    row = conn.execute(
        select(network_builds).where(network_builds.c.finished_at.is_not(None))
        .order_by(network_builds.c.id.desc()).limit(1)
    ).mappings().first()
    return dict(row) if row else None


def is_stale(conn: Connection) -> bool:
    """Whether an ingest or a resolution run finished after the latest build."""
    build = latest_build(conn)
    if build is None:
        return True
    changed = [conn.execute(select(func.max(t.c.finished_at))).scalar()
               for t in (ingest_runs, resolution_runs)]
    return any(c is not None and c > build["started_at"] for c in changed)


def ensure_network(store: Store, *, progress: bool = False) -> None:
    """Build the graph if it was never built or the records changed since."""
    with store.connect() as conn:
        stale = is_stale(conn)
    if stale:
        build_network(store, progress=progress)


def _chunks(ids: Sequence[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(ids), size):
        yield list(ids[i:i + size])


def edges_of(conn: Connection, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every stored edge leaving the given persons."""
    out: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(set(person_ids))):
        rows = conn.execute(select(network_edges).where(network_edges.c.person_id.in_(chunk)))
        out.extend(dict(r) for r in rows.mappings())
    return out


def markers_of(conn: Connection, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every stored marker of the given persons."""
    out: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(set(person_ids))):
        rows = conn.execute(select(network_markers).where(
            network_markers.c.person_id.in_(chunk)))
        out.extend(dict(r) for r in rows.mappings())
    return out


def persons_of(conn: Connection, person_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored person rows of the given ids, by id."""
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(person_ids))):
        rows = conn.execute(select(network_persons).where(
            network_persons.c.person_id.in_(chunk)))
        out.update((r["person_id"], dict(r)) for r in rows.mappings())
    return out


def active_on(row: dict[str, Any], on: date) -> bool:
    """Whether an edge or marker's dates include `on` (unknown dates count as open)."""
    start, end = row.get("from_date", row.get("start_date")), row.get("to_date",
                                                                      row.get("end_date"))
    return (start is None or start <= on) and (end is None or end >= on)


def children_on(store: Store, on: date) -> list[str]:
    """Ids of the stored persons under 18 on the date, in id order."""
    with store.connect() as conn:
        rows = conn.execute(select(network_persons.c.person_id, network_persons.c.dob,
                                   network_persons.c.pupil)).all()
    frame = pl.DataFrame({"person_id": [r[0] for r in rows], "dob": [r[1] for r in rows],
                          "pupil": [bool(r[2]) for r in rows]},
                         schema={"person_id": pl.String, "dob": pl.String, "pupil": pl.Boolean})
    ages = frame.with_columns(age=age_expr(pl.col("dob"), pl.lit(on)))
    child = pl.col("age").is_between(0, ADULT_AGE - 1) | (pl.col("age").is_null()
                                                          & pl.col("pupil"))
    return ages.filter(child).sort("person_id")["person_id"].to_list()
