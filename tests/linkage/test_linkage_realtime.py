"""Real-time matching: the index, candidates, and scores equal to batch scores."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import Connection, Executable, delete, insert, select, text, update

from kinlink.ingest import ingest_extract
from kinlink.linkage import LinkageModel, predict, save_model
from kinlink.linkage.realtime import RealtimeMatcher, candidates_query, persons_of
from kinlink.linkage.scoring import PairScorer
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.linkage import linkage_keys, linkage_records, linkage_terms


@pytest.fixture
def matcher(borough_store: Store, trained_model: LinkageModel) -> RealtimeMatcher:
    matcher = RealtimeMatcher(borough_store, trained_model)
    matcher.refresh()
    return matcher


def test_real_time_scores_equal_batch_scores(matcher: RealtimeMatcher,
                                             borough_records: pa.Table,
                                             trained_model: LinkageModel) -> None:
    """Every batch pair, re-scored through the real-time path, scores the same."""
    batch = predict(borough_records, trained_model, threshold=0.0).to_pylist()
    assert len(batch) > 1000
    gammas = [c for c in batch[0] if c.startswith("gamma_")]
    for pair in batch:
        live = matcher.score_pair(pair["uid_l"], pair["uid_r"])
        assert live["match_weight"] == pytest.approx(pair["match_weight"], abs=1e-9)
        assert live["match_probability"] == pytest.approx(pair["match_probability"], abs=1e-12)
        assert {g: live[g] for g in gammas} == {g: pair[g] for g in gammas}


def test_a_query_finds_the_same_pairs_as_batch(matcher: RealtimeMatcher,
                                               borough_records: pa.Table,
                                               trained_model: LinkageModel) -> None:
    """A stored record used as a query gets exactly its batch partners, scored the same."""
    batch = predict(borough_records, trained_model, threshold=0.0)
    partners: dict[str, dict[str, float]] = {}
    for a, b, w in zip(batch["uid_l"].to_pylist(), batch["uid_r"].to_pylist(),
                       batch["match_weight"].to_pylist(), strict=True):
        partners.setdefault(a, {})[b] = w
        partners.setdefault(b, {})[a] = w
    raw = {f"{r['agency']}:{r['record_id']}": r for r in _raw_rows(matcher.store)}
    for uid in sorted(partners)[:60]:
        found = matcher.match(raw[uid], top=1000)
        assert {c.uid: pytest.approx(c.match_weight, abs=1e-9) for c in found} == partners[uid]
        best = sorted(partners[uid], key=lambda p: (-round(partners[uid][p], 9), p))[:3]
        assert [c.uid for c in matcher.match(raw[uid], top=3)] == best


def test_bulk_weights_equal_pair_scores(borough_records: pa.Table,
                                        trained_model: LinkageModel) -> None:
    """Weighing packed candidates, each comparison decided once per distinct value, gives
    every pair exactly the weight of scoring it on its own."""
    scorer = PairScorer(trained_model)
    records = borough_records.to_pylist()
    tf = {c: {v: n / len(records) for v, n in Counter(r[c] for r in records).items()}
          for c in scorer.tf_columns}
    packed = [scorer.pack(r) for r in records]
    assert [scorer.unpack(p) for p in packed] == records
    for left in records[:40]:
        weigh = scorer.for_query(left, tf).weight
        assert [weigh(p) for p in packed] == [scorer.score(left, r, tf)["match_weight"]
                                              for r in records]


def test_a_misspelt_duplicate_is_found_with_an_explanation(matcher: RealtimeMatcher) -> None:
    row = next(r for r in _raw_rows(matcher.store) if r["agency"] == "health" and r["dob"])
    query = {**row, "agency": None, "record_id": None,
             "surname": row["surname"][:-1] + ("X" if row["surname"][-1] != "X" else "Y")}
    best = matcher.match(query, top=3)[0]
    assert best.uid == f"health:{row['record_id']}"
    assert best.match_probability > 0.9
    assert "forename: same" in best.explanation.text
    assert best.person_id is None


def test_candidates_carry_their_resolved_person(matcher: RealtimeMatcher) -> None:
    row = next(r for r in _raw_rows(matcher.store) if r["agency"] == "police")
    with matcher.store.begin() as conn:
        conn.execute(insert(record_persons).values(agency="police", record_id=row["record_id"],
                                                   person_id="P0000042"))
    found = matcher.match({**row, "agency": "query"}, top=5)
    assert found[0].uid == f"police:{row['record_id']}"
    assert found[0].person_id == "P0000042"


def test_refresh_indexes_only_what_changed(matcher: RealtimeMatcher, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert matcher.refresh().indexed == 0
    extract = tmp_path / "police"
    extract.mkdir()
    (extract / "people.csv").write_text(
        "record_id,first_name,surname,dob\nPN9999999,Zebedee,Quartermaine,1977-07-07\n")
    ingest_extract(matcher.store, extract, "police")
    summary = matcher.refresh()
    assert summary.indexed == 1 and summary.total == 808
    found = matcher.match({"first_name": "Zebedee", "surname": "Quartermain",
                           "dob": "1977-07-07"})
    assert found[0].uid == "police:PN9999999"


def test_a_changed_record_is_reindexed_as_a_rebuild_would(matcher: RealtimeMatcher,
                                                         tmp_path: Path) -> None:
    """After a record changes, keys, packed records and term counts are exactly those a
    rebuild from scratch gives."""
    row = next(r for r in _raw_rows(matcher.store) if r["agency"] == "police")
    _ingest_people(matcher.store, tmp_path, "police", {**row, "surname": "Quartermaine",
                                                       "postcode": "ZZ9 9ZZ"})
    assert matcher.refresh().indexed == 1
    incremental = _index_contents(matcher.store)
    with matcher.store.begin() as conn:
        for table in (linkage_keys, linkage_records, linkage_terms):
            conn.execute(delete(table))
    assert matcher.refresh().indexed == 807
    assert _index_contents(matcher.store) == incremental
    assert matcher.match({**row, "surname": "Quartermain", "postcode": "ZZ9 9ZZ",
                          "agency": "query"})[0].uid == f"police:{row['record_id']}"


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_another_process_reuses_the_index(matcher: RealtimeMatcher, hash_seed: str) -> None:
    """The packed layout does not depend on the process (string hashing differs)."""
    script = ("import sys; from kinlink.store import Store; "
              "from kinlink.linkage import load_model; "
              "from kinlink.linkage.realtime import RealtimeMatcher; "
              "store = Store(sys.argv[1]); "
              "print(RealtimeMatcher(store, load_model(store)).refresh().indexed)")
    save_model(matcher.store, matcher.model)
    done = subprocess.run([sys.executable, "-c", script, matcher.store.url],
                          env={**os.environ, "PYTHONHASHSEED": hash_seed},
                          capture_output=True, text=True, check=True)
    assert done.stdout.split()[-1] == "0"


def test_an_index_of_another_layout_is_rebuilt(matcher: RealtimeMatcher) -> None:
    """Records packed with other prepared columns, comparisons or rules are not reused."""
    row = next(r for r in _raw_rows(matcher.store) if r["agency"] == "police")
    with matcher.store.begin() as conn:
        conn.execute(update(linkage_records).values(layout=0))
    assert matcher.match({**row, "agency": "query"}) == []  # never misread
    assert matcher.refresh().indexed == 807
    assert matcher.match({**row, "agency": "query"})[0].uid == f"police:{row['record_id']}"
    assert matcher.refresh().indexed == 0


def test_a_first_build_cut_short_is_built_again(matcher: RealtimeMatcher) -> None:
    """A first build writes every key at the end: records indexed without a single key
    are a build cut short, and the next refresh builds the index again."""
    built = _index_contents(matcher.store)
    with matcher.store.begin() as conn:
        conn.execute(delete(linkage_keys))
    assert matcher.refresh().indexed == 807
    assert _index_contents(matcher.store) == built


def test_a_colliding_key_adds_no_candidate(matcher: RealtimeMatcher) -> None:
    """A key row pointing at a record that shares no blocking key with the query (as a
    hash collision would) does not make it a candidate."""
    rows = {f"{r['agency']}:{r['record_id']}": r for r in _raw_rows(matcher.store)}
    known = min(uid for uid in rows if uid.startswith("police:"))
    query = {**rows[known], "agency": "query"}
    found = {c.uid for c in matcher.match(query, top=1000)}
    stranger = next(uid for uid in sorted(rows) if uid not in found)
    r = linkage_records.c
    with matcher.store.begin() as conn:
        rids = {f"{a}:{i}": rid for a, i, rid in conn.execute(select(r.agency, r.record_id,
                                                                     r.rid))}
        key = conn.execute(select(linkage_keys.c.key)
                           .where(linkage_keys.c.rid == rids[known])).scalars().first()
        conn.execute(insert(linkage_keys).values(key=key, rid=rids[stranger]))
    assert {c.uid for c in matcher.match(query, top=1000)} == found


def test_a_query_with_nothing_in_common_finds_nobody(matcher: RealtimeMatcher) -> None:
    assert matcher.match({"first_name": "Xq", "surname": "Zzyzx", "dob": "1901-01-01"}) == []


def _first_police(rows: dict[str, dict]) -> str:
    return min(uid.split(":", 1)[1] for uid in rows if uid.startswith("police:"))


def _ingest_people(store: Store, folder: Path, agency: str, row: dict) -> None:
    """Ingest one people row (a new record, or a new version of a stored one)."""
    extract = folder / agency
    extract.mkdir()
    columns = ("record_id", "first_name", "middle_names", "surname", "dob", "sex", "address",
               "postcode")
    with (extract / "people.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerow(row)
    ingest_extract(store, extract, agency)


def _index_contents(store: Store) -> tuple[set, Counter, set]:
    """The index without its internal ids: (uid, features), (key, uid), term counts."""
    r, k, t = linkage_records.c, linkage_keys.c, linkage_terms.c
    with store.connect() as conn:
        records = {(f"{a}:{i}", f) for a, i, f in conn.execute(
            select(r.agency, r.record_id, r.features))}
        keys = Counter((key, f"{a}:{i}") for key, a, i in conn.execute(
            select(k.key, r.agency, r.record_id).outerjoin(linkage_records, r.rid == k.rid)))
        terms = set(conn.execute(select(t.column_name, t.value, t.records)).all())
    return records, keys, terms


def _raw_rows(store: Store) -> list[dict]:
    from kinlink.store.queries import current_rows

    with store.connect() as conn:
        return [dict(r) for r in conn.execute(current_rows("people")).mappings()]


def test_the_person_lookup_searches_the_primary_key(store: Store) -> None:
    """A candidate's person is found by record_persons' primary key, one index search a
    record, so a query's cost does not grow with the store (a row-value IN made SQLite scan
    the whole table)."""
    with store.begin() as conn:
        conn.execute(insert(record_persons), [
            {"agency": ("police", "health")[i % 2], "record_id": f"R{i:06d}",
             "person_id": f"P{i // 2:07d}"} for i in range(20_000)])
    store.analyze(record_persons)
    query = persons_of([("police", "R000010"), ("police", "R000011"), ("health", "R000011"),
                        ("police", "R019998")])
    with store.connect() as conn:
        found = {(a, r): p for a, r, p in conn.execute(query).all()}
        plan = _plan(conn, query)
        sqlite = conn.dialect.name == "sqlite"
    assert found == {("police", "R000010"): "P0000005", ("health", "R000011"): "P0000005",
                     ("police", "R019998"): "P0009999"}
    if sqlite:
        assert "SEARCH record_persons USING" in plan and "SCAN record_persons" not in plan, plan
    else:
        assert "Index" in plan and "Seq Scan" not in plan, plan


@pytest.mark.parametrize("analysed", [False, True], ids=["fresh", "analysed"])
def test_candidates_are_looked_up_by_the_primary_keys(store: Store, analysed: bool) -> None:
    """A query's candidates are found by linkage_keys' and linkage_records' primary keys,
    never by scanning either table, so a query's cost does not grow with the store: both
    on an index just written (PostgreSQL without statistics once planned a scan of every
    record, 3 s a query at 100k records) and once the planner has its statistics."""
    with store.begin() as conn:
        conn.execute(insert(linkage_records), [
            {"rid": rid, "agency": "health", "record_id": f"H{rid:06d}",
             "source_row_id": rid, "layout": 7, "features": "{}"} for rid in range(20_000)])
        conn.execute(insert(linkage_keys), [  # a block of ten records under each key
            {"key": rid // 10 + block * 1_000_000, "rid": rid}
            for rid in range(20_000) for block in range(3)])
    if analysed:
        store.analyze(linkage_records, linkage_keys)
    query = candidates_query(store.engine.dialect.name).params(keys=[5, 1_000_007],
                                                               layout=7)
    with store.connect() as conn:
        found = sorted(record_id for _agency, record_id, _f in conn.execute(query).all())
        plan = _plan(conn, query)
    assert found == [f"H{rid:06d}" for rid in (*range(50, 60), *range(70, 80))]
    if store.is_sqlite:
        assert "SEARCH linkage_records USING INTEGER PRIMARY KEY" in plan, plan
        assert "SEARCH linkage_keys USING PRIMARY KEY" in plan, plan
        assert "SCAN" not in plan, plan
    else:
        assert "pk_linkage_records" in plan and "pk_linkage_keys" in plan, plan
        assert "Seq Scan" not in plan, plan


def _plan(conn: Connection, query: Executable) -> str:
    """The database's plan for a query, one step a line."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "sqlite":
        return "\n".join(str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    return "\n".join(str(row[0]) for row in conn.execute(text(f"EXPLAIN {sql}")))
