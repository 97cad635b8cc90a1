"""Benchmark of the data-quality rules and the inspection report on the synthetic borough.

Runs what a user runs, through the `kinlink` command: generates a borough, ingests every
agency, resolves identities, rebuilds the network and alerts, then times
`kinlink quality run` and `kinlink report` (HTML and PDF, with the truth for accuracy), with
each command's peak memory. Then scores the rules against the errors the generator
injected (truth/errors.csv and truth/records.csv): of the records each error made wrong,
how many the matching rule flagged (recall), and of the records the rule flagged, how many
carry that error (precision).

    nice -n 10 .venv/bin/python bench/quality.py --people 20000

Reuse a borough and a store already built with `--borough DIR --home DIR`. Results go to
bench/results/quality.json and .md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from kinlink.config import Settings
from kinlink.quality import list_findings
from kinlink.quality.scores import AREA
from kinlink.store import open_store

RESULTS = Path(__file__).parent / "results"
AGENCIES = ("police", "social-care", "health", "education")
AS_OF = date(2026, 11, 1)  # the synthetic borough's reference date
KINLINK = [sys.executable, "-c", "from kinlink.cli import main; main()"]


def run(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run one `kinlink` command; its wall time, CPU time (user + system: what the work
    costs on a machine others share) and peak memory, from GNU time."""
    started = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *KINLINK, *args], env=env,
                         check=True, capture_output=True, text=True)
    peak_kb, user, system = out.stderr.strip().splitlines()[-1].split()
    return {"seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(float(user) + float(system), 2),
            "peak_mb": round(int(peak_kb) / 1024)}


def build(borough: Path, people: int, env: dict[str, str]) -> dict[str, Any]:
    """A borough, ingested, resolved and with its network built, through the CLI."""
    steps = {"synth": run(["synth", "--out", str(borough), "--people", str(people),
                           "--quiet"], env),
             "db upgrade": run(["db", "upgrade"], env)}
    for agency in AGENCIES:
        steps[f"ingest {agency}"] = run(["ingest", str(borough / agency), "--agency", agency],
                                        env)
    steps["resolve"] = run(["resolve"], env)
    steps["alerts recompute"] = run(["alerts", "recompute", "--as-of", AS_OF.isoformat()], env)
    return steps


def truth_errors(borough: Path) -> dict[str, set[tuple[str, str]]]:
    """Records (agency, record id) or incidents (agency, incident id) each error kind hit."""
    hit: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with (borough / "truth" / "errors.csv").open() as f:
        for row in csv.DictReader(f):
            kind = row["error_kind"]
            # A child recorded as an adult's associate was left out of the incident too.
            if kind in ("child-not-recorded", "wrong-place-free-text", "wrong-place-associate"):
                incident = re.match(r"(\S+):", row["detail"])
                if incident:
                    hit["child left out of an incident"].add((row["agency"], incident[1]))
            if kind not in ("child-not-recorded", "wrong-place-free-text"):
                hit[kind].add((row["agency"], row["record_id"]))
    with (borough / "truth" / "records.csv").open() as f:
        held: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in csv.DictReader(f):
            held[(row["agency"], row["person_id"])].append(row["record_id"])
    hit["held twice by one agency"] = {(agency, r) for (agency, _), records in held.items()
                                       if len(records) > 1 for r in records}
    hit["not at the current address"] = not_at_current_address(borough)
    return hit


def not_at_current_address(borough: Path) -> set[tuple[str, str]]:
    """Records whose full postcode is not the person's postcode now (truth/households.csv):
    an injected old address, or a record the agency never updated after a move."""
    with (borough / "truth" / "households.csv").open() as f:
        current = {r["person_id"]: r["postcode"] for r in csv.DictReader(f) if not r["to_date"]}
    with (borough / "truth" / "records.csv").open() as f:
        person = {(r["agency"], r["record_id"]): r["person_id"] for r in csv.DictReader(f)}
    stale = set()
    for agency in AGENCIES:
        with (borough / agency / "people.csv").open() as f:
            for row in csv.DictReader(f):
                postcode = " ".join((row.get("postcode") or "").upper().split())
                now = current.get(person.get((agency, row["record_id"]), ""))
                if " " in postcode and now and postcode != now:
                    stale.add((agency, row["record_id"]))
    return stale


RULE_FOR_ERROR = {
    "not at the current address": "stale-address",
    "held twice by one agency": "probable-duplicate",
    "wrong-place-associate": "child-in-wrong-place",
    "child left out of an incident": "child-not-recorded-at-incident",
}
"""The rule that should flag the records each kind of error made wrong. (Missing dates of
birth are not scored: the generator leaves many out by design, beyond its injected
`dob-missing` errors, so every blank one is rightly flagged.)"""


def score_rules(home: Path, borough: Path) -> dict[str, dict[str, Any]]:
    store = open_store(Settings(home=home))
    errors = truth_errors(borough)
    scores = {}
    for error, rule in RULE_FOR_ERROR.items():
        flagged = {(f.agency, f.record_key) for f in list_findings(store, area=AREA, rule=rule)}
        wrong = errors[error]
        caught = len(flagged & wrong)
        scores[rule] = {"error": error, "injected": len(wrong), "flagged": len(flagged),
                        "recall": round(caught / len(wrong), 3) if wrong else None,
                        "precision": round(caught / len(flagged), 3) if flagged else None}
    store.dispose()
    return scores


def write(results: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quality.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"# Data-quality rules and the report, {results['people']:,} people",
             "", f"Load average when done: {results['load_average']} (2 cores).", "",
             "| command | wall s | CPU s | peak MB |", "|---|---:|---:|---:|"]
    lines += [f"| kinlink {name} | {m['seconds']} | {m['cpu_seconds']} | {m['peak_mb']} |"
              for name, m in results["commands"].items()]
    lines += ["", "| rule | injected error | records it hit | flagged | recall | precision |",
              "|---|---|---:|---:|---:|---:|"]
    lines += [f"| {rule} | {s['error']} | {s['injected']} | {s['flagged']} | {s['recall']} "
              f"| {s['precision']} |" for rule, s in results["rules"].items()]
    (RESULTS / "quality.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--borough", type=Path, help="An existing borough (with --home).")
    parser.add_argument("--home", type=Path, help="KINLINK_HOME of a store holding it.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = args.home or Path(scratch) / "home"
        borough = args.borough or Path(scratch) / "borough"
        env = {**os.environ, "KINLINK_HOME": str(home)}
        env.pop("KINLINK_DATABASE_URL", None)
        steps = {} if args.borough else build(borough, args.people, env)
        commands = {
            "quality run": run(["quality", "run", "--as-of", AS_OF.isoformat()], env),
            "report": run(["report", "--out", str(Path(scratch) / "report.html"), "--pdf",
                           str(Path(scratch) / "report.pdf"), "--as-of", AS_OF.isoformat(),
                           "--truth", str(borough / "truth" / "records.csv")], env),
        }
        with (borough / "truth" / "persons.csv").open() as f:
            people = sum(1 for _ in f) - 1
        write({"people": people, "as_of": AS_OF.isoformat(), "build": steps,
               "commands": commands, "rules": score_rules(home, borough),
               "load_average": round(os.getloadavg()[0], 1)})


if __name__ == "__main__":
    main()
