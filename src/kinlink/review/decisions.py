"""Reviewers' decisions on record pairs: kept forever, the latest one wins.

A decision is "same" (one person: a must-link for every later run), "not-same"
(never one person: a cannot-link) or "unsure" (no constraint; the item stays in the
queue). Deciding again supersedes the earlier decision without erasing it, so a
mistake is reversible and the history shows who decided what, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
from sqlalchemy import Connection, and_, insert, select, update

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.errors import InputError, NotFoundError
from kinlink.store import Store
from kinlink.store.queries import current_rows
from kinlink.store.schema.resolution import review_decisions, review_items
from kinlink.store.schema.source import people

DECISIONS = ("same", "not-same", "unsure")
DECISION_STATUS = {"same": "decided", "not-same": "decided", "unsure": "unsure"}
"""The review item status each decision leaves behind."""

REVIEWED_NOT_SAME = "reviewed-not-same"
"""The reason a reviewer's "not-same" gives when it keeps two records apart."""


@dataclass(frozen=True)
class Decision:
    """One reviewer's decision about one pair of records."""

    id: int
    uid_l: str
    uid_r: str
    decision: str
    reason: str
    actor: str
    decided_at: datetime
    item_id: int | None


def ordered(uid_a: str, uid_b: str) -> tuple[str, str]:
    """The pair's key: its two uids in order, so (a, b) and (b, a) are one pair."""
    return (uid_a, uid_b) if uid_a <= uid_b else (uid_b, uid_a)


def decide(store: Store, pair: int | tuple[str, str], decision: str, *, actor: str,
           reason: str, clock: Clock = SYSTEM_CLOCK) -> Decision:
    """Record `actor`'s `decision` on a review item (by id) or any two records (by uid).

    Raises `InputError` for an unknown decision, a blank actor or reason, or a record
    paired with itself; `NotFoundError` for an unknown item or record.
    """
    if decision not in DECISIONS:
        raise InputError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
    if not actor.strip() or not reason.strip():
        raise InputError("a decision needs an actor and a reason")
    with store.begin() as conn:
        uid_l, uid_r, item_id = _resolve_pair(conn, pair)
        stamp = clock.now()
        decision_id = conn.execute(insert(review_decisions).values(
            uid_l=uid_l, uid_r=uid_r, decision=decision, reason=reason.strip(),
            actor=actor.strip(), decided_at=stamp, item_id=item_id,
        ).returning(review_decisions.c.id)).scalar_one()
        if item_id is not None:
            conn.execute(update(review_items).where(review_items.c.id == item_id).values(
                status=DECISION_STATUS[decision], updated_at=stamp))
    return Decision(decision_id, uid_l, uid_r, decision, reason.strip(), actor.strip(), stamp,
                    item_id)


def _resolve_pair(conn: Connection, pair: int | tuple[str, str]) -> tuple[str, str, int | None]:
    """The pair's ordered uids and its review item id (if it has one)."""
    if isinstance(pair, int):
        row = conn.execute(select(review_items.c.uid_l, review_items.c.uid_r)
                           .where(review_items.c.id == pair)).first()
        if row is None:
            raise NotFoundError(f"no review item {pair}")
        return row.uid_l, row.uid_r, pair
    uid_l, uid_r = ordered(*pair)
    if uid_l == uid_r:
        raise InputError(f"a record cannot be compared with itself ({uid_l})")
    for uid in (uid_l, uid_r):
        _check_record(conn, uid)
    item_id = conn.execute(select(review_items.c.id).where(
        review_items.c.uid_l == uid_l, review_items.c.uid_r == uid_r)).scalar()
    return uid_l, uid_r, item_id


def _check_record(conn: Connection, uid: str) -> None:
    agency, sep, record_id = uid.partition(":")
    if not sep or not agency or not record_id:
        raise InputError(f"{uid!r} is not a record uid (write AGENCY:RECORD_ID)")
    current = current_rows(people).subquery()
    found = conn.execute(select(current.c.id).where(
        and_(current.c.agency == agency, current.c.record_id == record_id)).limit(1)).first()
    if found is None:
        raise NotFoundError(f"no person record {uid}")


def decision_history(store: Store, uid_a: str, uid_b: str) -> list[Decision]:
    """Every decision ever made on the pair, oldest first (the last one is in force)."""
    uid_l, uid_r = ordered(uid_a, uid_b)
    with store.connect() as conn:
        rows = conn.execute(select(review_decisions).where(
            review_decisions.c.uid_l == uid_l, review_decisions.c.uid_r == uid_r)
            .order_by(review_decisions.c.id)).all()
    return [Decision(**row._mapping) for row in rows]


def latest_decisions(conn: Connection) -> dict[tuple[str, str], Decision]:
    """The decision in force for every pair anyone has decided."""
    latest: dict[tuple[str, str], Decision] = {}
    for row in conn.execute(select(review_decisions).order_by(review_decisions.c.id)):
        latest[(row.uid_l, row.uid_r)] = Decision(**row._mapping)
    return latest


def review_constraints(conn: Connection) -> tuple[pa.Table, pa.Table]:
    """Reviewers' decisions as (must_link, cannot_link) pair tables for clustering."""
    latest = latest_decisions(conn).values()
    same = [d for d in latest if d.decision == "same"]
    apart = [d for d in latest if d.decision == "not-same"]
    must = pa.table({"uid_l": [d.uid_l for d in same], "uid_r": [d.uid_r for d in same]},
                    schema=pa.schema([("uid_l", pa.string()), ("uid_r", pa.string())]))
    cannot = pa.table({"uid_l": [d.uid_l for d in apart], "uid_r": [d.uid_r for d in apart],
                       "reason": [REVIEWED_NOT_SAME] * len(apart)},
                      schema=pa.schema([("uid_l", pa.string()), ("uid_r", pa.string()),
                                        ("reason", pa.string())]))
    return must, cannot
