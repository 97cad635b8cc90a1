"""Where `kinlink resolve`'s time and memory go: each step's wall and CPU seconds, the
process's memory after it and its peak so far, printed as it goes.

    KINLINK_HOME=... nice -n 10 .venv/bin/python bench/resolve_phases.py [--retrain]
    nice -n 10 .venv/bin/python bench/resolve_phases.py PEOPLE.csv OUT.csv

With no file, the store of KINLINK_HOME is resolved (store mode; `--retrain` trains a
new model as a first run does); with a file, `resolve_file` as `kinlink resolve
PEOPLE.csv --out OUT.csv` runs it. In one process, so the steps can be timed.
"""

from __future__ import annotations

import functools
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import kinlink.linkage.resolve as resolve
from kinlink.store.database import open_store


def _rss_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def _timed(name: str) -> None:
    """Replace `resolve.<name>` by a version that prints its step's figures."""
    step: Callable[..., Any] = getattr(resolve, name)

    @functools.wraps(step)
    def timed(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return step(*args, **kwargs)
        finally:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"{name:28s} wall {time.perf_counter() - wall:7.1f} s  "
                  f"cpu {time.process_time() - cpu:7.1f} s  rss {_rss_mb():6,} MB  "
                  f"peak {peak:6,} MB", flush=True)

    setattr(resolve, name, timed)


STEPS = ("prepare_records_from_store", "prepare_records_from_file", "train", "_predict",
         "calibrate_model", "_recorded_relationships", "cluster", "_review_items",
         "assign_persons", "store_review_items", "plan_persons", "_write_persons_csv")


def main() -> None:
    for name in STEPS:
        _timed(name)
    files = [a for a in sys.argv[1:] if not a.startswith("--")]
    wall, cpu = time.perf_counter(), time.process_time()
    if files:
        report = resolve.resolve_file(files[0], files[1])
    else:
        report = resolve.resolve_store(open_store(), retrain="--retrain" in sys.argv)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"total wall {time.perf_counter() - wall:.1f} s, cpu {time.process_time() - cpu:.1f} s, "
          f"peak {peak:,} MB; {report.records:,} records, {report.pairs:,} pairs, "
          f"{report.persons:,} persons; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
