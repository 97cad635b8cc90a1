"""Constrained clustering on hand-made pair tables."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from kinlink.linkage.clusters import cluster


def records(*uids: str, **strong: dict[str, str]) -> pa.Table:
    """Records with the given uids; `strong` maps an id column to {uid: value}."""
    columns: dict[str, list[str | None]] = {"uid": list(uids)}
    for name, values in strong.items():
        columns[name] = [values.get(u) for u in uids]
    return pa.table(columns)


def pairs(*rows: tuple[str, str, float]) -> pa.Table:
    return pa.table({
        "uid_l": [r[0] for r in rows], "uid_r": [r[1] for r in rows],
        "match_probability": [r[2] for r in rows],
    })


def links(*rows: tuple[str, str]) -> pa.Table:
    return pa.table({"uid_l": [r[0] for r in rows], "uid_r": [r[1] for r in rows]})


def groups(result_table: pa.Table) -> set[frozenset[str]]:
    by_cluster: dict[str, set[str]] = {}
    for row in result_table.to_pylist():
        by_cluster.setdefault(row["cluster_id"], set()).add(row["uid"])
    return {frozenset(g) for g in by_cluster.values()}


def test_connected_components_at_threshold() -> None:
    result = cluster(records("a", "b", "c", "d", "e"),
                     pairs(("a", "b", 0.99), ("b", "c", 0.95), ("c", "d", 0.5),
                           ("d", "e", 0.97)), threshold=0.9)
    assert groups(result.clusters) == {frozenset("abc"), frozenset("de")}
    row = {r["uid"]: r for r in result.clusters.to_pylist()}
    assert row["a"]["cluster_id"] == "a" and row["e"]["cluster_id"] == "d"
    assert row["b"]["confidence"] == 0.99 and row["c"]["confidence"] == 0.95


def test_record_alone_has_no_confidence_and_its_own_cluster() -> None:
    result = cluster(records("a", "b"), pairs(("a", "b", 0.2)))
    assert groups(result.clusters) == {frozenset("a"), frozenset("b")}
    assert result.clusters.column("confidence").null_count == 2
    assert result.refused.num_rows == 0


def test_two_nhs_numbers_are_split_at_the_weakest_link() -> None:
    # a and c hold different NHS numbers; b links to both, more strongly to a.
    result = cluster(
        records("a", "b", "c", nhs_number={"a": "9434765919", "c": "9434765870"}),
        pairs(("a", "b", 0.99), ("b", "c", 0.93)),
    )
    assert groups(result.clusters) == {frozenset("ab"), frozenset("c")}
    assert result.refused.to_pylist() == [
        {"uid_l": "b", "uid_r": "c", "match_probability": 0.93,
         "reason": "different-strong-id"}]


def test_same_strong_id_does_not_split_and_kinds_are_separate() -> None:
    result = cluster(
        records("a", "b", "c", nhs_number={"a": "9434765919", "b": "9434765919"},
                upn={"c": "A123456789012"}),
        pairs(("a", "b", 0.95), ("b", "c", 0.95)),
    )
    assert groups(result.clusters) == {frozenset("abc")}


def test_records_recorded_as_related_are_never_merged() -> None:
    # Parent p1/p2 and child c1/c2 with one strong cross link p2-c1.
    result = cluster(
        records("p1", "p2", "c1", "c2"),
        pairs(("p1", "p2", 0.99), ("c1", "c2", 0.98), ("p2", "c1", 0.97)),
        cannot_link=pa.table({"uid_l": ["c2"], "uid_r": ["p1"], "reason": ["related"]}),
    )
    assert groups(result.clusters) == {frozenset({"p1", "p2"}), frozenset({"c1", "c2"})}
    assert result.refused.column("reason").to_pylist() == ["related"]


def test_cannot_link_reason_defaults() -> None:
    result = cluster(records("a", "b"), pairs(("a", "b", 0.99)),
                     cannot_link=links(("a", "b")))
    assert result.refused.column("reason").to_pylist() == ["cannot-link"]


def test_must_link_joins_below_threshold_and_beats_strong_ids() -> None:
    result = cluster(
        records("a", "b", "c", nhs_number={"a": "9434765919", "b": "9434765870"}),
        pairs(("a", "b", 0.1), ("b", "c", 0.2)),
        must_link=links(("b", "a")),
    )
    assert groups(result.clusters) == {frozenset("ab"), frozenset("c")}
    assert {r["uid"]: r["confidence"] for r in result.clusters.to_pylist()}["a"] == 1.0


def test_chain_through_one_weak_link_between_groups_is_cut() -> None:
    # Two tight groups; one link above threshold between them, but every other
    # scored pair between the groups says "different people".
    scored = pairs(
        ("a1", "a2", 0.99), ("a1", "a3", 0.99), ("a2", "a3", 0.98),
        ("b1", "b2", 0.99), ("b1", "b3", 0.97), ("b2", "b3", 0.99),
        ("a3", "b1", 0.92), ("a1", "b1", 0.01), ("a2", "b2", 0.02), ("a3", "b3", 0.05),
    )
    result = cluster(records("a1", "a2", "a3", "b1", "b2", "b3"), scored)
    assert groups(result.clusters) == {frozenset({"a1", "a2", "a3"}),
                                       frozenset({"b1", "b2", "b3"})}
    assert result.refused.column("reason").to_pylist() == ["weak-support"]


def test_groups_with_supporting_evidence_are_joined() -> None:
    scored = pairs(
        ("a1", "a2", 0.99), ("b1", "b2", 0.99),
        ("a1", "b1", 0.95), ("a2", "b2", 0.7), ("a1", "b2", 0.3),
    )
    result = cluster(records("a1", "a2", "b1", "b2"), scored)
    assert groups(result.clusters) == {frozenset({"a1", "a2", "b1", "b2"})}


def test_unknown_uids_and_self_pairs_are_ignored() -> None:
    result = cluster(records("a", "b"),
                     pairs(("a", "zz", 0.99), ("a", "a", 1.0), ("b", "a", 0.95)))
    assert groups(result.clusters) == {frozenset("ab")}


def test_result_does_not_depend_on_pair_order() -> None:
    rows = [("a", "b", 0.99), ("b", "c", 0.95), ("c", "d", 0.94), ("d", "e", 0.91)]
    strong = {"nhs_number": {"a": "1", "e": "2"}}
    first = cluster(records(*"abcde", **strong), pairs(*rows))
    second = cluster(records(*"edcba", **strong), pairs(*[(r, q, p) for q, r, p in rows[::-1]]))
    assert first.clusters.equals(second.clusters)
    assert groups(first.clusters) == {frozenset("abcd"), frozenset("e")}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14),
                          st.floats(0.0, 1.0, allow_nan=False)), max_size=40),
       st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), max_size=5),
       st.dictionaries(st.integers(0, 14), st.sampled_from(["x", "y", "z"]), max_size=6))
def test_constraints_always_hold(rows: list[tuple[int, int, float]],
                                 cannot: list[tuple[int, int]], nhs: dict[int, str]) -> None:
    uids = [f"r{i:02d}" for i in range(15)]
    result = cluster(
        records(*uids, nhs_number={uids[i]: v for i, v in nhs.items()}),
        pairs(*[(uids[a], uids[b], p) for a, b, p in rows]),
        cannot_link=links(*[(uids[a], uids[b]) for a, b in cannot if a != b]),
        threshold=0.9,
    )
    label = {r["uid"]: r["cluster_id"] for r in result.clusters.to_pylist()}
    for a, b in cannot:
        if a != b:
            assert label[uids[a]] != label[uids[b]]
    per_cluster: dict[str, set[str]] = {}
    for i, value in nhs.items():
        per_cluster.setdefault(label[uids[i]], set()).add(value)
    assert all(len(values) == 1 for values in per_cluster.values())
    # Every cluster is connected by links at or above the threshold.
    for group in groups(result.clusters):
        if len(group) > 1:
            strong = [(uids[a], uids[b]) for a, b, p in rows if p >= 0.9]
            assert all(any(u in (x, y) and ({x, y} <= group) for x, y in strong)
                       for u in group)


def test_a_large_graph_clusters_quickly() -> None:
    rng = np.random.default_rng(1)
    n = 50_000
    uids = [f"u{i:06d}" for i in range(n)]
    # Persons of 4 records each, every pair scored high, plus random low pairs.
    left, right, prob = [], [], []
    for start in range(0, n, 4):
        for i in range(start, start + 4):
            for j in range(i + 1, start + 4):
                left.append(i)
                right.append(j)
                prob.append(0.99)
    noise = rng.integers(0, n, size=(20_000, 2))
    left += noise[:, 0].tolist()
    right += noise[:, 1].tolist()
    prob += rng.uniform(0, 0.5, 20_000).tolist()
    table = pa.table({"uid_l": [uids[i] for i in left], "uid_r": [uids[i] for i in right],
                      "match_probability": prob})
    result = cluster(pa.table({"uid": uids}), table)
    assert len(set(result.clusters.column("cluster_id").to_pylist())) == n // 4
