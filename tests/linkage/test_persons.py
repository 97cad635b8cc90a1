"""Stable person ids across runs: join, merge, split, create, retire, and no-change re-runs."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
from sqlalchemy import insert, select

from kinlink.linkage.persons import assign_persons, plan_persons
from kinlink.store import Store
from kinlink.store.schema.identity import persons, record_persons
from kinlink.store.schema.resolution import person_events, resolution_runs


def clusters(*groups: str) -> pa.Table:
    """Clusters from strings of one-letter uids, e.g. clusters("abc", "d")."""
    rows = [(uid, min(group), 0.95 if len(group) > 1 else None)
            for group in groups for uid in group]
    return pa.table({"uid": [r[0] for r in rows], "cluster_id": [r[1] for r in rows],
                     "confidence": pa.array([r[2] for r in rows], pa.float64())})


def previous(**assigned: str) -> pl.DataFrame:
    """A previous assignment: person id -> string of uids."""
    rows = [(uid, person) for person, uids in assigned.items() for uid in uids]
    return pl.DataFrame({"uid": [r[0] for r in rows], "person_id": [r[1] for r in rows]},
                        schema={"uid": pl.String, "person_id": pl.String})


def people(plan_assignments: pl.DataFrame) -> dict[str, str]:
    return dict(plan_assignments.select("uid", "person_id").iter_rows())


def test_first_run_creates_sequential_ids() -> None:
    plan = plan_persons(clusters("ab", "c"), previous(), next_number=1)
    assert people(plan.assignments) == {"a": "P0000001", "b": "P0000001", "c": "P0000002"}
    assert [e.kind for e in plan.events] == ["create", "create"]
    assert plan.events[0].record_uids == ["a", "b"]


def test_same_clusters_change_nothing() -> None:
    plan = plan_persons(clusters("ab", "c"), previous(P0000001="ab", P0000002="c"),
                        next_number=3)
    assert people(plan.assignments) == {"a": "P0000001", "b": "P0000001", "c": "P0000002"}
    assert plan.events == [] and plan.new_person_ids == [] and plan.joined == 0


def test_new_record_joins_existing_person() -> None:
    plan = plan_persons(clusters("abx", "c"), previous(P0000001="ab", P0000002="c"),
                        next_number=3)
    assert people(plan.assignments)["x"] == "P0000001"
    assert plan.events == [] and plan.joined == 1


def test_merge_keeps_the_larger_person() -> None:
    plan = plan_persons(clusters("abcd"), previous(P0000001="a", P0000002="bcd"),
                        next_number=3)
    assert set(people(plan.assignments).values()) == {"P0000002"}
    assert plan.retired_person_ids == ["P0000001"]
    [event] = plan.events
    assert (event.kind, event.person_id, event.other_person_id, event.record_uids) == (
        "merge", "P0000002", "P0000001", ["a"])


def test_merge_of_equal_persons_keeps_the_older_id() -> None:
    plan = plan_persons(clusters("abcd"), previous(P0000007="ab", P0000003="cd"),
                        next_number=8)
    assert set(people(plan.assignments).values()) == {"P0000003"}


def test_split_gives_the_smaller_part_a_new_id() -> None:
    plan = plan_persons(clusters("abc", "de"), previous(P0000001="abcde"), next_number=2)
    assert people(plan.assignments) == {"a": "P0000001", "b": "P0000001", "c": "P0000001",
                                        "d": "P0000002", "e": "P0000002"}
    [event] = plan.events
    assert (event.kind, event.person_id, event.other_person_id, event.record_uids) == (
        "split", "P0000001", "P0000002", ["d", "e"])


def test_records_moving_between_existing_persons_are_a_split() -> None:
    plan = plan_persons(clusters("abx", "cd"), previous(P0000001="ab", P0000002="cdx"),
                        next_number=3)
    assert people(plan.assignments)["x"] == "P0000001"
    [event] = plan.events
    assert (event.kind, event.person_id, event.other_person_id, event.record_uids) == (
        "split", "P0000002", "P0000001", ["x"])


def test_person_whose_records_are_gone_is_retired() -> None:
    plan = plan_persons(clusters("ab"), previous(P0000001="ab", P0000002="z"), next_number=3)
    assert plan.retired_person_ids == ["P0000002"]
    assert [e.kind for e in plan.events] == ["retire"]


def _run(store: Store) -> int:
    with store.begin() as conn:
        return int(conn.execute(insert(resolution_runs).values(
            started_at=datetime(2026, 1, 1), engine="duckdb", threshold=0.9)
            .returning(resolution_runs.c.id)).scalar_one())


def _assign(store: Store, table: pa.Table) -> dict[str, str]:
    run_id = _run(store)
    with store.begin() as conn:
        assign_persons(conn, table, run_id=run_id, at=datetime(2026, 1, 2, tzinfo=UTC))
        return {f"{a}:{r}": p for a, r, p in conn.execute(select(
            record_persons.c.agency, record_persons.c.record_id, record_persons.c.person_id))}


def store_clusters(*groups: list[str]) -> pa.Table:
    uids = [u for g in groups for u in g]
    return pa.table({"uid": uids, "cluster_id": [min(g) for g in groups for _ in g],
                     "confidence": pa.array([0.9] * len(uids), pa.float64())})


def test_ids_are_stable_in_the_store_across_runs(store: Store) -> None:
    first = _assign(store, store_clusters(["police:1", "health:9"], ["police:2"]))
    assert first == {"police:1": "P0000001", "health:9": "P0000001", "police:2": "P0000002"}
    assert _assign(store, store_clusters(["police:1", "health:9"], ["police:2"])) == first
    # A merge, then a split: the retired id is never reused.
    merged = _assign(store, store_clusters(["police:1", "health:9", "police:2"]))
    assert set(merged.values()) == {"P0000001"}
    split = _assign(store, store_clusters(["police:1", "health:9"], ["police:2"]))
    assert split["police:2"] == "P0000003"
    with store.connect() as conn:
        status = dict(conn.execute(select(persons.c.person_id, persons.c.status)).all())
        kinds = [k for (k,) in conn.execute(select(person_events.c.kind)
                                            .order_by(person_events.c.id))]
    assert status == {"P0000001": "active", "P0000002": "retired", "P0000003": "active"}
    assert kinds == ["create", "create", "merge", "split"]


def test_no_change_run_writes_nothing(store: Store) -> None:
    table = store_clusters(["education:1", "education:2"])
    _assign(store, table)
    with store.connect() as conn:
        before = conn.execute(select(record_persons)).all()
    _assign(store, table)
    with store.connect() as conn:
        assert conn.execute(select(record_persons)).all() == before
