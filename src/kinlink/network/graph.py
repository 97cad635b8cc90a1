"""Building the person graph from the source records and storing it as an adjacency list.

Why polars + the store rather than a graph library for the build: every kind of edge is a
join over up to millions of rows (addresses x addresses, incident x incident people), which
polars does vectorised in seconds on two cores, where a networkx graph of 1M nodes would
take gigabytes and minutes to fill. What a user asks is local (one child, two steps), so the
graph is stored in the store as a two-way adjacency list (`network_edges`, indexed by
person): a child's network is a few indexed look-ups on SQLite or PostgreSQL, fresh for
every process (the CLI, the web app) without rebuilding anything. networkx is used where a
graph algorithm is needed on that small neighbourhood (the layout of the picture).

Memory is bounded at any size of borough: the co-residence self-join (the one that grows
with the square of a household's records) runs a slice of addresses at a time, and every
piece of edge evidence goes to disk (parquet) split by the person it leaves from, so the
fold into stored edges holds one slice of persons at a time (see `EvidenceSpool`).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from rich.progress import Progress
from sqlalchemy import (
    BindParameter,
    Connection,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)

from kinlink import address
from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.network import edges as kinds
from kinlink.network.incident_text import CHILD_LINKS, incident_text_edges
from kinlink.network.load import SourceFrames, load_sources
from kinlink.network.persons import ADULT_AGE, age_expr, person_table
from kinlink.network.probable import probable_edges
from kinlink.store import Store
from kinlink.store.lists import decode_expr, encode_expr
from kinlink.store.schema.network import (
    network_builds,
    network_edges,
    network_markers,
    network_persons,
)
from kinlink.store.schema.resolution import resolution_runs, review_items
from kinlink.store.schema.source import ingest_runs

PARTITIONS = 16
"""Slices of persons the edges are folded and written in (each ~1/16 of the graph)."""
ADDRESS_SLICE_ROWS = 250_000
"""Residence periods joined at a time for co-residence (a slice holds whole addresses)."""
_SEED = 20261125  # any fixed seed: the same person always falls in the same slice


@dataclass
class NetworkBuild:
    """What one build stored: its persons and markers (small enough to keep), and counts."""

    build_id: int
    persons: pl.DataFrame
    markers: pl.DataFrame
    edge_count: int
    seconds: float
    store: Store

    @property
    def edges(self) -> pl.DataFrame:
        """The stored edges as one frame (reads the whole table: for small graphs and tests)."""
        return stored_edges(self.store)

    def summary(self) -> dict[str, Any]:
        return {"build_id": self.build_id, "persons": self.persons.height,
                "edges": self.edge_count, "markers": self.markers.height,
                "seconds": round(self.seconds, 2)}


def _joined(column: str) -> pl.Expr:
    """The distinct values of the lists in `column` across a group, sorted, as one list."""
    return pl.col(column).list.explode(keep_nulls=False, empty_as_null=False).unique().sort()


def both_ways(evidence: pl.DataFrame) -> pl.DataFrame:
    """Each piece of evidence from both ends: `other_person_id` is `relation` of `person_id`."""
    forward = evidence.rename({"a": "person_id", "b": "other_person_id", "rel_ab": "relation"})
    backward = evidence.with_columns(
        person_id=pl.col("b"), other_person_id=pl.col("a"),
        relation=pl.col("rel_ab").replace_strict(kinds.INVERSE),
    )
    return pl.concat([forward, backward.select(forward.columns)])


def fold(both: pl.DataFrame) -> pl.DataFrame:
    """One edge per (person, other, relation, source) from evidence seen both ways."""
    return (
        both.group_by("person_id", "other_person_id", "relation", "source")
        .agg(
            pl.col("recorded").any(), _joined("agencies"), _joined("records"),
            _joined("incidents"), pl.col("partners").any(),
            pl.col("detail").unique().sort().head(20).str.join(" | "),
            pl.col("from_date").min(),
            # Any open-ended evidence keeps the edge open.
            pl.when(pl.col("to_date").is_null().any()).then(None)
            .otherwise(pl.col("to_date").max()).alias("to_date"),
            pl.col("confidence").max(),
        )
        .sort("person_id", "other_person_id")
    )


class EvidenceSpool:
    """Edge evidence on disk, split by the person each direction of it leaves from.

    All evidence of one (person, other, relation, source) lands in one slice, so folding
    slice by slice gives exactly the edges a fold of everything at once would. It also keeps
    the little the incident-text pass needs in memory: links between a person recorded at an
    incident and a child-like relation of theirs.
    """

    def __init__(self, directory: Path, at_incidents: pl.Series) -> None:
        self.directory = directory
        self.at_incidents = at_incidents
        self.child_links: list[pl.DataFrame] = []
        self._written = 0

    def add(self, evidence: pl.DataFrame) -> None:
        if evidence.height == 0:
            return
        both = both_ways(evidence).with_columns(
            part=pl.col("person_id").hash(_SEED) % PARTITIONS)
        for (part,), frame in both.partition_by("part", as_dict=True).items():
            frame.drop("part").write_parquet(self.directory / f"{part}-{self._written}.parquet")
        self._written += 1
        self.child_links.append(
            both.filter(pl.col("relation").is_in(CHILD_LINKS)
                        & pl.col("person_id").is_in(self.at_incidents.implode()))
            .select(a="person_id", b="other_person_id", rel_ab="relation"))

    def linked_children(self) -> pl.DataFrame:
        """(a, b, rel_ab): b is a child-like relation of a, a person recorded at an incident."""
        return pl.concat([kinds.empty_evidence().select("a", "b", "rel_ab"), *self.child_links])

    def folded(self) -> Iterator[pl.DataFrame]:
        """The edges, one slice of persons at a time."""
        for part in range(PARTITIONS):
            files = sorted(self.directory.glob(f"{part}-*.parquet"))
            if files:
                yield fold(pl.read_parquet(files))


def spool_evidence(src: SourceFrames, persons: pl.DataFrame, spool: EvidenceSpool) -> None:
    """Every kind of edge evidence into the spool, in the order each needs the ones before."""
    relationships = kinds.relationship_edges(src)
    spool.add(relationships)
    spool.add(kinds.order_edges(src))
    spool.add(kinds.incident_edges(src))
    spool.add(kinds.shared_parenthood_edges(relationships))  # parents come from rows only
    spool.add(probable_edges(src))
    periods = kinds.residence_periods(src)
    for addresses in _address_slices(periods):
        spool.add(kinds.coresidence_edges(addresses))
    spool.add(incident_text_edges(src, spool.linked_children(), periods, persons))


def _address_slices(periods: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """Residence periods in slices of whole addresses, each of about ADDRESS_SLICE_ROWS."""
    slices = max(1, periods.height // ADDRESS_SLICE_ROWS)
    keyed = periods.with_columns(slice=pl.col("address_key").hash(_SEED) % slices)
    yield from keyed.partition_by("slice", include_key=False)


def marker_table(src: SourceFrames, notes: dict[str, str]) -> pl.DataFrame:
    """Every current risk marker with the person its record belongs to, and the review
    queue's note on why that record is that person (None when the pair was not reviewed)."""
    markers = src.person_of(src.markers)
    identity = pl.DataFrame({"uid": list(notes), "identity": list(notes.values())},
                            schema={"uid": pl.String, "identity": pl.String})
    return markers.join(identity, on="uid", how="left").select(
        "person_id", "agency", "record_id", "marker", "start_date", "end_date", "review_date",
        "related_record_id", "notes", "confidence", "identity").sort("person_id")


def review_notes(conn: Connection, uids: set[str]) -> dict[str, str]:
    """Match evidence from the review queue for the given records (the first item wins)."""
    notes: dict[str, str] = {}
    rows = conn.execute(select(review_items.c.uid_l, review_items.c.uid_r,
                               review_items.c.match_probability, review_items.c.match_weight,
                               review_items.c.explanation).order_by(review_items.c.id))
    for r in rows.mappings():
        for uid, other in ((r["uid_l"], r["uid_r"]), (r["uid_r"], r["uid_l"])):
            if uid in uids and uid not in notes:
                weight = f", weight {r['match_weight']:.1f}" if r["match_weight"] else ""
                notes[uid] = (f"matched to {other}: probability {r['match_probability']:.2f}"
                              f"{weight}; {r['explanation']}")
    return notes


def build_network(store: Store, *, progress: bool = False,
                  clock: Clock = SYSTEM_CLOCK) -> NetworkBuild:
    """Rebuild the whole graph from the current source records and store it."""
    started = time.perf_counter()
    # Stamped before the sources are read: an ingest finishing while we build makes the
    # new graph stale at once, as it should.
    read_at = clock.now()
    with Progress(disable=not progress, transient=True) as bar, \
            tempfile.TemporaryDirectory(prefix="kinlink-network-") as tmp:
        task = bar.add_task("Building the network", total=5)
        with store.connect() as conn:
            src = load_sources(conn)
            uids = src.markers.select(
                pl.concat_str([pl.col("agency"), pl.lit(":"), pl.col("record_id")]))
            notes = review_notes(conn, set(uids.to_series().to_list()))
        bar.advance(task)
        persons = person_table(src)
        markers = marker_table(src, notes)
        bar.advance(task)
        spool = EvidenceSpool(Path(tmp), src.person_of(src.incident_people)["person_id"])
        spool_evidence(src, persons, spool)
        del src  # the source frames are the largest thing held; the spool has what is left
        bar.advance(task)
        folded = []
        for i, edges in enumerate(spool.folded()):
            edges.write_parquet(Path(tmp) / f"edges-{i}.parquet")
            folded.append(Path(tmp) / f"edges-{i}.parquet")
        bar.advance(task)
        build_id, edge_count = _store_snapshot(
            store, persons, folded, markers,
            unresolved=persons.filter(~pl.col("resolved")).height, started=started,
            read_at=read_at, clock=clock)
        store.analyze(network_persons, network_edges, network_markers)
        bar.advance(task)
    address.clear_cache()  # up to 1M read addresses: not worth keeping between builds
    return NetworkBuild(build_id, persons, markers, edge_count, time.perf_counter() - started,
                        store)


def _store_snapshot(store: Store, persons: pl.DataFrame, edge_files: list[Path],
                    markers: pl.DataFrame, *, unresolved: int, started: float,
                    read_at: datetime, clock: Clock) -> tuple[int, int]:
    """Replace the stored graph with a new one, in one transaction (readers see old or new)."""
    with store.begin() as conn:
        build_id = conn.execute(insert(network_builds).values(
            started_at=read_at, persons=persons.height, edges=0,
            markers=markers.height, unresolved_records=unresolved,
        ).returning(network_builds.c.id)).scalar_one()
        for table in (network_persons, network_edges, network_markers):
            _clear(conn, table)
        _insert_rows(conn, network_persons, persons)
        _insert_rows(conn, network_markers, markers)
        edge_count = 0
        for path in edge_files:
            edges = pl.read_parquet(path)
            _insert_rows(conn, network_edges, edges)
            edge_count += edges.height
        conn.execute(update(network_builds).where(network_builds.c.id == build_id).values(
            edges=edge_count, finished_at=clock.now(), seconds=time.perf_counter() - started))
    return int(build_id), edge_count


def _clear(conn: Connection, table: Table) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"TRUNCATE {table.name}"))
    else:
        conn.execute(table.delete())


def _insert_rows(conn: Connection, table: Table, frame: pl.DataFrame) -> None:
    """Bulk-load `frame` into `table` (COPY on PostgreSQL, executemany on SQLite)."""
    columns = [c.name for c in table.columns if c.name in frame.columns]
    # Lists (a person's records, an edge's agencies) are kept as JSON text.
    frame = frame.with_columns(encode_expr(pl.col(c)) for c in columns
                               if isinstance(frame.schema[c], pl.List))
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in frame.select(columns).iter_rows():
                copy.write_row(row)
        return
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    # SQLite's driver takes dates as ISO text, as SQLAlchemy's Date type stores them.
    dates = [pl.col(c).cast(pl.String) for c in columns if frame.schema[c] == pl.Date]
    rows = frame.select(columns).with_columns(*dates).iter_rows()
    conn.connection.driver_connection.executemany(sql, rows)  # type: ignore[union-attr]


def stored_edges(store: Store) -> pl.DataFrame:
    """Every stored edge as a frame (the whole table: meant for small graphs and tests)."""
    columns = [c for c in network_edges.columns if c.name != "id"]
    with store.connect() as conn:
        rows = conn.execute(select(*columns)).all()
    frame = pl.DataFrame([tuple(r) for r in rows], schema={
        "person_id": pl.String, "other_person_id": pl.String, "relation": pl.String,
        "source": pl.String, "recorded": pl.Boolean, "agencies": pl.String,
        "records": pl.String, "incidents": pl.String, "partners": pl.Boolean,
        "detail": pl.String, "from_date": pl.Date, "to_date": pl.Date,
        "confidence": pl.Float64}, orient="row")
    return frame.with_columns(decode_expr(pl.col(c)) for c in ("agencies", "records", "incidents"))


def latest_build(conn: Connection) -> dict[str, Any] | None:
    """The newest finished build, or None if the network was never built."""
    row = conn.execute(
        select(network_builds).where(network_builds.c.finished_at.is_not(None))
        .order_by(network_builds.c.id.desc()).limit(1)
    ).mappings().first()
    return dict(row) if row else None


_BUILT = (select(network_builds.c.started_at).where(network_builds.c.finished_at.is_not(None))
          .order_by(network_builds.c.id.desc()).limit(1).scalar_subquery())
_FRESHNESS = select(_BUILT, *(select(func.max(t.c.finished_at)).scalar_subquery()
                              for t in (ingest_runs, resolution_runs)))
"""The latest build's start and the latest ingest and resolution runs' ends, in one query.
Statements asked for every child are built once: composing them costs more than running
them."""


def is_stale(conn: Connection) -> bool:
    """Whether an ingest or a resolution run finished after the latest build."""
    started, *changed = conn.execute(_FRESHNESS).one()
    return started is None or any(c is not None and c > started for c in changed)


@dataclass(frozen=True)
class NetworkStatus:
    """The latest build of the graph (None if never built) and whether records changed since."""

    build_id: int | None
    built_at: datetime | None
    persons: int
    edges: int
    stale: bool


def network_status(store: Store) -> NetworkStatus:
    """What a reader needs to know about the graph before trusting it; never rebuilds."""
    with store.connect() as conn:
        build = latest_build(conn)
        stale = is_stale(conn)
    if build is None:
        return NetworkStatus(None, None, 0, 0, stale=True)
    return NetworkStatus(build["id"], build["started_at"], build["persons"], build["edges"],
                         stale=stale)


def id_chunks(ids: Sequence[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(ids), size):
        yield list(ids[i:i + size])


IDS: BindParameter[Any] = bindparam("ids", expanding=True)
"""The list of person ids a look-up statement takes (`{"ids": [...]}`)."""
_MARKERS = select(network_markers).where(network_markers.c.person_id.in_(IDS))
_PERSONS = select(network_persons).where(network_persons.c.person_id.in_(IDS))


def markers_of(conn: Connection, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every stored marker of the given persons."""
    out: list[dict[str, Any]] = []
    for chunk in id_chunks(sorted(set(person_ids))):
        out.extend(dict(r) for r in conn.execute(_MARKERS, {"ids": chunk}).mappings())
    return out


def persons_of(conn: Connection, person_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored person rows of the given ids, by id."""
    out: dict[str, dict[str, Any]] = {}
    for chunk in id_chunks(sorted(set(person_ids))):
        out.update((r["person_id"], dict(r))
                   for r in conn.execute(_PERSONS, {"ids": chunk}).mappings())
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
