"""The review queue: record pairs the model is unsure about, waiting for a person.

Each resolution run offers its uncertain pairs (and the links a constraint refused).
An item is `open` until someone decides; `decided` after "same" or "not-same";
`unsure` after "unsure" (it stays in the queue); `withdrawn` when a later run is no
longer unsure about an undecided pair (it reopens if the doubt comes back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
from sqlalchemy import Connection, RowMapping, Select, bindparam, func, insert, or_, select, update

from kinlink.errors import InputError, NotFoundError
from kinlink.review.decisions import DECISION_STATUS, latest_decisions, ordered
from kinlink.store import Store
from kinlink.store.schema.resolution import review_items

STATUSES = ("open", "unsure", "decided", "withdrawn")
UNDECIDED = ("open", "unsure")


@dataclass(frozen=True)
class ReviewItem:
    """A pair of records waiting for (or given) a reviewer's decision."""

    id: int
    uid_l: str
    uid_r: str
    agency_l: str
    agency_r: str
    match_probability: float
    match_weight: float | None
    explanation: str
    reason: str  # uncertain | a constraint that refused the link
    status: str
    updated_at: datetime


def _filtered(query: Select, status: str | None, agency: str | None) -> Select:
    if status is not None:
        if status not in STATUSES:
            raise InputError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        query = query.where(review_items.c.status == status)
    if agency:
        query = query.where(or_(review_items.c.agency_l == agency,
                                review_items.c.agency_r == agency))
    return query


def list_review_items(store: Store, *, status: str | None = "open", agency: str | None = None,
                      limit: int = 50, offset: int = 0) -> list[ReviewItem]:
    """Review items, most likely matches first; `status=None` lists every status and
    `agency` keeps pairs where either record is that agency's."""
    query = _filtered(select(review_items), status, agency).order_by(
        review_items.c.match_probability.desc(), review_items.c.id).limit(limit).offset(offset)
    with store.connect() as conn:
        return [_item(row._mapping) for row in conn.execute(query)]


def count_review_items(store: Store, *, status: str | None = "open",
                       agency: str | None = None) -> int:
    """How many items `list_review_items` would page through."""
    query = _filtered(select(func.count()).select_from(review_items), status, agency)
    with store.connect() as conn:
        return int(conn.execute(query).scalar_one())


def get_review_item(store: Store, item_id: int) -> ReviewItem:
    """One review item by id (`NotFoundError` if there is none)."""
    with store.connect() as conn:
        row = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
    if row is None:
        raise NotFoundError(f"no review item {item_id}")
    return _item(row._mapping)


def _item(row: RowMapping) -> ReviewItem:
    return ReviewItem(**{name: row[name] for name in ReviewItem.__dataclass_fields__})


def store_review_items(conn: Connection, items: pa.Table, *, run_id: int,
                       at: datetime) -> int:
    """Offer a run's uncertain pairs for review; returns how many are now waiting.

    `items` has `uid_l`, `uid_r`, `match_probability`, `match_weight`, `explanation`,
    `reason`. New pairs are added, known ones refreshed, and undecided items this run
    no longer doubts are withdrawn. Decisions already made are kept. `at` stamps them.
    """
    stamp = at
    existing = {(r.uid_l, r.uid_r): (r.id, r.status) for r in conn.execute(
        select(review_items.c.id, review_items.c.uid_l, review_items.c.uid_r,
               review_items.c.status))}
    decided = {pair: DECISION_STATUS[d.decision] for pair, d in latest_decisions(conn).items()}
    new, refreshed, offered = [], [], set()
    for row in items.to_pylist():
        pair = ordered(row["uid_l"], row["uid_r"])
        if pair in offered:
            continue
        offered.add(pair)
        values = {"match_probability": row["match_probability"],
                  "match_weight": row.get("match_weight"),
                  "explanation": row.get("explanation") or "", "reason": row["reason"],
                  "status": decided.get(pair, "open"), "last_run_id": run_id,
                  "updated_at": stamp}
        if pair in existing:
            refreshed.append({"item_id": existing[pair][0], **values})
        else:
            new.append({"uid_l": pair[0], "uid_r": pair[1],
                        "agency_l": pair[0].split(":", 1)[0],
                        "agency_r": pair[1].split(":", 1)[0],
                        "first_run_id": run_id, "created_at": stamp, **values})
    if new:
        conn.execute(insert(review_items), new)
    if refreshed:
        conn.execute(update(review_items).where(review_items.c.id == bindparam("item_id"))
                     .values({k: bindparam(k) for k in refreshed[0] if k != "item_id"}),
                     refreshed)
    stale = [{"item_id": item_id} for pair, (item_id, status) in existing.items()
             if pair not in offered and status in UNDECIDED]
    if stale:
        conn.execute(update(review_items).where(review_items.c.id == bindparam("item_id"))
                     .values(status="withdrawn", updated_at=stamp), stale)
    return sum(1 for pair in offered if decided.get(pair, "open") in UNDECIDED)
