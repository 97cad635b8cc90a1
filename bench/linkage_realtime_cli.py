"""Real-time matching through the commands a user runs, on SQLite and PostgreSQL, beside
Splink's own single-record path.

    .venv/bin/python bench/linkage_realtime_cli.py [--records 100000 1000000]
        [--queries 1000] [--backends sqlite postgres] [--postgres-server URL]
        [--database NAME] [--postgres-copies 1000000] [--no-splink]

For each size a borough is written by `kinlink synth` (people chosen so that social care,
health and education hold about `--records` records); those three agencies are stored with
`kinlink db upgrade`, `kinlink ingest` and resolved with `kinlink resolve` (which trains
the model). With `--postgres-copies SIZE`, that size's PostgreSQL store is instead the
SQLite store's tables copied (every table but the real-time index, which PostgreSQL then
builds itself): resolving 1M records takes half an hour on this machine. The queries
are held-out police records (police is never stored) of people the store holds; a fifth
of them have their date of birth blanked. `kinlink match --input` runs twice: first on a
few queries (a store's first match builds the real-time index: its time is the index
build, kept for later runs), then on all of them; the latencies are the ones it prints,
top-1 accuracy is the share of queries whose best candidate is a record of the query's
true person. Each command runs as its own process; its wall time and peak memory
(`wait4`) are recorded. Stores are kept in the cache folder between runs (`--fresh` starts
over). Plain Splink's `predict_between` (one query against every stored record; a
tutorial-style model trained on a 100k sample, as latency does not depend on how many
records trained it) runs on the same queries in a process of its own. The same queries are
then timed once more in one process through `RealtimeMatcher.match` on one connection, as
the command does, wall and CPU time (the CPU time is a query's own work, which the
machine's load does not inflate), with and without a date of birth apart. Figures go to
bench/results/linkage_realtime_cli.{json,md}.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkage_accuracy import CACHE
from linkage_data import RESULTS, save
from linkage_realtime import percentiles

STORED = ("social-care", "health", "education")
QUERY_AGENCY = "police"
STORED_RECORDS_PER_PERSON = 1.48  # the default borough without police
NO_DOB_SHARE = 0.2
WARM_QUERIES = 20
SPLINK_QUERIES = 50
SPLINK_TRAINING = 100_000
KINLINK = str(Path(sys.executable).with_name("kinlink"))
LATENCY = re.compile(r"p50 ([\d.]+) ms, p95 ([\d.]+) ms, p99 ([\d.]+) ms")


def run_command(args: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """Run one command to the end: its wall seconds, peak memory and output."""
    started = time.perf_counter()
    with log.open("a") as out:
        out.write(f"$ {' '.join(args)}\n")
        out.flush()
        child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        assert child.stdout is not None
        output = child.stdout.read()
        # wait4 rather than wait: it gives this child's own peak memory.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.write(output)
    if child.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{output[-2000:]}")
    return {"seconds": round(time.perf_counter() - started, 1),
            "peak_mb": round(usage.ru_maxrss / 1024), "output": output}


def _env(home: Path, url: str | None) -> dict[str, str]:
    env = {**os.environ, "KINLINK_HOME": str(home), "COLUMNS": "200"}
    env.pop("KINLINK_DATABASE_URL", None)
    if url:
        env["KINLINK_DATABASE_URL"] = url
    return env


def write_borough(records: int, log: Path) -> Path:
    """`kinlink synth` of a borough whose stored agencies hold about `records` records."""
    folder = CACHE / f"realtime_borough_{records}"
    if not (folder / "truth" / "records.csv").exists():
        people = round(records / STORED_RECORDS_PER_PERSON)
        run_command([KINLINK, "synth", "--people", str(people), "--seed", "2024", "--out",
                     str(folder), "--quiet"], _env(CACHE / "synth-home", None), log)
    return folder


def write_queries(folder: Path, count: int) -> tuple[Path, dict[str, str], dict[str, str]]:
    """Held-out police records of people the store holds, a fifth without a date of
    birth: the query file, query record_id -> true person, stored uid -> true person."""
    truth: dict[str, str] = {}
    with (folder / "truth" / "records.csv").open() as f:
        for r in csv.DictReader(f):
            truth[f"{r['agency']}:{r['record_id']}"] = r["person_id"]
    stored = {uid: person for uid, person in truth.items()
              if uid.split(":", 1)[0] in STORED}
    held = set(stored.values())
    with (folder / QUERY_AGENCY / "people.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        rows = [r for r in reader if truth[f"{QUERY_AGENCY}:{r['record_id']}"] in held]
    rng = random.Random(11)
    chosen = rng.sample(rows, min(count, len(rows)))
    for row in chosen:
        if rng.random() < NO_DOB_SHARE:
            row["dob"] = ""
    path = folder / f"queries_{count}.csv"
    if not path.exists():  # the same every time; another run may be reading it
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, ["agency", *columns])
            writer.writeheader()
            writer.writerows({"agency": QUERY_AGENCY, **r} for r in chosen)
    asked = {r["record_id"]: truth[f"{QUERY_AGENCY}:{r['record_id']}"] for r in chosen}
    return path, asked, stored


def store_home(folder: Path, backend: str) -> Path:
    return CACHE / f"realtime_{backend}_{folder.name}"


def build_store(folder: Path, backend: str, url: str | None, log: Path,
                fresh: bool) -> dict[str, Any]:
    """Ingest the stored agencies and `kinlink resolve`, as a user does (kept between runs)."""
    home = store_home(folder, backend)
    done = home / "built.json"
    if done.exists() and not fresh:
        return {**json.loads(done.read_text()), "home": str(home)}
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = _env(home, url)
    steps: dict[str, Any] = {}
    run_command([KINLINK, "db", "upgrade"], env, log)  # a new store starts at no schema
    for agency in STORED:
        ran = run_command([KINLINK, "ingest", str(folder / agency), "--agency", agency,
                           "--no-progress", "--show", "0"], env, log)
        steps[f"ingest_{agency}"] = {k: v for k, v in ran.items() if k != "output"}
    ran = run_command([KINLINK, "resolve"], env, log)
    steps["resolve"] = {k: v for k, v in ran.items() if k != "output"}
    done.write_text(json.dumps(steps))
    return {**steps, "home": str(home)}


def copy_store(folder: Path, url: str, log: Path, fresh: bool) -> dict[str, Any]:
    """A PostgreSQL store holding the SQLite store's tables (that store resolved by
    `kinlink resolve`), but not its real-time index, which the first `kinlink match`
    builds: a 1M store resolves in half an hour on this machine, once is enough."""
    home = store_home(folder, "postgres")
    done = home / "built.json"
    if done.exists() and not fresh:
        return {**json.loads(done.read_text()), "home": str(home)}
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    started = time.perf_counter()
    rows = _in_own_process(copy_tables, f"sqlite:///{store_home(folder, 'sqlite')}/kinlink.db",
                           url)
    steps = {"copied_from": str(store_home(folder, "sqlite")), "rows": rows,
             "copy_seconds": round(time.perf_counter() - started, 1)}
    with log.open("a") as out:
        out.write(f"copied the SQLite store to {url}: {json.dumps(steps)}\n")
    done.write_text(json.dumps(steps))
    return {**steps, "home": str(home)}


def copy_tables(source: str, target: str) -> dict[str, int]:
    """Every table but the real-time index's, through the schema's typed tables (so
    timestamps and JSON are read and written as each backend keeps them), with the id
    sequences moved on past the copied ids."""
    from sqlalchemy import Integer, create_engine, insert, select, text

    import kinlink.store.schema  # noqa: F401  (registers every table)
    from kinlink.store import Store
    from kinlink.store.schema.base import metadata

    index = {"linkage_records", "linkage_keys", "linkage_terms"}
    store, sqlite = Store(target), create_engine(source)
    store.upgrade()
    copied = {}
    tables = [t for t in metadata.sorted_tables if t.name not in index]
    for table in tables:
        with sqlite.connect() as read, store.begin() as write:
            write.execute(text(f"TRUNCATE {table.name} CASCADE"))
            copied[table.name] = 0
            for part in read.execution_options(yield_per=20_000).execute(
                    select(table)).partitions():
                write.execute(insert(table), [dict(row._mapping) for row in part])
                copied[table.name] += len(part)
            serial = [c for c in table.primary_key.columns if isinstance(c.type, Integer)]
            if len(table.primary_key.columns) == 1 and serial:
                sequence = write.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {
                    "t": table.name, "c": serial[0].name}).scalar()
                if sequence:
                    write.execute(text(f"SELECT setval('{sequence}', (SELECT coalesce(max("
                                       f"{serial[0].name}), 0) + 1 FROM {table.name}), false)"))
    store.analyze(*tables)
    store.dispose()
    return copied


def match_queries(home: Path, url: str | None, queries: Path, asked: dict[str, str],
                  stored: dict[str, str], log: Path) -> dict[str, Any]:
    """`kinlink match --input`: first a few queries (the index is built then), then all."""
    env = _env(home, url)
    warm = queries.with_name(f"warm_{queries.name}")
    with queries.open() as f:
        warm.write_text("".join(line for _, line in zip(range(WARM_QUERIES + 1), f,
                                                         strict=False)))
    build = run_command([KINLINK, "match", "--input", str(warm), "--out",
                         str(home / "warm.csv")], env, log)
    # The index is built by a store's first match only: a later run reports that build.
    built = home / "index_built.json"
    if "Indexed" in build["output"] or not built.exists():
        built.write_text(json.dumps({k: build[k] for k in ("seconds", "peak_mb")}))
    build = json.loads(built.read_text())
    out = home / "matches.csv"
    ran = run_command([KINLINK, "match", "--input", str(queries), "--out", str(out)], env, log)
    found = LATENCY.search(" ".join(ran["output"].split()))
    if not found:
        raise RuntimeError(f"no latency in the output of kinlink match: {ran['output'][-500:]}")
    p50, p95, p99 = (float(x) for x in found.groups())
    return {"index_build_seconds": build["seconds"], "index_build_peak_mb": build["peak_mb"],
            "match_seconds": ran["seconds"], "match_peak_mb": ran["peak_mb"],
            "p50_ms": p50, "p95_ms": p95, "p99_ms": p99,
            **top1(out, queries, asked, stored)}


def top1(out: Path, queries: Path, asked: dict[str, str],
         stored: dict[str, str]) -> dict[str, Any]:
    """Share of queries whose best candidate is a record of their true person, with and
    without a date of birth."""
    best: dict[str, str] = {}
    with out.open() as f:
        for row in csv.DictReader(f):
            best.setdefault(row["record_id"], row["candidate_uid"])
    with queries.open() as f:
        no_dob = {r["record_id"] for r in csv.DictReader(f) if not r["dob"]}
    right = {rid: stored.get(best.get(rid, "")) == person for rid, person in asked.items()}

    def share(ids: list[str]) -> float:
        return round(sum(right[i] for i in ids) / len(ids), 4) if ids else 0.0

    with_dob = [i for i in right if i not in no_dob]
    return {"queries": len(right), "top1": share(list(right)),
            "top1_with_dob": share(with_dob), "top1_without_dob": share(sorted(no_dob & set(
                right))), "queries_without_dob": len(no_dob & set(right))}


def own_work(home: str, url: str | None, queries: str) -> dict[str, Any]:
    """The same queries through `RealtimeMatcher.match` in one process, on one connection
    as `kinlink match --input` keeps: wall and CPU milliseconds a query (CPU time is the
    query's own work, whatever the machine's load; PostgreSQL's server work is not in it),
    and the CPU time of the queries with and without a date of birth apart."""
    from kinlink.config import Settings
    from kinlink.linkage import load_model
    from kinlink.linkage.prepare import read_people_csv
    from kinlink.linkage.realtime import RealtimeMatcher
    from kinlink.store import open_store

    store = open_store(Settings(home=Path(home), database_url=url))
    matcher = RealtimeMatcher(store, load_model(store))
    asked = read_people_csv(Path(queries)).to_pylist()
    wall, cpu = [], []
    with store.connect() as conn:
        for query in asked[:WARM_QUERIES]:
            matcher.match(query, conn=conn)
        for query in asked:
            started, used = time.perf_counter(), time.process_time()
            matcher.match(query, top=5, conn=conn)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
    store.dispose()
    dated = [bool(q.get("dob")) for q in asked]
    return {"wall": percentiles(wall), "cpu": percentiles(cpu),
            "cpu_with_dob": percentiles([c for c, d in zip(cpu, dated, strict=True) if d]),
            "cpu_without_dob": percentiles([c for c, d in zip(cpu, dated, strict=True)
                                            if not d])}


def splink_latency(folder: str, queries: str, asked: dict[str, str],
                   stored: dict[str, str]) -> dict[str, Any]:
    """Plain Splink's `predict_between(query, every stored record)`: latency and top-1."""
    from linkage_data import _read_csv_text
    from linkage_peers import plain_splink_input, plain_splink_linker

    tables = []
    for agency in STORED:
        table = _read_csv_text(Path(folder) / agency / "people.csv")
        tables.append(table.append_column("agency", pa.array([agency] * table.num_rows)))
    every = plain_splink_input(pa.concat_tables(tables, promote_options="default"))
    sample = every.take(random.Random(1).sample(range(every.num_rows),
                                                min(SPLINK_TRAINING, every.num_rows)))
    linker = plain_splink_linker(sample)
    db_api = linker._db_api  # the linker's own connection, where the stored table must be
    right = db_api.register(every, table_name="stored")
    for column in ("first_name", "surname", "address"):
        linker.table_management.compute_tf_table(column)
    with Path(queries).open() as f:
        asked_rows = list(csv.DictReader(f))[:SPLINK_QUERIES]
    latencies, correct = [], 0
    for number, row in enumerate(asked_rows):
        one = plain_splink_input(pa.table({c: pa.array([row.get(c) or None], pa.string())
                                           for c in ("agency", "record_id", "first_name",
                                                     "surname", "dob", "sex", "postcode",
                                                     "address")}))
        started = time.perf_counter()
        left = db_api.register(one, table_name=f"query_{number}")
        found = linker.inference.predict_between(left, right, warning_mode="never")
        pairs = found.as_pyarrow_table()
        pairs = pairs.read_all() if isinstance(pairs, pa.RecordBatchReader) else pairs
        latencies.append((time.perf_counter() - started) * 1000)
        if pairs.num_rows:
            top = pairs.sort_by([("match_probability", "descending")])
            uid = next(u for u in (top["uid_l"][0].as_py(), top["uid_r"][0].as_py())
                       if not u.startswith(QUERY_AGENCY + ":"))
            correct += stored.get(uid) == asked[row["record_id"]]
    return {**percentiles(latencies), "top1": round(correct / len(asked_rows), 4),
            "stored_records": every.num_rows}


def _in_own_process(fn: Any, *args: Any) -> Any:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def _postgres_url(server: str, name: str, fresh: bool, log: Path) -> str:
    """A database of this benchmark's own on the server (created when missing)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": name}).scalar()
        if exists and fresh:
            conn.execute(text(f'DROP DATABASE "{name}"'))
            exists = False
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    with log.open("a") as out:
        out.write(f"PostgreSQL database {name}\n")
    return f"{server}/{name}"


def add_own_work(name: str, database: str, count: int) -> None:
    """Add the one-process timings to saved results (their stores are in the cache)."""
    path = RESULTS / f"{name}.json"
    saved = json.loads(path.read_text())
    for r in saved["results"]:
        folder = CACHE / f"realtime_borough_{r['records']}"
        url = f"{database}_{r['records']}" if r["backend"] == "postgres" else None
        r["own_work"] = _in_own_process(own_work, str(store_home(folder, r["backend"])), url,
                                        str(folder / f"queries_{count}.csv"))
        r["own_work"]["load"] = os.getloadavg()[0]
        print(json.dumps(r["own_work"]), flush=True)
    save(name, saved)
    (RESULTS / f"{name}.md").write_text(markdown(saved["results"]))


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["| store | stored records | ingest s | resolve s (peak MB) | index build s "
             "(peak MB) | Kinlink p50 / p95 / p99 ms | one process: wall p50 / p95 / p99 ms "
             "| CPU ms a query p50 / p95 / p99 | CPU p95 with dob / without "
             "| top-1 (with dob / without) | Splink predict_between p50 / p95 / p99 ms "
             "| Splink top-1 | load |",
             "|" + "---|" * 13]
    dash = {"p50_ms": "-", "p95_ms": "-", "p99_ms": "-"}
    for r in results:
        s = r["splink"]
        if "copied_from" in r["build"]:  # a PostgreSQL store copied from the SQLite one
            ingest, resolve = "copied", "copied"
        else:
            ingest = f"{sum(v['seconds'] for k, v in r['build'].items() if 'ingest' in k):.0f}"
            done = r["build"]["resolve"]
            resolve = f"{done['seconds']:.0f} ({done['peak_mb']:,})"
        m = r["match"]
        own = r.get("own_work", {})
        w, c = own.get("wall", dash), own.get("cpu", dash)
        split = (f"{own['cpu_with_dob']['p95_ms']} / {own['cpu_without_dob']['p95_ms']}"
                 if "cpu_with_dob" in own else "-")
        lines.append(
            f"| {r['backend']} | {s['stored_records']:,} | {ingest} | {resolve} "
            f"| {m['index_build_seconds']:.0f} ({m['index_build_peak_mb']:,}) "
            f"| {m['p50_ms']} / {m['p95_ms']} / {m['p99_ms']} "
            f"| {w['p50_ms']} / {w['p95_ms']} / {w['p99_ms']} "
            f"| {c['p50_ms']} / {c['p95_ms']} / {c['p99_ms']} | {split} "
            f"| {m['top1']:.3f} ({m['top1_with_dob']:.3f} / {m['top1_without_dob']:.3f}) "
            f"| {s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']} | {s['top1']:.3f} "
            f"| {r['load'][0]:.1f} to {r['load'][1]:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--backends", nargs="*", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    parser.add_argument("--postgres-server",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432",
                        help="server URL without a database name")
    parser.add_argument("--database", default="kinlink_profiles_rt",
                        help="PostgreSQL databases are named <this>_<records>")
    parser.add_argument("--fresh", action="store_true", help="rebuild the stores")
    parser.add_argument("--postgres-copies", type=int, nargs="*", default=[],
                        help="sizes whose PostgreSQL store is a copy of the SQLite store's "
                        "tables rather than ingested and resolved again (list sqlite first)")
    parser.add_argument("--splink", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--name", default="linkage_realtime_cli",
                        help="results file name under bench/results/")
    parser.add_argument("--own-work-only", action="store_true",
                        help="time the queries in one process on the stores of the saved "
                        "results, and add those figures to them")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.own_work_only:
        add_own_work(args.name, f"{args.postgres_server}/{args.database}", args.queries)
        return
    log = CACHE / "realtime_cli.log"
    results = []
    for records in args.records:
        folder = write_borough(records, log)
        queries, asked, stored = write_queries(folder, args.queries)
        splink = (_in_own_process(splink_latency, str(folder), str(queries), asked, stored)
                  if args.splink else {"p50_ms": None, "p95_ms": None, "p99_ms": None,
                                       "top1": 0.0, "stored_records": len(stored)})
        for backend in args.backends:
            # A store not fully built is started again (a PostgreSQL database too).
            rebuild = args.fresh or not (store_home(folder, backend) / "built.json").exists()
            url = (_postgres_url(args.postgres_server, f"{args.database}_{records}", rebuild,
                                 log)
                   if backend == "postgres" else None)
            load = os.getloadavg()[0]
            build = (copy_store(folder, url, log, rebuild)
                     if backend == "postgres" and records in args.postgres_copies
                     else build_store(folder, backend, url, log, rebuild))
            home = build.pop("home")
            match = match_queries(Path(home), url, queries, asked, stored, log)
            work = _in_own_process(own_work, home, url, str(queries))
            results.append({"backend": backend, "records": records, "build": build,
                            "match": match, "own_work": work, "splink": splink,
                            "load": [load, os.getloadavg()[0]]})
            print(json.dumps(results[-1]), flush=True)
    save(args.name, {"results": results})
    (RESULTS / f"{args.name}.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
