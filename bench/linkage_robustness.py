"""Linkage on data it was not built around: every shipped noise profile of the synthetic
borough and both public labelled sets, each with Kinlink, plain Splink and recordlinkage
on the same files, in one run.

    .venv/bin/python bench/linkage_robustness.py [--records 100000] [--profiles ...]
        [--tools kinlink splink recordlinkage] [--no-public] [--name linkage_robustness]

Every data set is written as one people-format file (first_name, surname, dob, sex,
address, postcode: what ../shared/benchmarks/README.md gives the peers), rows shuffled,
ids opaque. Kinlink runs as a user runs it: `kinlink resolve FILE --out OUT` (its own
process; its pairs are those within its clusters); plain Splink (each of its blocking
set-ups, keeping the better) and recordlinkage (sorted neighbourhood and ECM) as in
`linkage_accuracy.py`, each in a process of its own, with a time limit. Measured: blocking
recall (the share of true pairs that are candidate pairs) and candidate pairs per record,
pairwise and B-cubed precision, recall and F1 (clusters: Kinlink's own, connected
components for the peers), household merges (predicted pairs joining two different people
who ever shared a household) as a share of predicted pairs, seconds and peak memory.
Kinlink's blocking figures come from its index keys (`linkage_data.blocking_scores`), the
peers' from their own rules, each computed outside the timed runs. Figures go to
bench/results/<name>.{json,md}.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_accuracy import (
    CACHE,
    RECORDLINKAGE_MAX_RECORDS,
    RECORDS_PER_PERSON,
    _best_splink,
    _recordlinkage,
)
from linkage_data import (
    RESULTS,
    LabelledData,
    blocking_scores,
    borough_file,
    cluster_scores,
    fake_1000,
    historical_50k,
    pair_recall,
    save,
    score_pairs,
)

TOOLS = ("kinlink", "splink", "recordlinkage")
PROFILES = ("default", "typos", "sparse", "freetext", "households")
PUBLIC = ("fake_1000", "historical_50k")
FILE_COLUMNS = ("record_id", "first_name", "surname", "dob", "sex", "address", "postcode")
KINLINK = str(Path(sys.executable).with_name("kinlink"))
WORK = CACHE / "robustness"


def load(dataset: str) -> LabelledData:
    """A data set by name: `fake_1000`, `historical_50k` or `<profile>_<records>`."""
    if dataset == "fake_1000":
        return fake_1000()
    if dataset == "historical_50k":
        return historical_50k()
    profile, records = dataset.rsplit("_", 1)
    folder = WORK / f"borough_{dataset}"
    if not (folder / "truth" / "records.csv").exists():
        people = round(int(records) / RECORDS_PER_PERSON)
        subprocess.run([KINLINK, "synth", "--people", str(people), "--seed", "2024",
                        "--profile", profile, "--out", str(folder), "--quiet"], check=True)
    return borough_file(folder, dataset)


def people_file(data: LabelledData) -> Path:
    """The data set as the one people-format file every tool is given."""
    path = WORK / f"{data.name}.csv"
    if not path.exists():
        columns = {c: data.raw[c].to_pylist() for c in FILE_COLUMNS}
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(FILE_COLUMNS)
            writer.writerows(zip(*columns.values(), strict=True))
    return path


def run_one(tool: str, dataset: str) -> dict[str, Any]:
    """One tool on one data set (in a process of its own): scores, seconds, peak MB."""
    data = load(dataset)
    result: dict[str, Any] = {"tool": tool, "dataset": dataset, "records": data.raw.num_rows}
    if tool == "kinlink":
        result.update(_kinlink(data))
    else:
        result.update({"splink": _best_splink, "recordlinkage": _recordlinkage}[tool](data))
        result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def _kinlink(data: LabelledData) -> dict[str, Any]:
    """`kinlink resolve FILE --out OUT`, timed with its own peak memory; its clusters."""
    path = people_file(data)
    with tempfile.TemporaryDirectory() as home:
        out = Path(home) / "persons.csv"
        env = {**os.environ, "KINLINK_HOME": home, "COLUMNS": "200"}
        env.pop("KINLINK_DATABASE_URL", None)
        started = time.perf_counter()
        child = subprocess.Popen([KINLINK, "resolve", str(path), "--out", str(out)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak memory
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            raise RuntimeError(f"kinlink resolve failed:\n{output[-2000:]}")
        with out.open() as f:
            labels = {f"file:{r['record_id']}": r["person_id"] for r in csv.DictReader(f)}
    members: dict[str, list[str]] = {}
    for uid, person in labels.items():
        members.setdefault(person, []).append(uid)
    pairs = ((g[i], g[j]) for g in members.values() for i in range(len(g))
             for j in range(i + 1, len(g)))
    return {**score_pairs(data, pairs).as_dict(), **cluster_scores(data, labels),
            "seconds": round(seconds, 1), "peak_mb": round(usage.ru_maxrss / 1024),
            "summary": output.strip().splitlines()[-3:]}


def blocking(tool: str, dataset: str, splink_blocking: str | None) -> dict[str, Any]:
    """A tool's candidate pairs per record and blocking recall (outside the timed runs)."""
    data = load(dataset)
    if tool == "kinlink":
        return blocking_scores(data, data.records)
    from linkage_peers import recordlinkage_candidates, splink_blockings, splink_candidates

    if tool == "splink":
        rules = splink_blockings(data.raw)
        return pair_recall(data, splink_candidates(
            data.raw, rules.get(splink_blocking or "", next(iter(rules.values())))))
    return pair_recall(data, recordlinkage_candidates(data.raw))


def _in_process(args: list[str], timeout: float) -> dict[str, Any]:
    """Run this script with `args` in a fresh process; its last line of JSON, or an error."""
    try:
        done = subprocess.run([sys.executable, __file__, *args], capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"over the time limit of {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1][:300] if done.stderr else "failed"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--profiles", nargs="*", default=list(PROFILES), choices=PROFILES)
    parser.add_argument("--public", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--tools", nargs="*", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per tool run")
    parser.add_argument("--recordlinkage-max-records", type=int,
                        default=RECORDLINKAGE_MAX_RECORDS,
                        help="files larger than this are not given to recordlinkage (its "
                        "surname neighbourhoods took over 11 minutes at 100k records here)")
    parser.add_argument("--name", default="linkage_robustness")
    parser.add_argument("--label", default="", help="what this run measured (e.g. the model)")
    parser.add_argument("--rewrite", action="store_true",
                        help="only write bench/results/<name>.md again from its JSON")
    parser.add_argument("--one", nargs=2, metavar=("TOOL", "DATASET"), help=argparse.SUPPRESS)
    parser.add_argument("--blocking", nargs=3, metavar=("TOOL", "DATASET", "RULES"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rewrite:
        rewrite(args.name)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    if args.blocking:
        print(json.dumps(blocking(*args.blocking)))
        return
    datasets = [f"{p}_{args.records}" for p in args.profiles]
    datasets += list(PUBLIC) if args.public else []
    results = []
    for dataset in datasets:
        data = load(dataset)
        people_file(data)  # written outside the timed runs
        for tool in args.tools:
            if tool == "recordlinkage" and data.raw.num_rows > args.recordlinkage_max_records:
                results.append({"tool": tool, "dataset": dataset, "error": (
                    f"not run: over {args.recordlinkage_max_records:,} records")})
                continue
            result = {"tool": tool, "dataset": dataset,
                      **_in_process(["--one", tool, dataset], args.timeout)}
            if "error" not in result:
                result.update(_in_process(["--blocking", tool, dataset,
                                           result.get("splink_blocking", "")], args.timeout))
            results.append(result)
            print(json.dumps(result), flush=True)
    meta = {"label": args.label, "records": args.records, "load_after": os.getloadavg()[0],
            "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    save(args.name, {**meta, "results": results})
    (RESULTS / f"{args.name}.md").write_text(markdown(results, meta))
    print(markdown(results, meta))


def markdown(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The figures as one table: a row per (data set, tool)."""
    head = (f"Run: {meta['label'] or 'unlabelled'}, finished {meta['finished']} "
            f"(load {meta['load_after']:.1f}).\n\n"
            "| data set | tool | records | blocking recall | candidates /record | pair P "
            "| pair R | pair F1 | B-cubed P | B-cubed R | B-cubed F1 | household merges "
            "% of pairs | seconds | peak MB |\n|" + "---|" * 14 + "\n")
    rows = []
    for r in results:
        if "error" in r and "f1" not in r:
            rows.append(f"| {r['dataset']} | {r['tool']} | {r['error'][:80]} |" + " |" * 11)
            continue
        recall = r.get("blocking_recall")
        per = r.get("comparisons_per_record")
        rows.append(
            f"| {r['dataset']} | {r['tool']} | {r['records']:,} "
            f"| {'-' if recall is None else f'{recall:.4f}'} "
            f"| {'-' if per is None else f'{per:.2f}'} | {r['precision']:.3f} "
            f"| {r['recall']:.3f} | {r['f1']:.3f} | {r['bcubed_precision']:.3f} "
            f"| {r['bcubed_recall']:.3f} | {r['bcubed_f1']:.3f} "
            f"| {r['household_merges_per_1000'] / 10:.2f} | {r['seconds']:.0f} "
            f"| {r['peak_mb']:,} |")
    return head + "\n".join(rows) + "\n\n" + _expected(results)


_EXPECTED = re.compile(r"Threshold ([0-9.]+) \(from the data; prior [^)]*\): the model "
                       r"expects precision ([0-9.]+) and recall ([0-9.]+)")


def _expected(results: list[dict[str, Any]]) -> str:
    """Kinlink's own estimate of precision and recall at the threshold it chose (printed
    by `resolve`; its recall is over the candidate pairs), beside the measured ones."""
    rows = []
    for r in results:
        found = _EXPECTED.search(" ".join(r.get("summary", [])))
        if r["tool"] == "kinlink" and found and "precision" in r:
            rows.append(f"| {r['dataset']} | {float(found[1]):.2f} | {float(found[2]):.3f} "
                        f"| {r['precision']:.3f} | {float(found[3]):.3f} | {r['recall']:.3f} |")
    if not rows:
        return ""
    return ("| data set | threshold | model's precision | measured | model's recall "
            "| measured |\n|" + "---|" * 6 + "\n" + "\n".join(rows) + "\n")


def rewrite(name: str) -> None:
    """Write bench/results/<name>.md again from its saved JSON."""
    saved = json.loads((RESULTS / f"{name}.json").read_text())
    (RESULTS / f"{name}.md").write_text(markdown(saved["results"], saved))


if __name__ == "__main__":
    main()
