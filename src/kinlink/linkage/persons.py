"""Stable person ids: map a run's clusters onto the persons the store already knows.

A person id must survive re-runs, because practitioners, alerts and networks refer to
it. Each existing person has a *home* cluster: the new cluster holding most of its
records. A cluster is then

- the home of exactly one person: it keeps that person's id (new records *join* it);
- the home of several persons: a *merge*; the person with most records there (the
  older id on a tie) keeps its id, the others are retired;
- the home of none: a new person; if its records belonged to persons whose home is
  elsewhere, those persons *split* (the larger part kept the id, this part is new),
  otherwise the person is *created* from new records.

Records that move from one person to another existing person are a split too. A person
whose records have all gone is *retired*. Re-running on the same clusters changes
nothing. Ids are `P` + 7 digits, sequential, never reused (retired ids stay in `persons`).

`plan_persons` is the pure planning step; `assign_persons` reads and writes the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
import pyarrow as pa
from sqlalchemy import Connection, delete, func, select, update

from kinlink.ingest.bulk import insert_frame
from kinlink.store.queries import records_in
from kinlink.store.schema.identity import persons, record_persons
from kinlink.store.schema.resolution import person_events

_IN_CHUNK = 500  # values per IN (...) list, well under every backend's limit


@dataclass(frozen=True)
class PersonEvent:
    """Something that happened to a person in a run (see the module docstring)."""

    kind: str  # create | merge | split | retire
    person_id: str
    other_person_id: str | None
    record_uids: list[str]
    reason: str


@dataclass
class PersonPlan:
    """Which person each record now belongs to, and the events that led there."""

    assignments: pl.DataFrame  # uid, person_id, confidence
    new_person_ids: list[str] = field(default_factory=list)
    retired_person_ids: list[str] = field(default_factory=list)
    events: list[PersonEvent] = field(default_factory=list)
    joined: int = 0  # records new to the store that joined an existing person

    def count(self, kind: str) -> int:
        return sum(e.kind == kind for e in self.events)

    @property
    def persons(self) -> int:
        return self.assignments.get_column("person_id").n_unique()


def person_id(number: int) -> str:
    """The id of the `number`th person ever created."""
    return f"P{number:07d}"


def plan_persons(clusters: pa.Table | pl.DataFrame, previous: pl.DataFrame, *,
                 next_number: int, events: bool = True) -> PersonPlan:
    """Plan person ids for `clusters` (uid, cluster_id, confidence) given the `previous`
    assignment (uid, person_id); new ids are numbered from `next_number`. Without
    `events`, only the assignments (a file's persons: no history to explain)."""
    current = clusters if isinstance(clusters, pl.DataFrame) else pl.from_arrow(clusters)
    assert isinstance(current, pl.DataFrame)
    joined = current.join(previous.select("uid", old="person_id"), on="uid", how="left")
    overlap = (joined.drop_nulls("old").group_by("cluster_id", "old").len("n")
               .sort("n", "cluster_id", descending=[True, False]))
    home = overlap.unique("old", keep="first", maintain_order=True)
    winners = (home.sort("n", "old", descending=[True, False])
               .unique("cluster_id", keep="first", maintain_order=True)
               .select("cluster_id", person_id="old"))

    plan = PersonPlan(assignments=pl.DataFrame())
    unnamed = (current.select("cluster_id").unique()
               .join(winners, on="cluster_id", how="anti").sort("cluster_id"))
    fresh = unnamed.with_columns(person_id=pl.Series(
        [person_id(next_number + i) for i in range(unnamed.height)], dtype=pl.String))
    plan.new_person_ids = fresh.get_column("person_id").to_list()
    names = pl.concat([winners, fresh])
    plan.assignments = (joined.join(names, on="cluster_id")
                        .select("uid", "person_id", "confidence").sort("uid"))
    plan.joined = joined.filter(pl.col("old").is_null()
                                & pl.col("cluster_id").is_in(winners["cluster_id"].to_list())
                                ).height
    if events:
        _record_events(plan, joined.join(names, on="cluster_id"), home, winners, previous)
    return plan


def _record_events(plan: PersonPlan, moves: pl.DataFrame, home: pl.DataFrame,
                   winners: pl.DataFrame, previous: pl.DataFrame) -> None:
    """Explain every person that appeared, merged, split or retired."""
    losers = (home.join(winners.rename({"person_id": "kept"}), on="cluster_id")
              .filter(pl.col("old") != pl.col("kept")))
    merged_into = dict(zip(losers["old"], losers["kept"], strict=True))
    merged = moves.filter(pl.col("old").replace_strict(merged_into, default=None)
                          == pl.col("person_id"))
    for kept, old, uids in _grouped_uids(merged, ["person_id", "old"]):
        plan.retired_person_ids.append(old)
        plan.events.append(PersonEvent("merge", kept, old, uids,
                                       f"{old} and {kept} were found to be one person"))
    moved = moves.drop_nulls("old").filter(
        (pl.col("old") != pl.col("person_id"))
        & (pl.col("old").replace_strict(merged_into, default=None) != pl.col("person_id"))
        .fill_null(True))
    for old, new, uids in _grouped_uids(moved, ["old", "person_id"]):
        plan.events.append(PersonEvent(
            "split", old, new, uids,
            f"records of {old} were found to be a different person ({new})"))
    created = set(plan.new_person_ids) - set(moved["person_id"])
    for new, uids in _grouped_uids(moves.filter(pl.col("person_id").is_in(list(created))),
                                   ["person_id"]):
        plan.events.append(PersonEvent("create", new, None, uids,
                                       "records of a person not seen before"))
    vanished = previous.select(old="person_id").unique().join(home, on="old", how="anti")
    for old in sorted(vanished["old"]):
        plan.retired_person_ids.append(old)
        plan.events.append(PersonEvent("retire", old, None, [],
                                       "none of the person's records remain"))
    plan.events.sort(key=lambda e: (e.kind, e.person_id, e.other_person_id or ""))


def _grouped_uids(frame: pl.DataFrame, keys: list[str]) -> list[tuple]:  # type: ignore[type-arg]
    """Rows of (*keys, sorted uids) for each group of `frame` by `keys`."""
    return (frame.group_by(keys).agg(pl.col("uid").sort()).sort(keys)).rows()


def assign_persons(conn: Connection, clusters: pa.Table, *, run_id: int,
                   at: datetime) -> PersonPlan:
    """Give every clustered record a stable person id in the store (inside `conn`'s
    transaction): new persons, retirements, changed `record_persons` rows and events,
    stamped `at`."""
    previous = _previous_assignments(conn)
    plan = plan_persons(clusters, previous.select("uid", "person_id"),
                        next_number=_next_number(conn))
    insert_frame(conn, persons, pl.DataFrame({"person_id": plan.new_person_ids}).with_columns(
        status=pl.lit("active"), created_at=pl.lit(at), created_run_id=pl.lit(run_id)))
    for start in range(0, len(plan.retired_person_ids), _IN_CHUNK):
        conn.execute(update(persons).where(persons.c.person_id.in_(
            plan.retired_person_ids[start:start + _IN_CHUNK]))
            .values(status="retired", retired_run_id=run_id))
    _write_record_persons(conn, plan.assignments, previous, run_id)
    insert_frame(conn, person_events, pl.DataFrame(
        {"kind": [e.kind for e in plan.events],
         "person_id": [e.person_id for e in plan.events],
         "other_person_id": [e.other_person_id for e in plan.events],
         "record_uids": [json.dumps(e.record_uids) for e in plan.events],
         "reason": [e.reason for e in plan.events]},
        schema={"kind": pl.String, "person_id": pl.String, "other_person_id": pl.String,
                "record_uids": pl.String, "reason": pl.String},
    ).with_columns(run_id=pl.lit(run_id), created_at=pl.lit(at)))
    return plan


def _previous_assignments(conn: Connection) -> pl.DataFrame:
    rows = conn.execute(select(record_persons.c.agency, record_persons.c.record_id,
                               record_persons.c.person_id, record_persons.c.run_id,
                               record_persons.c.cluster_confidence)).all()
    return pl.DataFrame(
        [(f"{a}:{r}", p, run, c) for a, r, p, run, c in rows], orient="row",
        schema={"uid": pl.String, "person_id": pl.String, "run_id": pl.Int64,
                "confidence": pl.Float64})


def _next_number(conn: Connection) -> int:
    """One more than the highest person number ever used (retired ones included)."""
    last = conn.execute(select(persons.c.person_id)
                        .order_by(func.length(persons.c.person_id).desc(),
                                  persons.c.person_id.desc()).limit(1)).scalar()
    return int(last[1:]) + 1 if last else 1


def _write_record_persons(conn: Connection, assignments: pl.DataFrame,
                          previous: pl.DataFrame, run_id: int) -> None:
    """Write the rows whose person or confidence changed, and drop vanished records.

    When most rows change (a first run, a retrained model) the table is rewritten whole,
    which is much faster than deleting rows key by key.
    """
    compared = assignments.join(previous, on="uid", how="full", suffix="_old", coalesce=True)
    is_changed = (pl.col("person_id_old").is_null()
                  | (pl.col("person_id") != pl.col("person_id_old"))
                  | ~_same_confidence(pl.col("confidence"), pl.col("confidence_old")))
    current = compared.filter(pl.col("person_id").is_not_null()).with_columns(
        changed=is_changed)
    changed = current.filter("changed")
    gone = compared.filter(pl.col("person_id").is_null())["uid"].to_list()
    stale = changed.filter(pl.col("person_id_old").is_not_null())["uid"].to_list()
    if len(gone) + len(stale) > previous.height // 2:
        conn.execute(delete(record_persons))
        rows = current.with_columns(
            run_id=pl.when("changed").then(pl.lit(run_id)).otherwise(pl.col("run_id")))
    else:
        keys = [tuple(uid.split(":", 1)) for uid in gone + stale]
        for start in range(0, len(keys), _IN_CHUNK):
            conn.execute(delete(record_persons).where(records_in(
                record_persons.c.agency, record_persons.c.record_id,
                keys[start:start + _IN_CHUNK])))
        rows = changed.with_columns(run_id=pl.lit(run_id))
    uid = pl.col("uid").str.split_exact(":", 1)
    insert_frame(conn, record_persons, rows.select(
        agency=uid.struct.field("field_0"),
        record_id=pl.col("uid").str.splitn(":", 2).struct.field("field_1"),
        person_id="person_id", run_id=pl.col("run_id").cast(pl.Int64),
        cluster_confidence="confidence"))


def _same_confidence(new: pl.Expr, old: pl.Expr) -> pl.Expr:
    both_null = new.is_null() & old.is_null()
    return both_null | ((new - old).abs() < 1e-9).fill_null(False)
