"""Real-time matching latency against a store of N records, beside Splink's own
single-record path (`predict_between` of one record against the stored ones).

    .venv/bin/python bench/linkage_realtime.py [--records 100000 1000000] [--queries 1000]

For each size: a synthetic borough is generated and ingested into a fresh SQLite store
(cached between runs), a model is trained (on a 100k-record sample: latency does not
depend on how many records trained the model), the real-time index is built (timed),
then each query (a stored record with one letter of its surname changed, under a new
agency so it is not excluded as itself) is matched on its own. Figures go to
bench/results/linkage_realtime.{json,md}.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_accuracy import CACHE, RECORDS_PER_PERSON
from linkage_data import RESULTS, borough, save

TRAINING_SAMPLE = 100_000
SPLINK_QUERIES = 50


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
    matcher = RealtimeMatcher(store, model)
    started = time.perf_counter()
    refreshed = matcher.refresh()
    index_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = matcher.refresh()
    noop_refresh_seconds = time.perf_counter() - started
    asked = queries(folder, count)
    latencies, candidates = [], 0
    for query in asked:
        t = time.perf_counter()
        candidates += len(matcher.match(query, top=5))
        latencies.append((time.perf_counter() - t) * 1000)
    result = {"stored_records": refreshed.total, "index_build_seconds": round(index_seconds, 1),
              "noop_refresh_seconds": round(noop_refresh_seconds, 1), "reindexed": again.indexed,
              "kinlink": percentiles(latencies),
              "splink_predict_between": _splink_latency(prepared, asked[:SPLINK_QUERIES]),
              "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    store.dispose()
    return result


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
    lines = ["| stored records | index build s | Kinlink p50 / p95 / p99 ms "
             "| Splink predict_between p50 / p95 / p99 ms | peak MB |", "|---|---|---|---|---|"]
    for r in results:
        k, s = r["kinlink"], r["splink_predict_between"]
        lines.append(f"| {r['stored_records']:,} | {r['index_build_seconds']} "
                     f"| {k['p50_ms']} / {k['p95_ms']} / {k['p99_ms']} "
                     f"| {s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']} | {r['peak_mb']:,} |")
    (RESULTS / "linkage_realtime.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
