"""Real-time matching latency against a store of N records, beside Splink's own
single-record path (`predict_between` of one record against the stored ones).

    .venv/bin/python bench/linkage_realtime.py [--records 100000 1000000] [--queries 1000]

For each size: a synthetic borough is generated and ingested into a SQLite store (cached
between runs), a model is trained (on a 100k-record sample: latency does not depend on
how many records trained the model), and the real-time index is built from empty in a
process of its own (so its time and peak memory are its own). Then a no-change refresh
and a refresh after a few records changed are timed, and each query (a stored record with
one letter of its surname changed, under a new agency so it is not excluded as itself) is
matched on its own: `match()` alone (what `kinlink match --input` does per row), and
`match()` plus reading every returned candidate's explanation (what a screen shows).
Figures go to bench/results/linkage_realtime.{json,md}.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_accuracy import CACHE, RECORDS_PER_PERSON
from linkage_data import RESULTS, borough, save
from measure import PeakMemory

TRAINING_SAMPLE = 100_000
SPLINK_QUERIES = 50
CHANGED_RECORDS = 10
INDEX_TABLES = ("linkage_keys", "linkage_records", "linkage_terms")


def build_store(records: int):  # type: ignore[no-untyped-def]
    """A SQLite store holding a borough of about `records` records (cached)."""
    from kinlink.config import Settings
    from kinlink.ingest import ingest_extract
    from kinlink.ingest.format import AGENCIES
    from kinlink.store import open_store
    from kinlink.synth import generate

    folder = CACHE / f"borough_{records}"
    if not (folder / "truth" / "records.csv").exists():
        generate(folder, people=round(records / RECORDS_PER_PERSON), seed=2024)
    home = CACHE / f"store_{records}"
    marker = home / "ingested"
    store = open_store(Settings(home=home))
    store.upgrade()
    if not marker.exists():
        for agency in AGENCIES:
            ingest_extract(store, folder / agency, agency)
        marker.write_text("ok")
    return store, folder


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))], 2)

    return {"p50_ms": at(50), "p95_ms": at(95), "p99_ms": at(99), "queries": len(values)}


def queries(folder: Path, count: int) -> list[dict]:
    """Stored records with one surname letter changed, as new records of agency 'query'."""
    raw = borough(folder).raw
    rng = random.Random(5)
    rows = [raw.slice(i, 1).to_pylist()[0] for i in rng.sample(range(raw.num_rows), count)]
    for row in rows:
        surname = row.get("surname") or ""
        if len(surname) > 2:
            i = rng.randrange(1, len(surname))
            row["surname"] = surname[:i] + rng.choice("aeiouy") + surname[i + 1:]
        row["agency"], row["record_id"] = "query", f"q{rng.randrange(10**9)}"
    return rows


def run(records: int, count: int) -> dict:
    from kinlink.linkage import prepare_records_from_store, save_model, train
    from kinlink.linkage.realtime import RealtimeMatcher

    store, folder = build_store(records)
    prepared = prepare_records_from_store(store)
    sample = prepared.take(random.Random(1).sample(range(prepared.num_rows),
                                                   min(TRAINING_SAMPLE, prepared.num_rows)))
    model = train(sample, charts_dir=CACHE / "charts")
    save_model(store, model)
    build = _in_own_process(_build_index, store.url)
    matcher = RealtimeMatcher(store, model)
    started = time.perf_counter()
    matcher.refresh()
    noop_seconds = time.perf_counter() - started
    changed = _change_records(store, folder, CHANGED_RECORDS)
    started = time.perf_counter()
    summary = matcher.refresh()
    changed_seconds = time.perf_counter() - started
    asked = queries(folder, count)
    result = {"stored_records": summary.total, "index_build_seconds": build["seconds"],
              "index_build_peak_mb": build["peak_mb"], "index_mb": _index_mb(store),
              "noop_refresh_seconds": round(noop_seconds, 2),
              "changed_refresh_seconds": round(changed_seconds, 2),
              "changed_records": changed, "reindexed": summary.indexed,
              "load_before": os.getloadavg()[0],
              **_latencies(matcher, asked),
              "load_after": os.getloadavg()[0],
              "splink_predict_between": _splink_latency(prepared, asked[:SPLINK_QUERIES]),
              "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    store.dispose()
    return result


def _latencies(matcher: Any, asked: list[dict]) -> dict[str, Any]:
    """Per query: match() alone, and match() with every candidate's explanation read."""
    for query in asked[:20]:  # warm up: imports, statement caches
        matcher.match(query)
    plain, explained, found = [], [], 0  # found: candidates returned in all
    for query in asked:
        started = time.perf_counter()
        candidates = matcher.match(query, top=5)
        plain.append((time.perf_counter() - started) * 1000)
        texts = [candidate.explanation.text for candidate in candidates]
        explained.append((time.perf_counter() - started) * 1000)
        found += len(texts)
    return {"kinlink": percentiles(plain), "kinlink_explained": percentiles(explained),
            "candidates_returned": found}


def _in_own_process(fn: Any, *args: Any) -> Any:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def _build_index(url: str) -> dict[str, float]:
    """Build the real-time index from empty (in a fresh process): seconds and peak MB."""
    from sqlalchemy import text

    from kinlink.linkage import load_model
    from kinlink.linkage.realtime import RealtimeMatcher
    from kinlink.store import Store

    store = Store(url)
    with store.begin() as conn:
        for table in INDEX_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    matcher = RealtimeMatcher(store, load_model(store))
    with PeakMemory() as peak:
        started = time.perf_counter()
        matcher.refresh()
        seconds = time.perf_counter() - started
    store.dispose()
    return {"seconds": round(seconds, 1), "peak_mb": round(peak.peak / 2**20)}


def _change_records(store: Any, folder: Path, count: int) -> int:
    """Ingest a new version (surname changed) of `count` stored health records."""
    from kinlink.ingest import ingest_extract

    with (folder / "health" / "people.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        rows = [row for _, row in zip(range(count), reader, strict=False)]
        columns = reader.fieldnames or []
    suffix = f"X{time.time_ns() % 10_000}"  # a new version on every run
    with tempfile.TemporaryDirectory() as work:
        extract = Path(work) / "health"
        extract.mkdir()
        with (extract / "people.csv").open("w", newline="") as f:
            writer = csv.DictWriter(f, columns)
            writer.writeheader()
            writer.writerows({**row, "surname": row["surname"] + suffix} for row in rows)
        ingest_extract(store, extract, "health")
    return len(rows)


def _index_mb(store: Any) -> float | None:
    """Space the index takes in the SQLite file (tables and their indexes)."""
    from sqlalchemy import text

    with store.connect() as conn:
        size = conn.execute(text(
            "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master "
            f"WHERE tbl_name IN ({', '.join(repr(t) for t in INDEX_TABLES)}))")).scalar()
    return round(size / 2**20) if size else None


def _splink_latency(prepared: pa.Table, asked: list[dict]) -> dict[str, float]:
    """Plain Splink's single-record path: predict_between(one record, stored records)."""
    from linkage_peers import plain_splink_input, plain_splink_linker

    raw_columns = ("agency", "record_id", "first_name", "surname", "dob", "sex", "postcode",
                   "address")
    stored = plain_splink_input(_raw_like(prepared))
    linker = plain_splink_linker(stored)
    db_api = linker._db_api  # the same DuckDB connection, so the stored table is registered
    right = db_api.register(stored, table_name="stored")
    for column in ("first_name", "surname", "address"):
        linker.table_management.compute_tf_table(column)
    latencies = []
    for number, query in enumerate(asked):
        table = plain_splink_input(pa.table({c: pa.array([query.get(c)], pa.string())
                                             for c in raw_columns}))
        t = time.perf_counter()
        left = db_api.register(table, table_name=f"query_{number}")
        linker.inference.predict_between(left, right, warning_mode="never").as_record_list()
        latencies.append((time.perf_counter() - t) * 1000)
    return percentiles(latencies)


def _raw_like(prepared: pa.Table) -> pa.Table:
    """Prepared records back as the raw columns plain Splink compares (cleaned text)."""
    dob = prepared["dob"]
    return pa.table({"agency": prepared["agency"], "record_id": prepared["record_id"],
                     "first_name": prepared["first_name"], "surname": prepared["surname"],
                     "dob": dob, "sex": prepared["sex"], "postcode": prepared["postcode"],
                     "address": pa.array([" ".join(t) if t else None
                                          for t in prepared["address_tokens"].to_pylist()])})


def _table(results: list[dict]) -> str:
    """The figures as a Markdown table."""
    def triple(p: dict[str, float]) -> str:
        return f"{p['p50_ms']} / {p['p95_ms']} / {p['p99_ms']}"

    lines = ["| stored records | index build s | build peak MB | index MB | no-op refresh s "
             f"| refresh after {CHANGED_RECORDS} changed s | Kinlink p50 / p95 / p99 ms "
             "| with explanations ms | Splink predict_between ms | load avg |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['stored_records']:,} | {r['index_build_seconds']} "
            f"| {r['index_build_peak_mb']:,} | {r['index_mb']} | {r['noop_refresh_seconds']} "
            f"| {r['changed_refresh_seconds']} | {triple(r['kinlink'])} "
            f"| {triple(r['kinlink_explained'])} | {triple(r['splink_predict_between'])} "
            f"| {r['load_before']:.1f} to {r['load_after']:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    results = []
    for records in args.records:
        results.append({"records": records, **run(records, args.queries)})
        print(results[-1], flush=True)
    save("linkage_realtime", {"results": results})
    (RESULTS / "linkage_realtime.md").write_text(_table(results))


if __name__ == "__main__":
    main()
