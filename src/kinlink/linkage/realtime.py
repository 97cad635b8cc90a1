"""Real-time matching: one new record against every stored record, in milliseconds.

Candidates come from the blocking-key index in the operational store (the blocking
rules chosen for the model as keys, see `blocking.index_keys` and `query_keys`); they
are scored with the trained model by `PairScorer`, which reproduces batch scores exactly.

The index (`store/schema/linkage.py`) keeps each current record packed for bulk scoring
(`PairScorer.pack`) under an integer id, each blocking key as a 64-bit hash of its text
(small, and one integer comparison to look up), and the counts behind term frequencies.
A hash collision could only add a candidate no batch rule pairs with the query, so the
candidates returned are checked against the key texts. See docs/linkage.md.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from kinlink.errors import NotFoundError
from kinlink.linkage.blocking import BlockingRule, index_keys, query_keys
from kinlink.linkage.explain import Explanation, explain
from kinlink.linkage.model import LinkageModel
from kinlink.linkage.prepare import RAW_COLUMNS, prepare_record, prepare_table
from kinlink.linkage.scoring import PairScorer
from kinlink.store import Store
from kinlink.store.queries import current_rows, records_in
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.linkage import (
    linkage_keys,
    linkage_models,
    linkage_records,
    linkage_terms,
)
from kinlink.store.schema.source import people

_BATCH = 20_000  # records prepared and written per transaction during a refresh
_KEYS_BATCH = 500_000  # keys passed to the driver at once by a first build
_IN_LIST = 5_000  # values per IN (...) list: well under SQLite's and PostgreSQL's limits

_records = linkage_records.c


def held_under_keys(dialect: str) -> ColumnElement[bool]:
    """Whether an indexed record is held under any of some keys (the parameter `keys`,
    hashed): a condition that finds them by the two primary keys whatever the planner knows.

    Written as `rid IN (SELECT rid FROM linkage_keys ...)`, PostgreSQL planned a table
    without statistics (freshly indexed, before any ANALYZE) as a scan of every indexed
    record probing the keys for each: 3 s a query at 100k records. There the keys' rids are
    gathered first (`= ANY(ARRAY(...))`, evaluated once) and the records looked up by their
    primary key; the keys go as one array, so the statement's text is the same for every
    query and the server prepares it once. SQLite looks up an `IN (subquery)` by the
    primary keys as it is.
    """
    keys, rid = linkage_keys.c.key, linkage_keys.c.rid
    if dialect == "postgresql":
        wanted = any_(bindparam("keys", type_=ARRAY(BigInteger)))
        return _records.rid == any_(func.array(select(rid).where(keys == wanted)
                                               .scalar_subquery()))
    return _records.rid.in_(select(rid).where(keys.in_(bindparam("keys", expanding=True))))


def candidates_query(dialect: str) -> Select[Any]:
    """The indexed records, packed with `layout`, held under any of `keys` (hashed)."""
    return (select(_records.agency, _records.record_id, _records.features)
            .where(held_under_keys(dialect))
            .where(_records.layout == bindparam("layout")))  # never unpack another layout


def persons_of(records: Sequence[tuple[str, str]]) -> Select[Any]:
    """(agency, record_id, person_id) of those of these records that linkage has resolved,
    in one statement: per agency one search of record_persons' primary key a record,
    however large the store (a row-value IN made SQLite scan the table)."""
    rp = record_persons.c
    return select(rp.agency, rp.record_id, rp.person_id).where(
        records_in(rp.agency, rp.record_id, records))


@dataclass(frozen=True)
class Candidate:
    """A stored record that may be the same person as the query."""

    uid: str
    agency: str
    record_id: str
    person_id: str | None  # from record_persons, once linkage has resolved the record
    match_probability: float
    match_weight: float
    pair: Mapping[str, Any] = field(repr=False, compare=False)  # the scored row
    model: LinkageModel = field(repr=False, compare=False)

    @cached_property
    def explanation(self) -> Explanation:
        """Why the pair scored what it did, in plain words (worked out when first asked:
        a file of queries needs none)."""
        return explain(self.pair, self.model)


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
        self._rules = model.blocking.rules
        self._layout = _layout_fingerprint(self._scorer, self._rules)
        self._tf: dict[str, dict[Any, float]] = {}
        self._candidates = candidates_query(store.engine.dialect.name)
        self._load_term_frequencies()


    @property
    def rules(self) -> Sequence[BlockingRule]:
        """The blocking rules the index keys follow (the model's)."""
        return self._rules
    def refresh(self) -> RefreshSummary:
        """Bring the index up to date with the current source records.

        Only records whose current version is not yet indexed are prepared again, a
        batch at a time, so memory stays flat however many records changed (a first
        build holds every key, 16 bytes each, to write them in order: see `_build`). An
        index packed with another layout (the prepared columns, comparisons or blocking
        rules have changed since) is rebuilt from scratch.
        """
        with self.store.begin() as conn:
            # Every record has the same layout (a refresh with another one starts over), so
            # one record tells; records without a single key are a first build cut short
            # (see `_build`).
            layout = conn.execute(select(_records.layout).limit(1)).scalar()
            empty = layout is None
            if not empty and (layout != self._layout or conn.execute(
                    select(linkage_keys.c.rid).limit(1)).scalar() is None):
                for table in (linkage_keys, linkage_records, linkage_terms):
                    conn.execute(delete(table))
                empty = True
        stale = self._stale()
        if empty and stale:
            self._build(stale)
        else:
            for chunk in _chunks(stale, _BATCH):
                self._reindex(chunk, write_keys=True)
        if stale:
            # Statistics for the planner, so that the look-ups of `match` and search are
            # planned on what the tables now hold (see `Store.analyze`).
            self.store.analyze(linkage_records, linkage_keys, linkage_terms)
        self._load_term_frequencies()
        with self.store.connect() as conn:
            total = conn.execute(select(func.count()).select_from(linkage_records)).scalar()
        return RefreshSummary(indexed=len(stale), total=int(total or 0))

    def match(self, record: Mapping[str, Any], *, top: int = 5,
              conn: Connection | None = None) -> list[Candidate]:
        """The `top` stored records most likely to be the same person as `record`.

        `record` has people-format fields (first_name, surname, dob, postcode, ...);
        when it names an `agency` and `record_id` already stored, that record itself is
        left out. Raises InputError for a malformed date of birth. A caller matching many
        records in a row passes its own open `conn` (see `batch.match_queries`): taking a
        connection from the pool and handing it back costs round trips to the database
        that, on a busy machine, take longer than the query.
        """
        query = prepare_record(record)
        # Each rule's keys apart: a candidate is checked only against the rules the query
        # has keys under (see `_best`).
        asked = [(rule, set(keys)) for rule in self._rules
                 if (keys := query_keys(query, (rule,)))]
        if not asked:
            return []
        if conn is None:
            with self.store.connect() as conn:
                return self._match(conn, query, asked, top)
        return self._match(conn, query, asked, top)

    def _match(self, conn: Connection, query: dict[str, Any],
               asked: list[tuple[BlockingRule, set[str]]], top: int) -> list[Candidate]:
        hashed = sorted({_hash(key) for _rule, keys in asked for key in keys})
        rows = conn.execute(self._candidates, {"keys": hashed, "layout": self._layout}).all()
        itself = (query["agency"], query["record_id"])
        weight = self._scorer.for_query(query, self._tf).weight
        ranked = sorted((-weight(packed), f"{agency}:{record_id}", packed)
                        for agency, record_id, packed in rows if (agency, record_id) != itself)
        best = self._best(query, asked, ranked, top)
        persons = _person_ids(conn, [(c["agency"], c["record_id"]) for c, _row in best])
        return [
            Candidate(uid=row["uid_r"], agency=c["agency"], record_id=c["record_id"],
                      person_id=persons.get(row["uid_r"]),
                      match_probability=row["match_probability"],
                      match_weight=row["match_weight"], pair=row, model=self.model)
            for c, row in best
        ]

    def score_pair(self, uid_l: str, uid_r: str) -> dict[str, Any]:
        """Two indexed records scored against each other, as a row like `predict`'s."""
        pairs = [(agency, record_id) for agency, _, record_id in
                 (uid.partition(":") for uid in (uid_l, uid_r))]
        with self.store.connect() as conn:
            rows = conn.execute(select(_records.features).where(
                records_in(_records.agency, _records.record_id, pairs),
                _records.layout == self._layout)).scalars().all()
        found = {r["uid"]: r for r in map(self._scorer.unpack, rows)}
        missing = [uid for uid in (uid_l, uid_r) if uid not in found]
        if missing:
            raise NotFoundError(f"not in the real-time index: {', '.join(missing)}")
        return self._scorer.score(found[uid_l], found[uid_r], self._tf)

    def _best(self, query: Mapping[str, Any], asked: list[tuple[BlockingRule, set[str]]],
              ranked: list[tuple[float, str, str]],
              top: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """The first `top` ranked candidates that really share a key with the query,
        each with its scored row."""
        best: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for _weight, _uid, packed in ranked:
            if len(best) == top:
                break
            candidate = self._scorer.unpack(packed)
            # Rule by rule, stopping at the first shared key: nearly always the first rule
            # or two, where all of a record's keys cost more than scoring it.
            if not any(not keys.isdisjoint(index_keys(candidate, (rule,)))
                       for rule, keys in asked):
                continue  # a hash collision, not a shared blocking key
            best.append((candidate, self._scorer.score(query, candidate, self._tf)))
        return best

    # --- the index ------------------------------------------------------------------

    def _stale(self) -> list[tuple[int, int | None]]:
        """(people row id, indexed id of its record's older version) of each current
        people row whose version is not the one indexed."""
        current = current_rows("people").subquery()
        query = (
            select(current.c.id, _records.rid)
            .outerjoin(linkage_records, and_(_records.agency == current.c.agency,
                                             _records.record_id == current.c.record_id))
            .where(or_(_records.rid.is_(None), _records.source_row_id != current.c.id))
            .order_by(current.c.id)
        )
        with self.store.connect() as conn:
            return [(row_id, rid) for row_id, rid in conn.execute(query).all()]

    def _build(self, stale: Sequence[tuple[int, int | None]]) -> None:
        """Index every record into an empty index: the records a batch at a time, their
        keys gathered and written at the end in key order, in one transaction.

        A batch's keys written as it went were spread over the whole key table, so each
        batch rewrote nearly every page of a table that grows to tens of millions of rows
        (a first index of 1M records took most of an hour on SQLite); in key order, each
        page is written once. Until the keys are in, the index has records and no keys,
        which the next refresh takes for a build cut short and starts over.
        """
        parts = [np.array(self._reindex(chunk, write_keys=False), np.int64).reshape(-1, 2)
                 for chunk in _chunks(stale, _BATCH)]
        keys = np.concatenate(parts)
        del parts
        keys = keys[np.lexsort((keys[:, 1], keys[:, 0]))]
        with self.store.begin() as conn:
            for start in range(0, len(keys), _KEYS_BATCH):
                _insert_many(conn, linkage_keys,
                             list(map(tuple, keys[start:start + _KEYS_BATCH].tolist())))

    def _reindex(self, stale: Sequence[tuple[int, int | None]], *,
                 write_keys: bool) -> list[tuple[int, int]]:
        """Prepare these people rows and put them in the index in place of their older
        versions, in one transaction, with their keys unless the caller writes them
        (`_build`); the (key, rid) pairs of the new records."""
        columns = [people.c.id, *(people.c[c] for c in RAW_COLUMNS)]
        with self.store.connect() as conn:
            rows = [row for part in _chunks([row_id for row_id, _rid in stale], _IN_LIST)
                    for row in conn.execute(select(*columns).where(people.c.id.in_(part)))]
        row_ids, *values = zip(*rows, strict=True)
        prepared = prepare_table(pa.table({
            c: pa.array(map(_text, v), pa.string()) for c, v in zip(RAW_COLUMNS, values,
                                                                     strict=True)
        })).to_pylist()
        terms: Counter[tuple[str, str]] = Counter()
        with self.store.begin() as conn:
            # Numbered above every id in use, so a removed record's id is not given to another.
            first = (conn.execute(select(func.max(_records.rid))).scalar() or 0) + 1
            self._remove(conn, [rid for _row_id, rid in stale if rid is not None], terms)
            keys = self._insert(conn, prepared, list(row_ids), first, terms)
            if write_keys:  # sorted, so the database appends rather than jumps about
                _insert_many(conn, linkage_keys, sorted(keys))
            _write_terms(conn, terms)
        return keys

    def _remove(self, conn: Connection, rids: list[int], terms: Counter[tuple[str, str]]) -> None:
        """Take these records, their keys and their terms out of the index."""
        keys: list[dict[str, int]] = []
        for part in _chunks(rids, _IN_LIST):
            for rid, packed in conn.execute(select(_records.rid, _records.features)
                                            .where(_records.rid.in_(part))):
                record = self._scorer.unpack(packed)
                terms.subtract(self._terms(record))
                keys.extend({"k": key, "r": rid} for key in _hashed_keys(record, self._rules))
            conn.execute(delete(linkage_records).where(_records.rid.in_(part)))
        if keys:
            conn.execute(delete(linkage_keys).where(linkage_keys.c.key == bindparam("k"),
                                                    linkage_keys.c.rid == bindparam("r")), keys)

    def _insert(self, conn: Connection, prepared: list[dict[str, Any]], row_ids: list[int],
                first: int, terms: Counter[tuple[str, str]]) -> list[tuple[int, int]]:
        """Add prepared records (from these people rows) to the index, numbered from
        `first` in order of the largest block each is in, so that a large block's records
        get neighbouring ids and share the database's pages; their (key, rid) pairs are
        returned for the caller to write."""
        hashed = [_hashed_keys(p, self._rules) for p in prepared]
        sizes = Counter(key for keys in hashed for key in keys)
        order = sorted(range(len(prepared)),
                       key=lambda i: max(hashed[i], key=sizes.__getitem__, default=0))
        _insert_many(conn, linkage_records, [
            (rid, prepared[i]["agency"], prepared[i]["record_id"], row_ids[i], self._layout,
             self._scorer.pack(prepared[i])) for rid, i in enumerate(order, start=first)])
        for p in prepared:
            terms.update(self._terms(p))
        return [(key, rid) for rid, i in enumerate(order, start=first) for key in hashed[i]]

    def _terms(self, record: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(column, JSON value) of the record's known term-frequency values."""
        return [(c, json.dumps(record[c])) for c in self._scorer.tf_columns
                if record[c] is not None]

    def _load_term_frequencies(self) -> None:
        """Term frequencies over the indexed records, as Splink computes them in batch."""
        counts: dict[str, dict[Any, int]] = {c: {} for c in self._scorer.tf_columns}
        with self.store.connect() as conn:
            for column, value, records in conn.execute(select(
                    linkage_terms.c.column_name, linkage_terms.c.value,
                    linkage_terms.c.records)):
                if column in counts:
                    counts[column][json.loads(value)] = records
        self._tf = {}
        for column, values in counts.items():
            total = sum(values.values())
            self._tf[column] = {v: n / total for v, n in values.items()}


def index_state(store: Store) -> tuple[int | None, int | None]:
    """(newest model version, highest record id in the index): a matcher built on an index
    in this state can be reused until either changes (a refresh numbers records anew)."""
    with store.connect() as conn:
        return (conn.execute(select(func.max(linkage_models.c.version))).scalar(),
                conn.execute(select(func.max(_records.rid))).scalar())


def record_ids_under_keys(conn: Connection, keys: Sequence[str], *,
                          limit: int) -> list[str]:
    """uids ("agency:record_id") of at most `limit` indexed records held under any of these
    keys (see `blocking.index_keys`): the candidates a search looks at."""
    if not keys:
        return []
    query = (select(_records.agency, _records.record_id)
             .where(held_under_keys(conn.dialect.name)).limit(limit))
    return [f"{agency}:{record_id}" for agency, record_id in conn.execute(
        query, {"keys": sorted({_hash(k) for k in keys})})]


def _write_terms(conn: Connection, changes: Counter[tuple[str, str]]) -> None:
    """Add the changes in record counts per (column, value) to `linkage_terms`."""
    t = linkage_terms.c
    for column in sorted({c for c, _v in changes}):
        deltas = {v: n for (c, v), n in changes.items() if c == column and n != 0}
        counts = dict(deltas)
        for part in _chunks(sorted(deltas), _IN_LIST):
            where = and_(t.column_name == column, t.value.in_(part))
            for value, records in conn.execute(select(t.value, t.records).where(where)):
                counts[value] += records
            conn.execute(delete(linkage_terms).where(where))
        rows = [{"column_name": column, "value": v, "records": n}
                for v, n in counts.items() if n > 0]
        if rows:
            conn.execute(insert(linkage_terms), rows)


def _insert_many(conn: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows (tuples in the table's column order) with the driver's executemany, or
    on PostgreSQL with COPY: SQLAlchemy's processing of each row's parameters costs more
    than the insert itself, and a first build writes tens of millions of keys."""
    if not rows:
        return
    names = [column.name for column in table.columns]
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    compiled = insert(table).compile(dialect=conn.dialect)  # every column, in table order
    conn.exec_driver_sql(str(compiled), rows if compiled.positional
                         else [dict(zip(names, row, strict=True)) for row in rows])


def _person_ids(conn: Connection, records: list[tuple[str, str]]) -> dict[str, str]:
    """uid -> person id of those records that linkage has resolved."""
    if not records:
        return {}
    return {f"{a}:{r}": p for a, r, p in conn.execute(persons_of(records)).all()}


def _layout_fingerprint(scorer: PairScorer, rules: Sequence[BlockingRule]) -> int:
    """A hash of what the packed index depends on: the prepared columns and their types,
    the columns each comparison reads, the term-frequency columns and blocking rules."""
    schema = [f"{field.name}:{field.type}" for field in prepare_table(pa.table({})).schema]
    return _hash(json.dumps([schema, scorer.layout, scorer.tf_columns,
                             [rule.name for rule in rules]]))


def _hashed_keys(record: Mapping[str, Any], rules: Sequence[BlockingRule]) -> list[int]:
    return [_hash(key) for key in index_keys(record, rules)]


def _hash(text: str) -> int:
    """A stable signed 64-bit hash (Python's own `hash` of a str changes per process)."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
