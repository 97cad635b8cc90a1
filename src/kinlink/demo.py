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
from kinlink.core import Actor, Kinlink
from kinlink.core.auth import CLI_ADMIN
from kinlink.ingest import IngestReport
from kinlink.ingest.format import AGENCIES
from kinlink.linkage.evaluate import store_cluster_scores
from kinlink.network import draw_network
from kinlink.store import Store
from kinlink.synth import SynthConfig, generate
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


def _fresh_core(folder: Path) -> Kinlink:
    """The core on a new SQLite store in `folder` (replacing the one an earlier demo left
    there), upgraded as `kinlink db upgrade` would."""
    for old in folder.glob("kinlink.db*"):
        old.unlink()
    kl = Kinlink.open(Settings(home=folder), check_schema=False,
                      progress=lambda _: None)  # the steps are shown by `_timed`; bars too
    kl.db.upgrade(CLI_ADMIN)
    return kl


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
    kl, actor = _fresh_core(folder), CLI_ADMIN
    for agency in AGENCIES:
        report: IngestReport = _timed(console, f"Ingesting {agency}",
                                      partial(kl.ingest.load, actor, borough / agency, agency))
        result.figures[f"ingested_{agency}"] = report.total("new")
    resolution = _timed(console, "Resolving identities", lambda: kl.resolution.run(actor))
    _show(console, "Resolution", resolution.summary())
    alerts = _timed(console, "Building networks and alerts",
                    lambda: kl.network.rebuild(actor, as_of=as_of))
    result.figures.update(_score(kl.store, borough, console))
    result.figures["alerts"] = alerts
    _show_queue(console, kl, actor, as_of)
    result.pictures += _timeliness_charts(kl, actor, as_of, folder / "charts")
    result.pictures += _example_network(kl, actor, as_of, folder / "charts")
    console.rule("[bold]Where to look")
    for path in result.pictures:
        console.print(f"  {path}")
    console.print(f"  store: {kl.store.safe_url}   (KINLINK_HOME={folder} kinlink ...)")
    result.figures["web_user"] = _timed(console, "Indexing for search and adding a demo user",
                                        lambda: _web_access(kl, actor))
    kl.close()
    console.rule("[bold]The web app")
    console.print(f"  KINLINK_HOME={folder} kinlink serve   (scripts/demo.sh starts it)")
    console.print(f"  then open {WEB_ADDRESS} and sign in as {DEMO_USER} with the password "
                  f"{result.figures['web_user']['password']}")
    return result


def _web_access(kl: Kinlink, actor: Actor) -> dict[str, str]:
    """Index the records for search and live matching and add a MASH analyst to sign in
    as, through the core; returns their sign-in."""
    password = secrets.token_urlsafe(12)
    kl.resolution.index(actor)
    kl.users.add(actor, DEMO_USER, role="mash-analyst", password=password)
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


def _show_queue(console: Console, kl: Kinlink, actor: Actor, as_of: date) -> None:
    items = kl.timeliness.queue(actor, as_of=as_of).items
    queue = [i for i in items if not i.not_recorded]
    table = Table(title=f"Children waiting, riskiest and longest first ({len(queue):,} in all; "
                        f"{len(items) - len(queue):,} more probably not recorded, set apart)")
    for column in ("rank", "child", "team", "waiting for", "working days", "due", "risk"):
        table.add_column(column)
    for item in queue[:10]:
        due = item.clock.due_at.date().isoformat() if item.clock.due_at else ""
        table.add_row(str(item.rank), item.child_key, item.team or "", item.clock.label,
                      str(item.waited_days), due, item.risk.level)
    console.print(table)


def _timeliness_charts(kl: Kinlink, actor: Actor, as_of: date, folder: Path) -> list[Path]:
    report = kl.timeliness.report(actor, date_from=date(as_of.year - 2, as_of.month, 1),
                                  date_to=as_of, by="month", as_of=as_of)
    return write_charts(report, kl.timeliness.config(), folder)


def _example_network(kl: Kinlink, actor: Actor, as_of: date, folder: Path) -> list[Path]:
    """The network picture of the child with an open unlinked-risk alert, if any."""
    alerts = kl.alerts.list(actor, type="unlinked-risk", status="open", limit=1)
    if not alerts:
        return []
    child = alerts[0].person_id
    return [draw_network(kl.network.child(actor, child, as_of=as_of).network,
                         folder / f"network-{child}.png")]
