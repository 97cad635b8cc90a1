"""Undoing a merge or a split: reviewers' decisions that the next resolution run honours.

A resolution run's merges and splits are `person_events` (which records moved between which
persons). Reversing one appends decisions, never deletes anything: for a merge, the
records that moved are "not-same" as the person they joined; for a split, the records that
left are "same" as the person they left. The next `kinlink resolve` keeps to them (they
are clustering constraints), and the decisions stay in the history with who and why.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.errors import InputError, NotFoundError
from kinlink.review.decisions import Decision, decide
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.resolution import person_events

REVERSIBLE = {"merge": "not-same", "split": "same"}
"""What a reversal decides between the records that moved and those that did not."""


def _stayed(store: Store, person_id: str, moved: list[str]) -> str:
    """A record of `person_id` that did not move (the anchor of the reversal)."""
    with store.connect() as conn:
        rows = conn.execute(select(record_persons.c.agency, record_persons.c.record_id)
                            .where(record_persons.c.person_id == person_id)
                            .order_by(record_persons.c.agency, record_persons.c.record_id))
        stayed = [f"{a}:{r}" for a, r in rows if f"{a}:{r}" not in moved]
    if not stayed:
        raise InputError(f"{person_id} holds no record that did not move: nothing to keep "
                         "apart or bring back")
    return stayed[0]


def reverse_person_event(store: Store, event_id: int, *, actor: str, reason: str,
                         clock: Clock = SYSTEM_CLOCK) -> list[Decision]:
    """The decisions that undo a merge or split event (see the module docstring)."""
    with store.connect() as conn:
        event = conn.execute(select(person_events).where(person_events.c.id == event_id)
                             ).first()
    if event is None:
        raise NotFoundError(f"no person event {event_id}")
    if event.kind not in REVERSIBLE:
        raise InputError(f"a {event.kind} cannot be reversed; only "
                         f"{' and '.join(REVERSIBLE)} can")
    moved = event.record_uids if isinstance(event.record_uids, list) else json.loads(
        event.record_uids)
    anchor = _stayed(store, event.person_id, moved)
    why = f"reverses {event.kind} event {event_id}: {reason.strip()}"
    return [decide(store, (uid, anchor), REVERSIBLE[event.kind], actor=actor, reason=why,
                   clock=clock) for uid in moved]
