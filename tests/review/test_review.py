"""The review queue and decisions: stored, listed, decided, reversible, with history."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest
from sqlalchemy import insert

from kinlink.clock import SYSTEM_CLOCK
from kinlink.errors import InputError, NotFoundError
from kinlink.review import (
    count_review_items,
    decide,
    decision_history,
    get_review_item,
    list_review_items,
    review_constraints,
    store_review_items,
)
from kinlink.store import Store
from kinlink.store.schema.resolution import resolution_runs
from kinlink.store.schema.source import ingest_runs, people


def add_people(store: Store, *uids: str) -> None:
    """Store minimal people records with these uids (one ingest run per agency)."""
    with store.begin() as conn:
        for uid in uids:
            agency, record_id = uid.split(":", 1)
            run = conn.execute(insert(ingest_runs).values(
                agency=agency, source_path="test", started_at=datetime(2026, 1, 1),
                rows_read=1, rows_new=1, rows_changed=0, rows_unchanged=0,
                rows_quarantined=0, files={}).returning(ingest_runs.c.id)).scalar_one()
            conn.execute(insert(people).values(
                agency=agency, key=record_id, version=1, row_hash="x" * 32, ingest_run_id=run,
                record_id=record_id, first_name="Sam", surname="Jones", sex="U",
                dob_estimated=False))


def new_run(store: Store) -> int:
    with store.begin() as conn:
        return int(conn.execute(insert(resolution_runs).values(
            started_at=datetime(2026, 1, 1), engine="duckdb", threshold=0.9)
            .returning(resolution_runs.c.id)).scalar_one())


def items(*rows: tuple[str, str, float]) -> pa.Table:
    return pa.table({
        "uid_l": [r[0] for r in rows], "uid_r": [r[1] for r in rows],
        "match_probability": [r[2] for r in rows], "match_weight": [1.0] * len(rows),
        "explanation": [f"explained {r[0]} {r[1]}" for r in rows],
        "reason": ["uncertain"] * len(rows),
    })


def offer(store: Store, *rows: tuple[str, str, float]) -> int:
    run_id = new_run(store)
    with store.begin() as conn:
        return store_review_items(conn, items(*rows), run_id=run_id, at=SYSTEM_CLOCK.now())


def test_items_are_stored_listed_and_filtered(store: Store) -> None:
    assert offer(store, ("police:2", "health:1", 0.7), ("police:3", "police:4", 0.9)) == 2
    listed = list_review_items(store)
    assert [(i.uid_l, i.uid_r) for i in listed] == [("police:3", "police:4"),
                                                   ("health:1", "police:2")]
    assert listed[1].agency_l == "health" and listed[1].explanation.startswith("explained")
    assert [i.uid_l for i in list_review_items(store, agency="health")] == ["health:1"]
    assert len(list_review_items(store, limit=1, offset=1)) == 1
    assert count_review_items(store, agency="police") == 2
    assert get_review_item(store, listed[0].id) == listed[0]
    with pytest.raises(NotFoundError):
        get_review_item(store, 999)
    with pytest.raises(InputError, match="unknown status"):
        list_review_items(store, status="nonsense")


def test_decisions_are_kept_reversible_and_turn_into_constraints(store: Store) -> None:
    add_people(store, "police:1", "health:1")
    offer(store, ("police:1", "health:1", 0.8))
    [item] = list_review_items(store)
    decide(store, item.id, "same", actor="asha", reason="same NHS letter on file")
    assert list_review_items(store) == []
    assert list_review_items(store, status="decided")[0].id == item.id
    with store.connect() as conn:
        must, cannot = review_constraints(conn)
    assert must.to_pylist() == [{"uid_l": "health:1", "uid_r": "police:1"}]
    assert cannot.num_rows == 0

    decide(store, ("police:1", "health:1"), "not-same", actor="ben", reason="different mothers")
    with store.connect() as conn:
        must, cannot = review_constraints(conn)
    assert must.num_rows == 0
    assert cannot.column("reason").to_pylist() == ["reviewed-not-same"]
    history = decision_history(store, "police:1", "health:1")
    assert [(d.decision, d.actor) for d in history] == [("same", "asha"), ("not-same", "ben")]
    assert all(d.item_id == item.id for d in history)

    decide(store, item.id, "unsure", actor="cai", reason="need to ask the school")
    assert [i.id for i in list_review_items(store, status="unsure")] == [item.id]
    with store.connect() as conn:
        must, cannot = review_constraints(conn)
    assert must.num_rows == cannot.num_rows == 0


def test_decision_on_a_pair_not_in_the_queue(store: Store) -> None:
    add_people(store, "education:7", "police:9")
    decision = decide(store, ("police:9", "education:7"), "not-same", actor="dee",
                      reason="twins")
    assert (decision.uid_l, decision.uid_r, decision.item_id) == (
        "education:7", "police:9", None)
    # Offered later, the item arrives already decided.
    assert offer(store, ("police:9", "education:7", 0.6)) == 0
    assert list_review_items(store, status="decided")[0].uid_r == "police:9"


@pytest.mark.parametrize(("pair", "decision", "actor", "reason", "error"), [
    (("police:1", "health:1"), "maybe", "a", "r", InputError),
    (("police:1", "health:1"), "same", " ", "r", InputError),
    (("police:1", "health:1"), "same", "a", "", InputError),
    (("police:1", "police:1"), "same", "a", "r", InputError),
    (("police1", "health:1"), "same", "a", "r", InputError),
    (("police:1", "health:404"), "same", "a", "r", NotFoundError),
    (12345, "same", "a", "r", NotFoundError),
])
def test_bad_decisions_are_refused(store: Store, pair: object, decision: str, actor: str,
                                   reason: str, error: type[Exception]) -> None:
    add_people(store, "police:1", "health:1")
    with pytest.raises(error):
        decide(store, pair, decision, actor=actor, reason=reason)  # type: ignore[arg-type]


def test_later_runs_refresh_withdraw_and_reopen(store: Store) -> None:
    offer(store, ("police:1", "health:1", 0.6), ("police:5", "health:5", 0.7))
    assert offer(store, ("police:1", "health:1", 0.65)) == 1
    assert list_review_items(store, status="withdrawn")[0].uid_r == "police:5"
    [item] = list_review_items(store)
    assert item.match_probability == 0.65
    offer(store, ("police:5", "health:5", 0.7))
    assert [i.uid_r for i in list_review_items(store)] == ["police:5"]
