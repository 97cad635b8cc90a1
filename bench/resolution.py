"""Resolution benchmark: clustering and stable ids on the synthetic borough.

For each size: generate the borough (cached), prepare its people records, train and
predict with the linkage model, then cluster two ways on the same scored pairs:

- plain connected components at the threshold (what Splink's clustering does), and
- Kinlink's constrained clustering (strong ids, recorded relationships, weak chains),

and score both against the truth: pairwise precision/recall/F1, B-cubed, different
members of one household merged (per 1,000 predicted pairs), and records an agency
recorded as related merged. Time and peak memory are measured for clustering and for
person id assignment (first run and a no-change re-run, into a SQLite store).

    nice -n 10 .venv/bin/python bench/resolution.py --sizes 10000 100000 \
        --thresholds 0.5 0.3 0.7 0.9 --scale-copies 10

Figures are saved to bench/results/resolution.json and resolution.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import psutil
import pyarrow as pa
import pyarrow.compute as pc

from kinlink.clock import SYSTEM_CLOCK
from kinlink.linkage import predict, prepare_records_from_file, train
from kinlink.linkage.clusters import DEFAULT_THRESHOLD, cluster
from kinlink.linkage.evaluate import cluster_scores, household_merges
from kinlink.linkage.households import household_shapes
from kinlink.linkage.persons import assign_persons
from kinlink.linkage.resolve import EVIDENCE_THRESHOLD, calibrate_model
from kinlink.store import Store
from kinlink.store.schema.resolution import resolution_runs
from kinlink.synth import generate

AGENCIES = ("police", "social-care", "health", "education")
RESULTS = Path(__file__).parent / "results"


class PeakMemory:
    """Peak resident memory of this process while a block runs (sampled every 10 ms)."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0
        self._running = False

    def __enter__(self) -> PeakMemory:
        self.start = self.process.memory_info().rss
        self.peak = self.start
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def __exit__(self, *_: object) -> None:
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def measured(fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """Run `fn`; return its result with seconds, peak process RSS and the rise in RSS."""
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return result, {"seconds": round(seconds, 2), "peak_rss_gb": round(memory.peak / 1e9, 3),
                    "rss_rise_gb": round((memory.peak - memory.start) / 1e9, 3)}


def borough(data: Path, people: int) -> Path:
    """The synthetic borough of `people` persons (generated once, seed 1)."""
    out = data / f"borough-{people}"
    if not (out / "truth" / "records.csv").exists():
        generate(out, people=people, seed=1)
    return out


def combined_people(out: Path) -> Path:
    """Every agency's people in one people-format file with an agency column."""
    path = out / "all-people.csv"
    if path.exists():
        return path
    frames = [pl.read_csv(out / a / "people.csv", infer_schema_length=0)
              .with_columns(agency=pl.lit(a)) for a in AGENCIES]
    pl.concat(frames, how="diagonal").write_csv(path)
    return path


def recorded_relationships(out: Path) -> pa.Table:
    rows = []
    for agency in AGENCIES:
        path = out / agency / "relationships.csv"
        if path.exists():
            with path.open() as f:
                rows += [(f"{agency}:{r['record_id']}", f"{agency}:{r['related_record_id']}",
                          f"recorded-{r['type']}") for r in csv.DictReader(f)]
    return pa.table({"uid_l": [r[0] for r in rows], "uid_r": [r[1] for r in rows],
                     "reason": [r[2] for r in rows]})


def truth(out: Path) -> pl.DataFrame:
    records = pl.read_csv(out / "truth" / "records.csv", infer_schema_length=0)
    persons = pl.read_csv(out / "truth" / "persons.csv", infer_schema_length=0)
    return (records.select(uid=pl.col("agency") + ":" + pl.col("record_id"), truth="person_id")
            .join(persons.select(truth="person_id", household="household_id"), on="truth"))


def quality(clusters: pa.Table, truth_table: pl.DataFrame,
            related: pa.Table) -> dict[str, float]:
    frame = pl.from_arrow(clusters)
    assert isinstance(frame, pl.DataFrame)
    assigned = frame.rename({"cluster_id": "predicted"}).join(truth_table, on="uid")
    scores = cluster_scores(assigned)
    merges = household_merges(assigned)
    scores["household_merges"] = merges
    scores["household_merges_per_1000_pairs"] = 1000 * merges / max(scores["predicted_pairs"], 1)
    label = dict(zip(frame["uid"], frame["cluster_id"], strict=True))
    scores["related_records_merged"] = sum(
        1 for a, b in zip(related["uid_l"].to_pylist(), related["uid_r"].to_pylist(),
                          strict=True) if a in label and label.get(a) == label.get(b))
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()}


def assign_ids(store: Store, clusters: pa.Table) -> Any:
    with store.begin() as conn:
        run_id = conn.execute(resolution_runs.insert().values(
            started_at=SYSTEM_CLOCK.now(), engine="duckdb", threshold=DEFAULT_THRESHOLD, records=0,
            pairs=0, persons=0, created=0, merges=0, splits=0, retired=0, review_items=0,
        ).returning(resolution_runs.c.id)).scalar_one()
        return assign_persons(conn, clusters, run_id=run_id, at=SYSTEM_CLOCK.now())


def run_size(data: Path, people: int, thresholds: list[float] | None) -> dict[str, Any]:
    """Everything measured at one size; timings at the first threshold (by default the
    one the model chose from the data)."""
    out = borough(data, people)
    records = prepare_records_from_file(combined_people(out))
    print(f"{people:,} people: {records.num_rows:,} records")
    model, training = measured(lambda: train(records, charts_dir=data / "charts"))
    pairs, prediction = measured(lambda: predict(records, model,
                                                 threshold=EVIDENCE_THRESHOLD))
    pairs = calibrate_model(pairs, records, model)  # as `kinlink resolve` does
    shapes = household_shapes(model.settings)
    thresholds = thresholds or [model.details["calibration"]["threshold"]]
    related, truth_table = recorded_relationships(out), truth(out)
    plain_records = records.select(["uid"])  # no strong ids: plain components
    threshold = thresholds[0]
    constrained, clustering = measured(lambda: cluster(records, pairs, threshold=threshold,
                                                       cannot_link=related,
                                                       household_shapes=shapes))
    db = data / f"ids-{people}.db"
    db.unlink(missing_ok=True)
    store = Store(f"sqlite:///{db}")
    store.upgrade()
    plan, first_ids = measured(lambda: assign_ids(store, constrained.clusters))
    again, rerun_ids = measured(lambda: assign_ids(store, constrained.clusters))
    store.dispose()
    quality_by_threshold = []
    for t in thresholds:
        plain = cluster(plain_records, pairs, threshold=t, min_support=0.0,
                        household_shapes=())
        ours = cluster(records, pairs, threshold=t, cannot_link=related,
                       household_shapes=shapes)
        quality_by_threshold += [
            {"threshold": t, "method": "connected components",
             **quality(plain.clusters, truth_table, related)},
            {"threshold": t, "method": "constrained",
             **quality(ours.clusters, truth_table, related)}]
    result = {
        "people": people, "records": records.num_rows, "pairs_scored": pairs.num_rows,
        "threshold": threshold,
        "training": training, "prediction": prediction, "clustering": clustering,
        "id_assignment_first_run": first_ids, "id_assignment_no_change_rerun": rerun_ids,
        "persons": plan.persons, "rerun_events": len(again.events),
        "refused_links": constrained.refused.num_rows,
        "refused_by_reason": dict(Counter(constrained.refused.column("reason").to_pylist())),
        "quality": quality_by_threshold,
    }
    print(json.dumps(result, indent=2))
    result["_scored"] = (records, pairs, related)
    return result


def replicated(table: pa.Table, copies: int, columns: tuple[str, ...]) -> pa.Table:
    """`copies` disjoint copies of `table`, the uids in `columns` prefixed per copy."""
    parts = []
    for i in range(copies):
        part = table
        for name in columns:
            prefixed = pc.binary_join_element_wise(f"c{i}", part[name], "-")
            part = part.set_column(part.column_names.index(name), name, prefixed)
        parts.append(part)
    return pa.concat_tables(parts)


def run_scale(data: Path, base: dict[str, Any], copies: int, threshold: float) -> dict[str, Any]:
    """Clustering and id assignment on `copies` disjoint copies of a measured borough's
    records and scored pairs: real structure at a larger size (quality is the base's)."""
    records, pairs, related = base["_scored"]
    records = replicated(records.select(["uid", "nhs_number", "upn", "pnc_id"]), copies,
                         ("uid",))
    pairs = replicated(pairs.select(["uid_l", "uid_r", "match_probability"]), copies,
                       ("uid_l", "uid_r"))
    related = replicated(related, copies, ("uid_l", "uid_r"))
    print(f"scale: {records.num_rows:,} records, {pairs.num_rows:,} pairs")
    result, clustering = measured(lambda: cluster(records, pairs, threshold=threshold,
                                                  cannot_link=related))
    db = data / "ids-scale.db"
    db.unlink(missing_ok=True)
    store = Store(f"sqlite:///{db}")
    store.upgrade()
    _, first_ids = measured(lambda: assign_ids(store, result.clusters))
    again, rerun_ids = measured(lambda: assign_ids(store, result.clusters))
    store.dispose()
    return {"base_people": base["people"], "copies": copies, "records": records.num_rows,
            "pairs_scored": pairs.num_rows, "clustering": clustering,
            "id_assignment_first_run": first_ids, "id_assignment_no_change_rerun": rerun_ids,
            "rerun_events": len(again.events)}


def markdown(results: list[dict[str, Any]], scale: dict[str, Any] | None) -> str:
    lines = [
        "# Resolution benchmark", "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {platform.node()} "
        f"({psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB), "
        "synthetic borough seed 1, default error rates. Same scored pairs for both rows.", "",
        "| people | records | threshold | clustering | pairwise P | R | F1 | B-cubed F1 | "
        "household merges /1,000 pairs | related merged |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for q in r["quality"]:
            lines.append(
                f"| {r['people']:,} | {r['records']:,} | {q['threshold']} | {q['method']} | "
                f"{q['pairwise_precision']:.4f} | {q['pairwise_recall']:.4f} | "
                f"{q['pairwise_f1']:.4f} | {q['bcubed_f1']:.4f} | "
                f"{q['household_merges_per_1000_pairs']:.2f} | {q['related_records_merged']} |")
    lines += ["", "| people | pairs scored | clustering s / peak GB | ids first run s / GB | "
              "ids no-change re-run s | re-run events | training s | prediction s |",
              "|---|---|---|---|---|---|---|---|"]
    for r in results:
        c, f, n = r["clustering"], r["id_assignment_first_run"], r[
            "id_assignment_no_change_rerun"]
        lines.append(
            f"| {r['people']:,} | {r['pairs_scored']:,} | {c['seconds']} / {c['peak_rss_gb']} "
            f"| {f['seconds']} / {f['peak_rss_gb']} | {n['seconds']} | {r['rerun_events']} | "
            f"{r['training']['seconds']} | {r['prediction']['seconds']} |")
    if scale:
        c, f, n = (scale[k] for k in ("clustering", "id_assignment_first_run",
                                      "id_assignment_no_change_rerun"))
        lines += ["", f"Scale: {scale['copies']} disjoint copies of the {scale['base_people']:,}"
                  "-people borough's records and scored pairs (same structure, larger size; "
                  "no model run).", "",
                  "| records | pairs scored | clustering s / peak GB | ids first run s / GB | "
                  "ids no-change re-run s / GB | re-run events |", "|---|---|---|---|---|---|",
                  f"| {scale['records']:,} | {scale['pairs_scored']:,} | {c['seconds']} / "
                  f"{c['peak_rss_gb']} | {f['seconds']} / {f['peak_rss_gb']} | {n['seconds']} / "
                  f"{n['peak_rss_gb']} | {scale['rerun_events']} |"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000],
                        help="borough sizes in people")
    parser.add_argument("--thresholds", type=float, nargs="+", default=None,
                        help="clustering thresholds to score (timings use the first; "
                        "default: the one the model chooses from the data)")
    parser.add_argument("--data", type=Path, default=Path("/tmp/kinlink-bench"),
                        help="where generated boroughs and stores are kept")
    parser.add_argument("--scale-copies", type=int, default=0,
                        help="also time clustering and ids on this many copies of the "
                        "largest size's scored pairs")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    results = [run_size(args.data, n, args.thresholds) for n in args.sizes]
    scale = (run_scale(args.data, results[-1], args.scale_copies, results[-1]["threshold"])
             if args.scale_copies else None)
    for r in results:
        del r["_scored"]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "resolution.json").write_text(
        json.dumps({"sizes": results, "scale": scale}, indent=2) + "\n")
    (RESULTS / "resolution.md").write_text(markdown(results, scale))
    print(markdown(results, scale))


if __name__ == "__main__":
    main()
