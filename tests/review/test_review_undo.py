"""Undoing a decision: the one before comes back, or the pair returns to the queue."""

from __future__ import annotations

import pytest

from kinlink.errors import InputError
from kinlink.review import decide, decision_history, list_review_items, undo_decision
from kinlink.store import Store

from .test_review import add_people, offer


def test_undo_restores_the_decision_before_and_keeps_the_history(store: Store) -> None:
    add_people(store, "police:1", "health:1")
    offer(store, ("police:1", "health:1", 0.8))
    [item] = list_review_items(store)
    with pytest.raises(InputError, match="no decision"):
        undo_decision(store, item.id, actor="asha")
    decide(store, item.id, "same", actor="asha", reason="same letter")
    decide(store, item.id, "not-same", actor="asha", reason="misread")
    undone = undo_decision(store, item.id, actor="asha", reason="clicked the wrong one")
    assert undone.decision == "same"
    assert undone.reason.startswith("undo of decision") and "clicked" in undone.reason
    again = undo_decision(store, ("health:1", "police:1"), actor="asha")
    assert again.decision == "not-same"
    history = [d.decision for d in decision_history(store, "police:1", "health:1")]
    assert history == ["same", "not-same", "same", "not-same"]


def test_undo_of_the_only_decision_puts_the_pair_back_in_the_queue(store: Store) -> None:
    add_people(store, "police:1", "health:1")
    offer(store, ("police:1", "health:1", 0.8))
    [item] = list_review_items(store)
    decide(store, item.id, "same", actor="asha", reason="same letter")
    assert list_review_items(store, status="decided")
    assert undo_decision(store, item.id, actor="asha").decision == "unsure"
    assert [i.id for i in list_review_items(store, status="unsure")] == [item.id]
