"""What makes the network work at 1M persons: a build in slices that stores the same graph,
review evidence copied into the snapshot, and a child's network in a handful of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, insert

from kinlink.network import build_network, child_network, risk_summary
from kinlink.network import graph as graph_module
from kinlink.store import Store
from kinlink.store.schema.resolution import review_items

AMY, DANIEL = "P0000001", "P0000003"
AS_OF = date(2026, 11, 1)


def _rows(store: Store) -> list[tuple]:
    frame = build_network(store).edges
    return sorted(frame.iter_rows())


def test_building_in_slices_stores_the_same_graph(
        borough: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _rows(borough)
    # One address per co-residence slice and three slices of persons for the fold.
    monkeypatch.setattr(graph_module, "ADDRESS_SLICE_ROWS", 1)
    monkeypatch.setattr(graph_module, "PARTITIONS", 3)
    sliced = _rows(borough)
    assert sliced == whole and len(whole) > 20


def test_marker_identity_comes_from_the_review_queue(borough: Store) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with borough.begin() as conn:
        conn.execute(insert(review_items).values(
            uid_l="health:H9", uid_r="police:P1", agency_l="health", agency_r="police",
            match_probability=0.81, match_weight=4.2, explanation="surname close, dob equal",
            reason="uncertain", status="open", created_at=now, updated_at=now))
    build_network(borough)
    daniel = next(a for a in child_network(borough, AMY, as_of=AS_OF).adults
                  if a.person.person_id == DANIEL)
    identities = {m.uid: m.identity for m in daniel.markers}
    assert identities["police:P1"] == ("matched to health:H9: probability 0.81, weight 4.2; "
                                       "surname close, dob equal")


def test_a_childs_network_is_a_few_queries(borough: Store) -> None:
    build_network(borough)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(borough.engine, "before_cursor_execute", count)
    try:
        child_network(borough, AMY, as_of=AS_OF)
        one = len(statements)
        risk_summary(borough, [AMY, DANIEL, "P0000005"], as_of=AS_OF)
    finally:
        event.remove(borough.engine, "before_cursor_execute", count)
    # Both steps of edges, persons, markers: for one child or for many (reading never
    # checks freshness or rebuilds: that is the caller's `network_status`).
    assert one == 3
    assert len(statements) == 6
