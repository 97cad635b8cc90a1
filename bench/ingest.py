"""Benchmark: ingest a large synthetic extract into SQLite and PostgreSQL.

Generates N people rows (default 1M) and the other tables at ratios like a police
extract's, as CSV in a temporary folder, with about 0.5% deliberately bad rows. Each
ingest runs in a fresh process so its peak memory (ru_maxrss) is its own. Prints and
saves rows per second and peak memory to bench/results/ingest.json and ingest.md.

    nice -n 10 .venv/bin/python bench/ingest.py --people 1000000
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import resource
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import typer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

RESULTS = Path(__file__).parent / "results"
RATIOS = {"addresses": 1.5, "relationships": 1.2, "risk_markers": 0.2, "incidents": 0.1,
          "incident_people": 0.25, "referrals": 0.08}
"""Rows per person row in each other table."""
BAD_SHARE = 0.005

FIRST = ["Olivia", "Amelia", "Isla", "Ava", "Mia", "Noah", "Oliver", "George", "Leo", "Arthur",
         "Jade", "Dean", "Kyle", "Samira", "Amira", "Tyler", "Chloe", "Connor", "Priya", "Jack"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
            "Patel", "Carter", "Walsh", "Hussain", "Khan", "Price", "Holt", "Brennan"]
STREETS = ["Larch Walk", "Quarry Road", "Beacon Street", "Ferry Lane", "Mill House", "High Street"]
CHECK_PNC = np.array(list("ZABCDEFGHJKLMNPQRTUVWXY"))


def _pick(rng: np.random.Generator, values: list[str], n: int) -> np.ndarray:
    return np.asarray(values)[rng.integers(0, len(values), n)]


def _dates(rng: np.random.Generator, n: int, start: str, end: str) -> pl.Series:
    lo, hi = np.datetime64(start), np.datetime64(end)
    days = rng.integers(0, int((hi - lo).astype(int)), n)
    return pl.Series((lo + days.astype("timedelta64[D]")).astype(str))


def _nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Valid NHS numbers in the 999 test range (blank where the check digit would be 10)."""
    digits = np.concatenate([np.full((n, 3), 9), rng.integers(0, 10, (n, 6))], axis=1)
    check = 11 - (digits * np.arange(10, 1, -1)).sum(axis=1) % 11
    check[check == 11] = 0
    text = np.array(["".join(map(str, row)) for row in digits]) + check.astype(str)
    return np.where(check == 10, "", text)


def _pnc_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    years = rng.integers(1995, 2024, n)
    serials = rng.integers(1, 9_999_999, n)
    letters = CHECK_PNC[((years % 100) * 10_000_000 + serials) % 23]
    return np.char.add(np.char.add(np.char.add(years.astype(str), "/"),
                                   np.char.zfill(serials.astype(str), 7)), letters)


def _spoil(rng: np.random.Generator, column: pl.Series, bad: str) -> pl.Series:
    """Replace about BAD_SHARE of a column's values with a bad one."""
    mask = rng.random(len(column)) < BAD_SHARE
    return pl.Series(column.name, np.where(mask, bad, column.to_numpy()))


def generate(folder: Path, people: int, seed: int = 2) -> dict[str, int]:
    """Write a synthetic police extract of `people` person rows; returns rows per table."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("P", np.char.zfill(np.arange(people).astype(str), 8))
    postcodes = np.char.add(np.char.add(_pick(rng, ["KL1", "KL2", "KL3", "KL4", "KL5"], people),
                                        " "), _pick(rng, ["1AA", "7RT", "9DS", "5PQ"], people))
    has_nhs, has_pnc = rng.random(people) < 0.6, rng.random(people) < 0.15
    frame = pl.DataFrame({
        "record_id": ids,
        "first_name": _pick(rng, FIRST, people),
        "surname": _pick(rng, SURNAMES, people),
        "dob": _spoil(rng, _dates(rng, people, "1935-01-01", "2024-12-31"), "2099-01-01"),
        "sex": _pick(rng, ["F", "M", "U"], people),
        "address": np.char.add(rng.integers(1, 200, people).astype(str),
                               np.char.add(" ", _pick(rng, STREETS, people))),
        "postcode": postcodes,
        "nhs_number": np.where(has_nhs, _nhs_numbers(rng, people), ""),
        "pnc_id": np.where(has_pnc, _pnc_ids(rng, people), ""),
        "recorded_at": _dates(rng, people, "2015-01-01", "2024-12-31"),
    })
    frame.write_csv(folder / "people.csv")
    counts = {"people": people}
    for table, ratio in RATIOS.items():
        n = int(people * ratio)
        who = pl.Series(ids[rng.integers(0, people, n)])
        other = pl.Series(ids[rng.integers(0, people, n)])
        extra = _extra_columns(rng, table, n, other)
        pl.DataFrame({"record_id": who} | extra if table != "incidents" else extra).write_csv(
            folder / f"{table}.csv")
        counts[table] = n
    return counts


def _extra_columns(rng: np.random.Generator, table: str, n: int,
                   other: pl.Series) -> dict[str, Any]:
    serial = pl.Series(np.char.add("I", np.arange(n).astype(str)))
    incidents = int(n / RATIOS["incident_people"] * RATIOS["incidents"]) or 1
    return {
        "addresses": lambda: {"address": _pick(rng, STREETS, n),
                              "postcode": _spoil(rng, pl.Series(_pick(rng, ["KL1 1AA", "KL4 7RT"],
                                                                       n)), "NOT A PC"),
                              "from_date": _dates(rng, n, "2000-01-01", "2024-01-01")},
        "relationships": lambda: {"related_record_id": other,
                                  "type": _spoil(rng, pl.Series(_pick(rng, ["parent", "sibling",
                                                                            "partner"], n)),
                                                 "cousin")},
        "risk_markers": lambda: {"marker": _pick(rng, ["violence", "drug-misuse", "weapons"], n),
                                 "start_date": _dates(rng, n, "2010-01-01", "2024-12-31")},
        "incidents": lambda: {"incident_id": serial,
                              "occurred_at": _dates(rng, n, "2015-01-01", "2024-12-31"),
                              "type": _pick(rng, ["domestic-abuse", "violence", "other"], n),
                              "summary": _pick(rng, ["Officers attended.", "Call from a neighbour,"
                                                     " shouting heard."], n)},
        "incident_people": lambda: {
            "incident_id": np.char.add("I", rng.integers(0, incidents, n).astype(str)),
            "role": _pick(rng, ["victim", "suspect", "witness", "child-present"], n)},
        "referrals": lambda: {"referral_id": np.char.add("R", np.arange(n).astype(str)),
                              "referral_date": _dates(rng, n, "2018-01-01", "2024-12-31"),
                              "primary_need": _pick(rng, ["N1", "N2", "N3"], n)},
    }[table]()


def _child(url: str, folder: str, queue: Any) -> None:
    """Ingest the extract into `url` in this fresh process; report times and peak memory."""
    from kinlink.ingest import ingest_extract
    from kinlink.store import Store

    store = Store(url)
    store.upgrade()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    first = ingest_extract(store, folder, "police")
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = ingest_extract(store, folder, "police")
    again_seconds = time.perf_counter() - started
    store.dispose()
    queue.put({
        "seconds": round(first_seconds, 1),
        "people_seconds": next(f.seconds for f in first.files if f.table == "people"),
        "files": [vars(f) for f in first.files],
        "rows_read": first.total("read"),
        "rows_stored": first.total("new"),
        "rows_quarantined": first.total("quarantined"),
        "reingest_seconds": round(again_seconds, 1),
        "reingest_stored": again.total("new") + again.total("changed"),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_before_ingest_mb": round(base / 1024),
    })


def _run(url: str, folder: Path) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(url, str(folder), queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def _postgres_database(server_url: str) -> tuple[str, Any]:
    """A throwaway database on the server, and a function that drops it."""
    server = make_url(server_url)
    name = f"kinlink_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def main(
    people: int = typer.Option(1_000_000, "--people", help="Person rows to generate."),
    postgres_url: str = typer.Option("postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                                     "--postgres-url", help="A PostgreSQL server where we may "
                                     "create a database ('' to skip PostgreSQL)."),
    sqlite: bool = typer.Option(True, "--sqlite/--no-sqlite", help="Run on SQLite."),
) -> None:
    """Generate an extract of PEOPLE person rows and time its ingest on each store."""
    results: dict[str, Any] = {"people": people, "machine": f"{platform.machine()}, "
                               f"{multiprocessing.cpu_count()} cores",
                               "when": datetime.now().isoformat(timespec="seconds"),
                               # The machine is shared: a load above the core count slows us.
                               "load_average_at_start": round(os.getloadavg()[0], 1)}
    with tempfile.TemporaryDirectory(prefix="kinlink-bench-") as tmp:
        folder = Path(tmp) / "police"
        folder.mkdir()
        started = time.perf_counter()
        results["rows"] = generate(folder, people)
        print(f"generated {sum(results['rows'].values()):,} rows in "
              f"{time.perf_counter() - started:.0f} s")
        if sqlite:
            results["sqlite"] = _run(f"sqlite:///{Path(tmp) / 'bench.db'}", folder)
            _print("sqlite", results["sqlite"], people)
        if postgres_url:
            url, drop = _postgres_database(postgres_url)
            try:
                results["postgres"] = _run(url, folder)
            finally:
                drop()
            _print("postgres", results["postgres"], people)
    _save(results)


def _print(backend: str, r: dict[str, Any], people: int) -> None:
    print(f"{backend}: people {people:,} rows in {r['people_seconds']:.1f} s "
          f"({people / r['people_seconds']:,.0f} rows/s); whole extract {r['rows_read']:,} rows "
          f"in {r['seconds']:.1f} s ({r['rows_read'] / r['seconds']:,.0f} rows/s); "
          f"peak RSS {r['peak_rss_mb']:,} MB; re-ingest {r['reingest_seconds']:.1f} s "
          f"storing {r['reingest_stored']} rows")


def _save(results: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"# Ingest benchmark ({results['when']}, {results['machine']}, load average "
             f"{results['load_average_at_start']} at start)", "",
             f"Synthetic police extract: {results['people']:,} people rows, "
             f"{sum(results['rows'].values()):,} rows in all, ~{BAD_SHARE:.1%} bad values.", "",
             "| store | people rows/s | people s | extract rows/s | extract s | peak RSS MB "
             "| re-ingest s |", "|---|---|---|---|---|---|---|"]
    for backend in ("sqlite", "postgres"):
        if backend in results:
            r = results[backend]
            lines.append(f"| {backend} | {results['people'] / r['people_seconds']:,.0f} | "
                         f"{r['people_seconds']:.1f} | {r['rows_read'] / r['seconds']:,.0f} | "
                         f"{r['seconds']:.1f} | {r['peak_rss_mb']:,} | "
                         f"{r['reingest_seconds']:.1f} |")
    (RESULTS / "ingest.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    typer.run(main)
