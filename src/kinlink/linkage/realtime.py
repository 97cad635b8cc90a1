"""Real-time matching: one new record against every stored record, in milliseconds.

Candidates come from the blocking-key index in the operational store (the batch
blocking rules as indexed keys, see `settings.blocking_keys`); they are scored with the
trained model by `PairScorer`, which reproduces batch scores exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import and_, bindparam, delete, func, insert, select, tuple_

from kinlink.linkage.explain import Explanation, explain
from kinlink.linkage.model import LinkageModel
from kinlink.linkage.prepare import prepare_record, prepare_table
from kinlink.linkage.scoring import PairScorer
from kinlink.linkage.settings import blocking_keys
from kinlink.store import Store
from kinlink.store.queries import current_rows
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.linkage import linkage_keys, linkage_records
from kinlink.store.schema.source import people

_BATCH = 10_000  # records prepared and written per transaction during a refresh


@dataclass(frozen=True)
class Candidate:
    """A stored record that may be the same person as the query."""

    uid: str
    agency: str
    record_id: str
    person_id: str | None  # from record_persons, once linkage has resolved the record
    match_probability: float
    match_weight: float
    explanation: Explanation


@dataclass(frozen=True)
class RefreshSummary:
    """What a refresh changed in the index."""

    indexed: int  # records prepared and (re)indexed now
    total: int  # records in the index afterwards


class RealtimeMatcher:
    """Matches single records against the store with a trained model.

    Call `refresh()` after each ingest (the first call builds the index); `match()` then
    answers from the index without touching the source tables.
    """

    def __init__(self, store: Store, model: LinkageModel) -> None:
        self.store = store
        self.model = model
        self._scorer = PairScorer(model)
        self._tf: dict[str, dict[str, float]] = {}
        self._load_term_frequencies()

    def refresh(self) -> RefreshSummary:
        """Bring the index up to date with the current source records.

        Only records whose current version is not yet indexed are prepared again, a
        batch at a time, so memory stays flat however many records changed.
        """
        stale = self._stale_row_ids()
        for chunk in _chunks(stale, _BATCH):
            with self.store.connect() as conn:
                rows = [dict(r) for r in conn.execute(
                    select(people).where(people.c.id.in_(chunk))).mappings()]
            self._index(rows)
        self._load_term_frequencies()
        with self.store.connect() as conn:
            total = conn.execute(select(func.count()).select_from(linkage_records)).scalar()
        return RefreshSummary(indexed=len(stale), total=int(total or 0))

    def match(self, record: Mapping[str, Any], *, top: int = 5) -> list[Candidate]:
        """The `top` stored records most likely to be the same person as `record`.

        `record` has people-format fields (first_name, surname, dob, postcode, ...);
        when it names an `agency` and `record_id` already stored, that record itself is
        left out. Raises InputError for a malformed date of birth.
        """
        query = prepare_record(record)
        query.update(self._term_frequencies(query))
        candidates = self._candidates(blocking_keys(query), exclude=query["uid"])
        scored = sorted(self._scorer.score_many(query, candidates),
                        key=lambda row: (-row["match_weight"], row["uid_r"]))[:top]
        persons = self._person_ids([row["uid_r"] for row in scored])
        by_uid = {c["uid"]: c for c in candidates}
        return [
            Candidate(uid=row["uid_r"], agency=by_uid[row["uid_r"]]["agency"],
                      record_id=by_uid[row["uid_r"]]["record_id"],
                      person_id=persons.get(row["uid_r"]),
                      match_probability=row["match_probability"],
                      match_weight=row["match_weight"],
                      explanation=explain(row, self.model))
            for row in scored
        ]

    def score_pair(self, uid_l: str, uid_r: str) -> dict[str, Any]:
        """Two indexed records scored against each other, as a row like `predict`'s."""
        found = {c["uid"]: c for c in self._records([uid_l, uid_r])}
        return self._scorer.score(found[uid_l], found[uid_r])

    # --- the index ------------------------------------------------------------------

    def _stale_row_ids(self) -> list[int]:
        """Ids of current people rows whose version is not the one indexed."""
        current = current_rows("people").subquery()
        query = (
            select(current.c.id)
            .outerjoin(linkage_records, and_(
                linkage_records.c.agency == current.c.agency,
                linkage_records.c.record_id == current.c.record_id))
            .where((linkage_records.c.source_row_id.is_(None))
                   | (linkage_records.c.source_row_id != current.c.id))
            .order_by(current.c.id)
        )
        with self.store.connect() as conn:
            return list(conn.execute(query).scalars())

    def _index(self, rows: Sequence[Mapping[str, Any]]) -> None:
        raw = pa.table({c: pa.array([_text(r.get(c)) for r in rows], pa.string())
                        for c in people.columns.keys()})  # noqa: SIM118 (names, not Columns)
        prepared = prepare_table(raw).to_pylist()
        uids = [p["uid"] for p in prepared]
        with self.store.begin() as conn:
            for part in _chunks(uids, 500):
                conn.execute(delete(linkage_keys).where(linkage_keys.c.uid.in_(part)))
                conn.execute(delete(linkage_records).where(linkage_records.c.uid.in_(part)))
            conn.execute(insert(linkage_records), [
                {"uid": p["uid"], "agency": p["agency"], "record_id": p["record_id"],
                 "source_row_id": row["id"], "first_name": p["first_name"],
                 "surname": p["surname"], "features": json.dumps(p)}
                for p, row in zip(prepared, rows, strict=True)])
            keys = [{"key": key, "uid": p["uid"]} for p in prepared for key in blocking_keys(p)]
            if keys:
                conn.execute(insert(linkage_keys), keys)

    def _load_term_frequencies(self) -> None:
        """Term frequencies over the indexed records, as Splink computes them in batch."""
        self._tf = {}
        with self.store.connect() as conn:
            for column in self._scorer.tf_columns:
                col = linkage_records.c[column]
                counts = conn.execute(select(col, func.count()).where(col.is_not(None))
                                      .group_by(col)).all()
                total = sum(n for _v, n in counts)
                self._tf[column] = {v: n / total for v, n in counts}

    def _term_frequencies(self, record: Mapping[str, Any]) -> dict[str, float | None]:
        return {f"tf_{c}": self._tf.get(c, {}).get(record[c]) for c in self._scorer.tf_columns}

    def _candidates(self, keys: list[str], *, exclude: str) -> list[dict[str, Any]]:
        if not keys:
            return []
        query = (select(linkage_records.c.features).distinct()
                 .join(linkage_keys, linkage_keys.c.uid == linkage_records.c.uid)
                 .where(linkage_keys.c.key.in_(bindparam("keys", expanding=True)))
                 .where(linkage_records.c.uid != exclude))
        with self.store.connect() as conn:
            rows = conn.execute(query, {"keys": keys}).scalars().all()
        return [self._with_tf(json.loads(features)) for features in rows]

    def _records(self, uids: list[str]) -> list[dict[str, Any]]:
        with self.store.connect() as conn:
            rows = conn.execute(select(linkage_records.c.features)
                                .where(linkage_records.c.uid.in_(uids))).scalars().all()
        return [self._with_tf(json.loads(features)) for features in rows]

    def _with_tf(self, record: dict[str, Any]) -> dict[str, Any]:
        record.update(self._term_frequencies(record))
        return record

    def _person_ids(self, uids: list[str]) -> dict[str, str]:
        if not uids:
            return {}
        pairs = [tuple(uid.split(":", 1)) for uid in uids]
        query = (select(record_persons.c.agency, record_persons.c.record_id,
                        record_persons.c.person_id)
                 .where(tuple_(record_persons.c.agency, record_persons.c.record_id)
                        .in_(pairs)))
        with self.store.connect() as conn:
            return {f"{a}:{r}": p for a, r, p in conn.execute(query).all()}


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
