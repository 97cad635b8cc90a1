"""The demo: a synthetic borough taken through every step, with its results shown.

Generates a borough, ingests each agency's extract into a fresh store, resolves the
records into persons, builds the networks and alerts, ranks the children waiting, and
scores what was found against the borough's truth.
"""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from kinlink.config import Settings
from kinlink.core import Kinlink
from kinlink.ingest import IngestReport, ingest_extract
from kinlink.ingest.format import AGENCIES
from kinlink.linkage.evaluate import store_cluster_scores
from kinlink.linkage.resolve import resolve_store
from kinlink.network import child_network, draw_network, list_alerts, recompute_alerts
from kinlink.store import Store, open_store
from kinlink.synth import SynthConfig, generate
from kinlink.timeliness import build_queue, load_config, timeliness_report
from kinlink.timeliness.charts import write_charts

DEFAULT_PEOPLE = 220_000  # about Solihull's population
DEMO_USER = "demo"
WEB_ADDRESS = "http://127.0.0.1:8000/"


@dataclass
class DemoResult:
    """Where the demo put things and what it measured."""

    folder: Path
    figures: dict[str, Any] = field(default_factory=dict)
    pictures: list[Path] = field(default_factory=list)


def _fresh_store(folder: Path) -> Store:
    """A new SQLite store in `folder`, replacing the one an earlier demo left there."""
    for old in folder.glob("kinlink.db*"):
        old.unlink()
    return open_store(Settings(home=folder))


def _timed(console: Console, title: str, work: Callable[[], Any]) -> Any:
    console.rule(f"[bold]{title}")
    started = time.perf_counter()
    result = work()
    console.print(f"[dim]{title}: {time.perf_counter() - started:.1f} s[/]")
    return result


def run_demo(folder: Path, *, people: int = DEFAULT_PEOPLE, seed: int = 1,
             console: Console | None = None) -> DemoResult:
    """Run every step on a new borough of `people` persons in `folder`."""
    console = console or Console()
    folder.mkdir(parents=True, exist_ok=True)
    borough = folder / "borough"
    shutil.rmtree(borough, ignore_errors=True)
    result = DemoResult(folder)
    config = SynthConfig()
    as_of = config.as_of
    _timed(console, f"Generating a synthetic borough of {people:,} people",
           lambda: generate(borough, people=people, seed=seed, config=config, progress=True))
    store = _fresh_store(folder)
    for agency in AGENCIES:
        report: IngestReport = _timed(
            console, f"Ingesting {agency}",
            partial(ingest_extract, store, borough / agency, agency, progress=True))
        result.figures[f"ingested_{agency}"] = report.total("new")
    resolution = _timed(console, "Resolving identities",
                        lambda: resolve_store(store, progress=True))
    _show(console, "Resolution", resolution.summary())
    alerts = _timed(console, "Building networks and alerts",
                    lambda: recompute_alerts(store, as_of=as_of, progress=True))
    result.figures.update(_score(store, borough, console))
    result.figures["alerts"] = alerts
    _show_queue(console, store, as_of)
    result.pictures += _timeliness_charts(store, as_of, folder / "charts")
    result.pictures += _example_network(store, as_of, folder / "charts")
    console.rule("[bold]Where to look")
    for path in result.pictures:
        console.print(f"  {path}")
    console.print(f"  store: {store.safe_url}   (KINLINK_HOME={folder} kinlink ...)")
    result.figures["web_user"] = _timed(console, "Indexing for search and adding a demo user",
                                        lambda: _web_access(folder))
    console.rule("[bold]The web app")
    console.print(f"  KINLINK_HOME={folder} kinlink serve   (scripts/demo.sh starts it)")
    console.print(f"  then open {WEB_ADDRESS} and sign in as {DEMO_USER} with the password "
                  f"{result.figures['web_user']['password']}")
    return result


def _web_access(folder: Path) -> dict[str, str]:
    """Index the records for search and live matching and add a MASH analyst to sign in
    as, through the core (as the command line's administrator); returns their sign-in."""
    password = secrets.token_urlsafe(12)
    with Kinlink.open(Settings(home=folder)) as kl:
        admin = kl.auth.cli_actor()
        kl.resolution.index(admin)
        kl.users.add(admin, DEMO_USER, role="mash-analyst", password=password)
    return {"username": DEMO_USER, "password": password}


def _show(console: Console, title: str, rows: list[tuple[str, str]]) -> None:
    table = Table(title=title, show_header=False)
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def _score(store: Store, borough: Path, console: Console) -> dict[str, Any]:
    """Resolution scores against the borough's truth."""
    truth = pl.read_csv(borough / "truth" / "records.csv", infer_schema=False)
    scores = store_cluster_scores(store, truth.select("agency", "record_id", "person_id"))
    _show(console, "Persons against the truth",
          [(k, f"{v:,}" if isinstance(v, int) else f"{v:.3f}") for k, v in scores.items()])
    return scores


def _show_queue(console: Console, store: Store, as_of: date) -> None:
    queue = build_queue(store, as_of=as_of)
    table = Table(title=f"Children waiting, riskiest and longest first ({len(queue):,} in all)")
    for column in ("rank", "child", "team", "waiting for", "working days", "due", "risk"):
        table.add_column(column)
    for item in queue[:10]:
        due = item.clock.due_at.date().isoformat() if item.clock.due_at else ""
        table.add_row(str(item.rank), item.child_key, item.team or "", item.clock.label,
                      str(item.waited_days), due, item.risk.level)
    console.print(table)


def _timeliness_charts(store: Store, as_of: date, folder: Path) -> list[Path]:
    config = load_config()
    report = timeliness_report(store, date_from=date(as_of.year - 2, as_of.month, 1),
                               date_to=as_of, by="month", as_of=as_of, config=config)
    return write_charts(report, config, folder)


def _example_network(store: Store, as_of: date, folder: Path) -> list[Path]:
    """The network picture of the child with an open unlinked-risk alert, if any."""
    alerts = list_alerts(store, type="unlinked-risk", status="open", limit=1)
    if not alerts:
        return []
    child = alerts[0].person_id
    return [draw_network(child_network(store, child, as_of=as_of),
                         folder / f"network-{child}.png")]
