"""Benchmark of the web app: search and the person page under 20 concurrent clients.

Builds a synthetic borough the way a user does (`kinlink synth`, `kinlink ingest` per agency,
`kinlink resolve`, then the core's indexing and network jobs as the command line's
administrator), starts `kinlink serve` on 127.0.0.1 and a free port, signs a user in and
sends requests from `--clients` threads, each waiting for its answer before the next:

- search: GET /search with a real person's first name, surname misspelt (one letter changed)
  and year of birth, as a practitioner types it;
- person: GET /persons/{id} of a random resolved person (records, identity history, network,
  alerts, referrals and clocks).

Loopback only; bounded by `--requests` per page and `--seconds` per page, whichever comes
first. Prints p50/p95 per page and saves them to bench/results/web.json and web.md (merged by
run label). `--work` keeps the borough and store for re-runs.

    nice -n 10 .venv/bin/python bench/web.py --people 100000 --work /tmp/klweb100k
    nice -n 10 .venv/bin/python bench/web.py --people 1000000 --work /tmp/klweb1m
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import psutil
from sqlalchemy import func, select

from kinlink.config import Settings
from kinlink.core import Kinlink
from kinlink.ingest.format import AGENCIES
from kinlink.network.graph import network_status
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.source import people

RESULTS = Path(__file__).parent / "results"
KINLINK = str(Path(sys.executable).parent / "kinlink")
USER = "bench"
WARM = 60  # requests of each page to warm the workers with, before measuring


def run(*args: str, home: Path) -> None:
    """One `kinlink` command, as a user would type it."""
    print("$ kinlink", " ".join(args), flush=True)
    subprocess.run([KINLINK, *args], check=True, env={**os.environ, "KINLINK_HOME": str(home)})


def build(work: Path, people_count: int) -> dict[str, float]:
    """Synthesise, ingest, resolve, index and build the networks; seconds per step."""
    borough, home = work / "borough", work / "home"
    seconds: dict[str, float] = {}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("synth", lambda: None if (borough / "truth").is_dir() else run(
            "synth", "--people", str(people_count), "--out", str(borough), "--quiet",
            home=home)),
        ("ingest", lambda: [run("ingest", str(borough / agency), "--agency", agency,
                                home=home) for agency in AGENCIES]),
        ("resolve", lambda: run("resolve", home=home)),
        ("index and network", lambda: _index_and_network(home)),
    ]
    for name, step in steps:
        started = time.perf_counter()
        step()
        seconds[name] = round(time.perf_counter() - started, 1)
        print(f"{name}: {seconds[name]} s", flush=True)
    return seconds


def is_built(home: Path) -> bool:
    """Whether the store is ready to serve (its networks built); a store half-way through
    a build cannot be finished from here."""
    with Kinlink.open(Settings(home=home)) as kl:
        if network_status(kl.store).built_at is not None:
            return True
        if kl.ingest.status(kl.auth.cli_actor()):
            raise SystemExit(f"{home} holds a store whose build did not finish: remove it "
                             "and run again")
    return False


def _index_and_network(home: Path) -> None:
    with Kinlink.open(Settings(home=home)) as kl:
        admin = kl.auth.cli_actor()
        kl.resolution.index(admin)
        kl.network.rebuild(admin)


def add_user(home: Path) -> str:
    """A new MASH analyst to sign in as, for this run; returns "name:password"."""
    password = secrets.token_urlsafe(16)
    name = f"{USER}-{secrets.token_hex(3)}"
    with Kinlink.open(Settings(home=home)) as kl:
        kl.users.add(kl.auth.cli_actor(), name, role="mash-analyst", password=password)
    return f"{name}:{password}"


def sample(home: Path, count: int, seed: int) -> tuple[list[dict[str, str]], list[str]]:
    """Searches as typed (surname misspelt) and person ids, drawn from the store."""
    rng = random.Random(seed)
    with Kinlink.open(Settings(home=home)) as kl, kl.store.connect() as conn:
        total = conn.execute(select(func.max(people.c.id))).scalar() or 0
        ids = sorted(rng.sample(range(1, total + 1), min(count * 3, total)))
        # Any version of a record will do for a query: no need to find the newest.
        rows = conn.execute(
            select(people.c.first_name, people.c.surname, people.c.dob,
                   record_persons.c.person_id)
            .join(record_persons, (record_persons.c.agency == people.c.agency)
                  & (record_persons.c.record_id == people.c.record_id))
            .where(people.c.id.in_(ids))).all()
    usable = [r for r in rows if r.first_name and r.surname and len(r.surname) > 3]
    rng.shuffle(usable)
    searches = [{"first_name": r.first_name, "surname": _misspelt(r.surname, rng),
                 "dob": (r.dob or "")[:4]} for r in usable[:count]]
    return searches, [r.person_id for r in usable[:count]]


def _misspelt(name: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(name))
    return name[:at] + rng.choice("aeiouy".replace(name[at].lower(), "")) + name[at + 1:]


def serve(home: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [KINLINK, "serve", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, "KINLINK_HOME": str(home)})
    deadline = time.monotonic() + 300  # workers import the whole app: slow on a busy machine
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/sign-in", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("kinlink serve did not start")


def sign_in(base: str, credentials: str) -> httpx.Cookies:
    username, password = credentials.split(":", 1)
    with httpx.Client(base_url=base) as client:
        form = client.get("/sign-in").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]  # type: ignore[index]
        answer = client.post("/sign-in", data={"username": username, "password": password,
                                               "csrf_token": token})
        if answer.status_code != 303:
            raise SystemExit(f"sign-in refused: {answer.status_code}")
        return client.cookies


def cpu_seconds(process: psutil.Process, *, children: bool = True) -> float:
    """User and system CPU seconds of a process (and all its children) so far."""
    total = 0.0
    for p in [process, *(process.children(recursive=True) if children else [])]:
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def load(base: str, cookies: httpx.Cookies, paths: list[str], *, clients: int,
         seconds: float, server: psutil.Process | None = None) -> dict[str, Any]:
    """Send the paths from `clients` threads (each one request at a time) until all are
    sent or `seconds` pass; latency of each answer in ms, and the CPU time the server (its
    workers) and these clients spent per answer."""
    me = psutil.Process()
    cpu_before = (cpu_seconds(server) if server else 0.0, cpu_seconds(me, children=False))
    latencies: list[float] = []
    errors: list[int] = []
    queue = list(reversed(paths))
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    host, port = base.removeprefix("http://").split(":")
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}

    def client() -> None:
        # The standard library's client, one kept-alive connection per client: it spends a
        # third of httpx's CPU per answer, on the same two cores as the server.
        http = HTTPConnection(host, int(port), timeout=30)
        try:
            while time.monotonic() < stop:
                with lock:
                    if not queue:
                        return
                    path = queue.pop()
                started = time.perf_counter()
                http.request("GET", path, headers=headers)
                answer = http.getresponse()
                answer.read()
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    (latencies if answer.status == 200 else errors).append(
                        elapsed if answer.status == 200 else answer.status)
        finally:
            http.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    served = (cpu_seconds(server) - cpu_before[0]) if server else 0.0
    sent = cpu_seconds(me, children=False) - cpu_before[1]
    answered = max(len(latencies), 1)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"requests": len(latencies), "errors": len(errors), "seconds": round(wall, 1),
            "per_second": round(len(latencies) / wall, 1), "p50_ms": round(cuts[49], 1),
            "p95_ms": round(cuts[94], 1), "max_ms": round(max(latencies, default=0), 1),
            "server_cpu_ms": round(served / answered * 1000, 1),
            "client_cpu_ms": round(sent / answered * 1000, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--work", type=Path, required=True,
                        help="folder for the borough and store (kept for re-runs)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000, help="per page")
    parser.add_argument("--seconds", type=float, default=90, help="at most, per page")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pages", nargs="+", choices=("search", "person"),
                        default=["search", "person"], help="the pages to measure")
    parser.add_argument("--note", default="", help="said of the store in the run's label")
    args = parser.parse_args()
    home = args.work / "home"
    run("db", "upgrade", home=home)  # a no-op on a current store, as after any upgrade
    built = {} if is_built(home) else build(args.work, args.people)
    credentials = add_user(home)
    searches, persons = sample(home, args.requests + WARM, args.seed)
    load_before = round(psutil.getloadavg()[0], 1)
    port = free_port()
    server = serve(home, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        cookies = sign_in(base, credentials)
        # Warm each worker as a running service is (its matcher loaded, pages cached),
        # on samples not measured after.
        warm = ([f"/persons/{p}" for p in persons[args.requests:]] if "person" in args.pages
                else []) + (["/search?" + urlencode(s) for s in searches[args.requests:]]
                            if "search" in args.pages else [])
        load(base, cookies, warm, clients=args.clients, seconds=60)
        process = psutil.Process(server.pid)
        paths = {"search": ["/search?" + urlencode(s) for s in searches[:args.requests]],
                 "person": [f"/persons/{p}" for p in persons[:args.requests]]}
        pages = {page: load(base, cookies, paths[page], clients=args.clients,
                            seconds=args.seconds, server=process) for page in args.pages}
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {"people": args.people, "clients": args.clients, "workers": args.workers,
              "store": "sqlite", "build_seconds": built, "pages": pages,
              "load_before": load_before, "load": round(psutil.getloadavg()[0], 1)}
    print(json.dumps(result, indent=2))
    note = f" ({args.note})" if args.note else ""
    save(f"{args.people:,} people{note}, {args.clients} clients", result)


def save(label: str, result: dict[str, Any]) -> None:
    path = RESULTS / "web.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[label] = result
    path.write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# Web benchmark", "",
             "`bench/web.py`: `kinlink serve` on 127.0.0.1 over a synthetic borough built with "
             "`kinlink synth`, `ingest`, `resolve` (then indexed and the networks built); "
             "concurrent clients each send one request at a time. search = GET /search with "
             "a misspelt surname; person = GET /persons/{id}. Target: p95 at most 150 ms. "
             "CPU ms per answer: user + system CPU time of the server's processes (and of the "
             "clients' process) over the answers. load = 1-minute load average of the shared "
             "2-core machine before and after the run.", "",
             "| run | workers | page | requests | errors | per s | p50 ms | p95 ms | max ms "
             "| server CPU ms per answer | client CPU ms per answer | load before / after |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        for page, f in r["pages"].items():
            lines.append(f"| {name} | {r['workers']} | {page} | {f['requests']} | "
                         f"{f['errors']} | {f['per_second']} | {f['p50_ms']} | {f['p95_ms']} "
                         f"| {f['max_ms']} | {f.get('server_cpu_ms', '')} "
                         f"| {f.get('client_cpu_ms', '')} "
                         f"| {r.get('load_before', '')} / {r['load']} |")
    (RESULTS / "web.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
