"""Benchmark of the timeliness clocks and queue on the synthetic borough.

Generates a borough (`kinlink.synth.generate`), ingests every agency into a fresh SQLite
store, writes `record_persons` from the borough's truth ("oracle identities", so network
risk is available), then times: loading and evaluating every referral's clocks, the queue
(with network risk, and with referral risk only), the statistics with charts, and
recording a run. Also checks the date findings against the errors the generator injected
(truth/errors.csv): how many injected errors of each kind were flagged, and how well the
queue's "probably not recorded" referrals match the assessments whose outcome was never
recorded (precision and recall), and how long the children at the top of the queue wait.
Clocks are evaluated as of the borough's own reference date.

    nice -n 10 .venv/bin/python bench/timeliness.py --people 100000

Results go to bench/results/timeliness.json and .md.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import tempfile
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from kinlink.ingest import ingest_extract
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons
from kinlink.synth import generate
from kinlink.synth.config import SynthConfig
from kinlink.timeliness import (
    build_queue,
    evaluate_cases,
    load_config,
    record_run,
    timeliness_report,
)
from kinlink.timeliness.charts import write_charts

RESULTS = Path(__file__).parent / "results"
FINDING_FOR_ERROR = {
    "decision-on-weekend": "non-working-day",
    "assessment-before-referral": "before-referral",
    "decision-date-missing": "missing-date",
    "assessment-not-recorded": "probably-not-recorded",
}
"""The finding rule expected for each kind of referral error the generator injects."""


def timed(results: dict[str, float], name: str, work: Any) -> Any:
    started = time.perf_counter()
    value = work()
    results[name] = round(time.perf_counter() - started, 3)
    print(f"{name}: {results[name]:.2f} s")
    return value


def oracle_identities(store: Store, borough: Path) -> None:
    with (borough / "truth" / "records.csv").open() as f:
        rows = [{"agency": r["agency"], "record_id": r["record_id"],
                 "person_id": r["person_id"][:16]} for r in csv.DictReader(f)]
    with store.begin() as conn:
        conn.execute(insert(record_persons), rows)


def injected_errors(borough: Path) -> dict[str, set[str]]:
    """Referral ids with each injected error kind (detail reads 'REF0000252: ...')."""
    found: dict[str, set[str]] = {kind: set() for kind in FINDING_FOR_ERROR}
    with (borough / "truth" / "errors.csv").open() as f:
        for row in csv.DictReader(f):
            if row["error_kind"] in found:
                found[row["error_kind"]].add(row["detail"].split(":")[0])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    config = load_config()
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        borough = Path(tmp) / "borough"
        summary = timed(times, "generate", lambda: generate(borough, people=args.people,
                                                             seed=args.seed))
        store = Store(f"sqlite:///{Path(tmp) / 'kinlink.db'}")
        store.upgrade()
        for agency in ("social-care", "police", "health", "education"):
            timed(times, f"ingest {agency}",
                  lambda a=agency: ingest_extract(store, borough / a, a))
        oracle_identities(store, borough)
        as_of = datetime.combine(SynthConfig().as_of, datetime.max.time()).replace(
            microsecond=0)
        evaluated = timed(times, "evaluate clocks",
                          lambda: evaluate_cases(store, as_of=as_of, config=config))
        timed(times, "queue (network risk; first call builds the network)",
              lambda: build_queue(store, as_of=as_of, config=config, evaluated=evaluated))
        queue = timed(times, "queue (network risk, built)",
                      lambda: build_queue(store, as_of=as_of, config=config,
                                          evaluated=evaluated))
        report = timed(times, "statistics (last 12 months)", lambda: timeliness_report(
            store, date_from=date(as_of.year - 1, as_of.month, 1), date_to=as_of.date(),
            by="month", as_of=as_of, config=config))
        timed(times, "charts", lambda: write_charts(report, config, Path(tmp) / "charts"))
        run = timed(times, "record run", lambda: record_run(store, evaluated, as_of=as_of,
                                                            config=config))
        flagged: dict[str, set[str]] = {}
        for e in evaluated:
            for f in e.findings:
                flagged.setdefault(f.rule, set()).add(e.case.referral_id)
        detection = {
            kind: {"injected": len(ids), "flagged": len(ids & flagged.get(rule, set()))}
            for kind, ids in injected_errors(borough).items()
            for rule in [FINDING_FOR_ERROR[kind]]}
        unrecorded = injected_errors(borough)["assessment-not-recorded"]
        store.dispose()
    stale = {i.referral_id for i in queue if i.not_recorded}
    real = [i for i in queue if not i.not_recorded]
    result = {
        "run_at": datetime.now().isoformat(timespec="seconds"), "people": args.people,
        "seed": args.seed, "referrals": len(evaluated),
        "records": summary.records, "waiting": len(queue),
        "overdue": sum(1 for i in queue if i.status == "overdue"),
        "risk_sources": dict(Counter(i.risk.source for i in queue)),
        "findings": dict(Counter(f.rule for e in evaluated for f in e.findings)),
        "run_findings": run.findings, "detection_of_injected_errors": detection,
        "probably_not_recorded": {
            "flagged": len(stale), "injected": len(unrecorded),
            "precision": round(len(stale & unrecorded) / len(stale), 3) if stale else None,
            "recall": round(len(stale & unrecorded) / len(unrecorded), 3) if unrecorded
            else None},
        "top_10_waited_working_days": [i.waited_days for i in real[:10]],
        "longest_real_wait_working_days": max((i.waited_days for i in real), default=0),
        "seconds": times, "peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "timeliness.json").write_text(json.dumps(result, indent=2))
    lines = [f"# Timeliness benchmark ({result['run_at']})", "",
             f"{args.people:,} people, seed {args.seed}: {len(evaluated):,} referrals, "
             f"{result['waiting']:,} waiting, {result['overdue']:,} overdue; "
             f"peak memory {result['peak_rss_mb']} MB.", "", "| step | seconds |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in times.items()]
    lines += ["", "| injected error | injected | flagged |", "|---|---|---|"]
    lines += [f"| {k} | {v['injected']} | {v['flagged']} |" for k, v in detection.items()]
    pnr = result["probably_not_recorded"]
    lines += ["", f"Probably not recorded: {pnr['flagged']} flagged, {pnr['injected']} "
              f"assessments never recorded; precision {pnr['precision']}, recall "
              f"{pnr['recall']}. Working days waited by the top ten of the queue: "
              f"{result['top_10_waited_working_days']}; longest real wait "
              f"{result['longest_real_wait_working_days']}."]
    lines += ["", f"Findings by rule: {result['findings']}",
              f"Queue risk sources: {result['risk_sources']}"]
    (RESULTS / "timeliness.md").write_text("\n".join(lines) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
