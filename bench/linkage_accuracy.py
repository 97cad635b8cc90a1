"""Accuracy, time and memory of Kinlink's linkage beside its peers, on the same data.

    .venv/bin/python bench/linkage_accuracy.py [--sizes 10000 100000] [--tools ...]

Data sets: the synthetic borough at the given record counts (written by
`kinlink.synth.generate` into a cache folder), and the two public labelled sets in
../shared/benchmarks/. Each (data set, tool) runs in a fresh process so its time and
peak memory are its own. Kinlink's rows also give its blocking recall (the share of true
pairs that are candidate pairs) and candidate pairs per record; plain Splink is run with
each of its blocking set-ups and keeps the better (see `linkage_peers.py`). A tool's
seconds cover its own work (for Kinlink: preparing, training, predicting, clustering), not
the scoring; the truth is read only after the run, so peak memory is the run's, with the
raw records it starts from. Kinlink runs as a user does, `kinlink resolve PEOPLE.csv --out
OUT.csv` (its own process, with the time to start it), and its figures are those of the
persons it writes; its own estimate of precision and recall (printed by `resolve`) is kept
beside them. CPU seconds are recorded too (on a shared machine the wall time is mostly
the others' load): for Kinlink the whole command's, for the peers their run's. Figures
go to bench/results/linkage_accuracy.{json,md} (or `--name`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_data import (
    RESULTS,
    LabelledData,
    blocking_scores,
    borough,
    cluster_scores,
    components,
    fake_1000,
    historical_50k,
    save,
    score_pairs,
)

RECORDS_PER_PERSON = 1.58  # the borough's default: about 1.58 agency records per person
CACHE = Path(os.environ.get("KINLINK_BENCH_CACHE", Path(tempfile.gettempdir()) / "kinlink-bench"))
TOOLS = ("kinlink", "splink", "recordlinkage")
RECORDLINKAGE_MAX_RECORDS = 60_000  # beyond this its pandas pipeline takes many minutes here


def load(name: str) -> LabelledData:
    if name == "fake_1000":
        return fake_1000()
    if name == "historical_50k":
        return historical_50k()
    records = int(name.removeprefix("borough_"))
    folder = CACHE / name
    if not (folder / "truth" / "records.csv").exists():
        from kinlink.synth import generate

        generate(folder, people=round(records / RECORDS_PER_PERSON), seed=2024)
    return borough(folder)


def run_one(tool: str, dataset: str) -> dict:
    """One tool on one data set: its scores, seconds and peak memory."""
    data = load(dataset)
    result: dict = {"tool": tool, "dataset": dataset, "records": data.raw.num_rows}
    runs = {"splink": _best_splink, "kinlink": _kinlink, "recordlinkage": _recordlinkage}
    result.update(runs[tool](data))
    # Kinlink runs as its own process (the command a user runs): its peak is the child's.
    result["peak_mb"] = max(round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                            result.pop("child_peak_mb", 0))
    return result


def _recordlinkage(data: LabelledData) -> dict:
    from linkage_peers import recordlinkage_ecm

    started, cpu = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
    pairs = recordlinkage_ecm(data.raw)
    return {**_scores(data, pairs), "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(_cpu(resource.RUSAGE_SELF) - cpu, 1)}


def _cpu(who: int) -> float:
    """CPU seconds (user and system, every thread) used so far by `who`."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _best_splink(data: LabelledData) -> dict:
    """Plain Splink with each of its blocking set-ups; the scores and seconds of the one
    with the better cluster F1 (the peer gets its best)."""
    from linkage_peers import plain_splink, splink_blockings

    runs = []
    for name, blocking in splink_blockings(data.raw).items():
        started, cpu = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
        pairs = plain_splink(data.raw, blocking)
        seconds = round(time.perf_counter() - started, 1)
        runs.append({**_scores(data, pairs), "splink_blocking": name, "seconds": seconds,
                     "cpu_seconds": round(_cpu(resource.RUSAGE_SELF) - cpu, 1)})
    return max(runs, key=lambda run: run["cluster_f1"])


def _kinlink(data: LabelledData) -> dict:
    """`kinlink resolve PEOPLE.csv --out OUT.csv`, the command a user runs, on the raw
    records written as a people-format file (outside the timed run); its persons scored.
    Its pairs are the pairs of records it puts in one person (what a user gets)."""
    import csv

    import pyarrow.csv as pacsv

    folder = Path(tempfile.mkdtemp(prefix="kinlink-resolve-"))
    people, out = folder / "people.csv", folder / "persons.csv"
    pacsv.write_csv(data.raw, people)
    command = [str(Path(sys.executable).with_name("kinlink")), "resolve", str(people),
               "--out", str(out)]
    started, cpu = time.perf_counter(), _cpu(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env={**os.environ, "KINLINK_HOME": str(folder / "home"),
                               "COLUMNS": "200"})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-2000:] + done.stderr[-2000:])
    with out.open() as f:
        labels = {f"{row['agency']}:{row['record_id']}": row["person_id"]
                  for row in csv.DictReader(f)}
    clusters = cluster_scores(data, labels)
    printed = " ".join(done.stdout.split())
    expected = _EXPECTED.search(printed)
    own = _OWN_TIME.search(printed)
    return {**{k.removeprefix("cluster_"): v for k, v in clusters.items()
               if k.startswith("cluster_")}, **clusters,
            # resolve's own time (as Splink's, without starting Python and importing)
            "seconds": float(own[1]) if own else round(seconds, 1),
            "command_seconds": round(seconds, 1),
            # the whole command's, starting Python and importing included
            "cpu_seconds": round(_cpu(resource.RUSAGE_CHILDREN) - cpu, 1),
            "child_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            **({"threshold": float(expected[1]), "expected_precision": float(expected[2]),
                "expected_recall": float(expected[3])} if expected else {}),
            "console_lines": len(done.stdout.splitlines()) + len(done.stderr.splitlines())}


_OWN_TIME = re.compile(r"│ time │ ([0-9.]+) s │")
_EXPECTED = re.compile(r"Threshold ([0-9.]+) \(from the data; prior [^)]*\): the model "
                       r"expects precision ([0-9.]+) and recall ([0-9.]+)")


def _scores(data: LabelledData, pairs) -> dict:  # type: ignore[no-untyped-def]
    uids = list(data.truth)
    edges = list(zip(pairs["uid_l"].to_pylist(), pairs["uid_r"].to_pylist(), strict=True))
    return {**score_pairs(data, edges).as_dict(),
            **cluster_scores(data, components(uids, edges))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--tools", nargs="*", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--public", action=argparse.BooleanOptionalAction, default=True,
                        help="also score the public labelled sets")
    parser.add_argument("--name", default="linkage_accuracy",
                        help="save as bench/results/NAME.{json,md}")
    parser.add_argument("--one", nargs=2, metavar=("TOOL", "DATASET"), help=argparse.SUPPRESS)
    parser.add_argument("--blocking", metavar="DATASET", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    if args.blocking:
        data = load(args.blocking)
        print(json.dumps(blocking_scores(data, data.records)))
        return
    datasets = [f"borough_{n}" for n in args.sizes]
    if args.public:
        datasets += ["fake_1000", "historical_50k"]
    results = []
    for dataset in datasets:
        load(dataset)  # generate outside the timed runs
        # In a process of its own: not part of any tool's time or memory (a child
        # process inherits its parent's peak memory figure).
        blocking = json.loads(subprocess.run(
            [sys.executable, __file__, "--blocking", dataset], capture_output=True, text=True,
            check=True).stdout.strip().splitlines()[-1])
        for tool in args.tools:
            if tool == "recordlinkage" and _size(dataset) > RECORDLINKAGE_MAX_RECORDS:
                continue
            done = subprocess.run([sys.executable, __file__, "--one", tool, dataset],
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"{tool} on {dataset} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
                results.append({"tool": tool, "dataset": dataset, "error": done.stderr[-300:]})
                continue
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            if tool == "kinlink":
                results[-1].update(blocking)
            print(json.dumps(results[-1]), flush=True)
    save(args.name, {"results": results, "load_at_end": os.getloadavg()[0]})
    (RESULTS / f"{args.name}.md").write_text(markdown(results))


def _size(dataset: str) -> int:
    if dataset.startswith("borough_"):
        return int(dataset.removeprefix("borough_"))
    return {"fake_1000": 1_000, "historical_50k": 50_578}[dataset]


def markdown(results: list[dict]) -> str:
    """The figures as a markdown table (the peers' pairs at 0.5, Kinlink's those of the
    persons `kinlink resolve` writes; clusters as each tool forms them)."""
    head = ("| data set | tool | records | pair P | pair R | pair F1 | household merges /1000 "
            "| cluster F1 | B-cubed F1 | seconds | CPU s | peak MB |\n|" + "---|" * 12 + "\n")
    rows = []
    for r in results:
        if "error" in r:
            rows.append(f"| {r['dataset']} | {r['tool']} | failed: {r['error'][:60]!r} |"
                        + " |" * 9)
            continue
        rows.append(f"| {r['dataset']} | {r['tool']} | {r['records']:,} | {r['precision']:.3f} "
                    f"| {r['recall']:.3f} | {r['f1']:.3f} | {r['household_merges_per_1000']:.1f} "
                    f"| {r['cluster_f1']:.3f} | {r['bcubed_f1']:.3f} | {r['seconds']:.0f} "
                    f"| {r.get('cpu_seconds', float('nan')):.0f} | {r['peak_mb']:,} |")
    return (head + "\n".join(rows) + "\n\n" + _blocking_markdown(results) + "\n"
            + _expected_markdown(results) + "\n" + _splink_markdown(results))


def _expected_markdown(results: list[dict]) -> str:
    """Kinlink's own estimate of precision and recall at the threshold it chose, beside
    the measured ones (of the persons it wrote)."""
    head = ("| data set | threshold | model's precision | measured | model's recall "
            "| measured |\n|" + "---|" * 6 + "\n")
    rows = [f"| {r['dataset']} | {r['threshold']:.2f} | {r['expected_precision']:.3f} "
            f"| {r['precision']:.3f} | {r['expected_recall']:.3f} | {r['recall']:.3f} |"
            for r in results if r["tool"] == "kinlink" and "expected_precision" in r]
    return head + "\n".join(rows) + "\n"


def _splink_markdown(results: list[dict]) -> str:
    """Which blocking set-up plain Splink scored its figures with, per data set."""
    return "Plain Splink's better blocking set-up: " + "; ".join(
        f"{r['dataset']}: {r['splink_blocking']}" for r in results
        if r["tool"] == "splink" and "splink_blocking" in r) + ".\n"


def _blocking_markdown(results: list[dict]) -> str:
    """Kinlink's blocking: the share of true pairs that are candidate pairs, and how
    many candidate pairs each record is compared in (what scoring costs)."""
    head = ("| data set | records | candidate pairs | per record | blocking recall |\n|"
            + "---|" * 5 + "\n")
    rows = [f"| {r['dataset']} | {r['records']:,} | {r['candidate_pairs']:,} "
            f"| {r['comparisons_per_record']:.2f} | {r['blocking_recall']:.4f} |"
            for r in results if r["tool"] == "kinlink" and "candidate_pairs" in r]
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    main()
