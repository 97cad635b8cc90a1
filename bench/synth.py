"""Benchmark: generate a synthetic borough and report time and peak memory.

    nice -n 10 .venv/bin/python bench/synth.py [--people 1000000] [--seed 1]

Prints the figures and saves them to bench/results/synth.json and synth.md. The bar is
1M people in 120 s or less and under 4 GB peak (resident set of this process).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

import psutil

from kinlink.synth import generate
from measure import PeakMemory

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="kinlink-synth-bench-"))
    try:
        with PeakMemory() as memory:
            started, cpu_started = time.perf_counter(), time.process_time()
            summary = generate(out, people=args.people, seed=args.seed)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    result = {
        "people": args.people, "seed": args.seed, "seconds": round(seconds, 1),
        # CPU time shows the cost when other work shares the machine (wall time then grows).
        "cpu_seconds": round(cpu, 1), "load_average_1m": round(psutil.getloadavg()[0], 1),
        "peak_rss_gb": round(memory.peak / 2**30, 2), "output_mb": round(size / 2**20, 1),
        "records": summary.records, "hidden_risks": summary.hidden_risks,
        "risk_pairs": summary.risk_pairs, "errors": sum(summary.errors.values()),
        "machine": f"{platform.machine()}, {psutil.cpu_count()} cores, "
                   f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "meets_bar": seconds <= 120 and memory.peak < 4 * 2**30,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "synth.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Synthetic borough generation", "",
        f"{args.people:,} people, seed {args.seed}, on {result['machine']}.", "",
        "| measure | value |", "| --- | --- |",
        f"| time | {result['seconds']} s wall (bar: 120 s), {result['cpu_seconds']} s CPU |",
        f"| machine load (1 min average, at the end) | {result['load_average_1m']} |",
        f"| peak memory (RSS) | {result['peak_rss_gb']} GB (bar: 4 GB) |",
        f"| output size | {result['output_mb']} MB |",
        *(f"| {agency} person records | {n:,} |" for agency, n in summary.records.items()),
        f"| injected errors | {result['errors']:,} |",
        f"| risk pairs / hidden | {summary.risk_pairs:,} / {summary.hidden_risks['total']:,} |",
    ]
    (RESULTS / "synth.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
