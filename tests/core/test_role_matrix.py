"""Every core capability called as every role: allowed or refused, on SQLite and PostgreSQL.

The expected matrix is written out here on its own, not read from `permissions.MATRIX`, so
a change of policy has to be made in both places on purpose. "Allowed" means the gate let
the call through (it may still fail on its input, e.g. an unknown engine, which keeps the
heavy jobs quick); "refused" means `Forbidden`, and a `refused` entry in the audit log.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kinlink.core import Actor, Forbidden, Kinlink, Role
from kinlink.errors import KinlinkError
from kinlink.linkage.search import PersonQuery
from kinlink.network import build_network, list_alerts, recompute_alerts

from ..network.conftest import DATA, ingest_borough, resolve_as
from .conftest import ADMIN, AUDITOR

AS_OF = date(2026, 11, 1)
ACTORS = {
    "PO": Actor("po", Role.POLICE_OFFICER, agency="police"),
    "SW": Actor("sw", Role.SOCIAL_WORKER, agency="social-care"),
    "MA": Actor("ma", Role.MASH_ANALYST),
    "TM": Actor("tm", Role.TEAM_MANAGER),
    "DQ": Actor("dq", Role.DATA_QUALITY_OFFICER, agency="police"),
    "AU": Actor("au", Role.AUDITOR),
    "AD": Actor("ad", Role.ADMINISTRATOR),
}
ALL = "PO SW MA TM DQ AU AD"
FRONT_LINE = "PO SW MA TM AD"

Call = Callable[[Kinlink, Actor, dict[str, Any]], Any]

# (name, call, roles allowed)
CALLS: list[tuple[str, Call, str]] = [
    ("persons.search", lambda kl, a, c: kl.persons.search(a, PersonQuery(
        first_name="Amy", surname="Clarke")), "PO SW MA TM DQ AD"),
    ("persons.detail", lambda kl, a, c: kl.persons.detail(a, "P0000001", as_of=AS_OF),
     "PO SW MA TM DQ AD"),
    ("network.child", lambda kl, a, c: kl.network.child(a, "P0000001", as_of=AS_OF), FRONT_LINE),
    ("network.status", lambda kl, a, c: kl.network.status(a), ALL),
    ("network.rebuild", lambda kl, a, c: kl.network.rebuild(a, as_of=AS_OF), "MA DQ AD"),
    ("alerts.list", lambda kl, a, c: kl.alerts.list(a), FRONT_LINE),
    ("alerts.inbox", lambda kl, a, c: kl.alerts.inbox(a), FRONT_LINE),
    ("alerts.get", lambda kl, a, c: kl.alerts.get(a, c["alert"]), FRONT_LINE),
    ("alerts.change", lambda kl, a, c: kl.alerts.change(a, c["alert"], "acknowledged",
                                                        reason="seen"), FRONT_LINE),
    ("alerts.prompts", lambda kl, a, c: kl.alerts.prompts(a), FRONT_LINE),
    ("alerts.review_prompt", lambda kl, a, c: kl.alerts.review_prompt(
        a, c["alert"], "decision-stands", reason="looked again"), FRONT_LINE),
    ("chronology.child", lambda kl, a, c: kl.chronology.child(a, "P0000001", as_of=AS_OF),
     FRONT_LINE),
    ("review.list", lambda kl, a, c: kl.review.list(a), "MA DQ AD"),
    ("review.get", lambda kl, a, c: kl.review.get(a, 1), "MA DQ AD"),
    ("review.history", lambda kl, a, c: kl.review.history(a, "police:P1", "health:H1"),
     "MA DQ AD"),
    ("review.decide", lambda kl, a, c: kl.review.decide(a, "police:P1", "police:P6", "unsure",
                                                        reason="check"), "MA DQ AD"),
    ("review.undo", lambda kl, a, c: kl.review.undo(a, "police:P1", "police:P6"), "MA DQ AD"),
    ("review.compare", lambda kl, a, c: kl.review.compare(a, 1), "MA DQ AD"),
    ("resolution.run", lambda kl, a, c: kl.resolution.run(a, engine="excel"), "MA DQ AD"),
    ("resolution.run_file", lambda kl, a, c: kl.resolution.run_file(
        a, c["tmp"] / "people.csv", c["tmp"] / "out.csv", engine="excel"), "MA DQ AD"),
    ("resolution.train", lambda kl, a, c: kl.resolution.train(a, engine="excel"), "DQ AD"),
    ("resolution.index", lambda kl, a, c: kl.resolution.index(a), "MA DQ AD"),
    ("resolution.match", lambda kl, a, c: kl.resolution.match(a, {"surname": "Clarke"}),
     "PO SW MA TM DQ AD"),
    ("resolution.match_file", lambda kl, a, c: kl.resolution.match_file(
        a, c["tmp"] / "people.csv"), "PO SW MA TM DQ AD"),
    ("ingest.load", lambda kl, a, c: kl.ingest.load(a, DATA / "police", "police"), "DQ AD"),
    ("ingest.record", lambda kl, a, c: kl.ingest.record(a, "police", {
        "first_name": "Amy", "surname": "Clarke", "dob": "2015-01-01"}), "PO MA TM DQ AD"),
    ("ingest.quarantine", lambda kl, a, c: kl.ingest.quarantine(a), "MA DQ AD"),
    ("ingest.status", lambda kl, a, c: kl.ingest.status(a), ALL),
    ("timeliness.queue", lambda kl, a, c: kl.timeliness.queue(a, as_of=AS_OF), "SW MA TM AD"),
    ("timeliness.report", lambda kl, a, c: kl.timeliness.report(a, as_of=AS_OF),
     "SW MA TM DQ AD"),
    ("timeliness.clocks", lambda kl, a, c: kl.timeliness.clocks(a), ALL),
    ("timeliness.record", lambda kl, a, c: kl.timeliness.record(a, as_of=AS_OF), "MA DQ AD"),
    ("quality.findings", lambda kl, a, c: kl.quality.findings(a), "MA TM DQ AD"),
    ("quality.run", lambda kl, a, c: kl.quality.run(a, as_of=AS_OF, reuse=True), "MA DQ AD"),
    ("quality.latest_run", lambda kl, a, c: kl.quality.latest_run(a), "MA TM DQ AD"),
    ("quality.scores", lambda kl, a, c: kl.quality.scores(a), "MA TM DQ AD"),
    ("quality.trend", lambda kl, a, c: kl.quality.trend(a), "MA TM DQ AD"),
    ("report.produce", lambda kl, a, c: kl.report.produce(a, as_of=AS_OF), "MA TM AD"),
    ("export.links", lambda kl, a, c: kl.export.links(a, as_of=AS_OF), "MA TM AD"),
    ("export.persons", lambda kl, a, c: kl.export.persons(a), "MA TM AD"),
    ("export.prompts", lambda kl, a, c: kl.export.prompts(a), "MA TM AD"),
    ("users.list", lambda kl, a, c: kl.users.list(a), "AU AD"),
    ("users.add", lambda kl, a, c: kl.users.add(a, f"new.{a.username}", role="auditor"), "AD"),
    ("users.issue_token", lambda kl, a, c: kl.users.issue_token(a, "someone"), "AD"),
    ("users.disable", lambda kl, a, c: kl.users.disable(a, "someone"), "AD"),
    ("users.restrict", lambda kl, a, c: kl.users.restrict(
        a, f"record:police:{a.username}", reason="witness"), "TM AD"),
    ("users.grant", lambda kl, a, c: kl.users.grant(a, "someone", "person:P0000002",
                                                    reason="allocated"), "TM AD"),
    ("audit.verify", lambda kl, a, c: kl.audit.verify(a), "AU AD"),
    ("audit.search", lambda kl, a, c: kl.audit.search(a), "AU"),
    ("audit.export", lambda kl, a, c: kl.audit.export(a), "AU"),
    ("db.upgrade", lambda kl, a, c: kl.db.upgrade(a), "AD"),
    ("retention.due", lambda kl, a, c: kl.retention.due(a, on=date(2040, 1, 1)), "DQ AD"),
    ("retention.reverse", lambda kl, a, c: kl.retention.reverse(a, 1, reason="test"),
     "MA DQ AD"),
    ("retention.erase", lambda kl, a, c: kl.retention.erase(a, "police", "P6", reason="test"),
     "DQ AD"),
]


@pytest.fixture
def borough(kl: Kinlink, tmp_path: Path) -> dict[str, Any]:
    """The small network borough, resolved, its network and alerts built; a user."""
    ingest_borough(kl.store)
    resolve_as(kl.store)
    build_network(kl.store)
    recompute_alerts(kl.store, as_of=AS_OF)
    kl.users.add(ADMIN, "someone", role="mash-analyst")
    (tmp_path / "people.csv").write_text("record_id,first_name,surname\nq1,Amy,Clarke\n")
    return {"alert": list_alerts(kl.store)[0].id, "tmp": tmp_path}


def _outcome(kl: Kinlink, actor: Actor, call: Call, context: dict[str, Any]) -> str:
    try:
        call(kl, actor, context)
    except Forbidden:
        return "refused"
    except KinlinkError:
        return "allowed"  # through the gate, then refused by the input or the data
    return "allowed"


def test_every_capability_as_every_role(kl: Kinlink, borough: dict[str, Any]) -> None:
    wrong = []
    for name, call, roles in CALLS:
        for code, actor in ACTORS.items():
            expected = "allowed" if code in roles.split() else "refused"
            got = _outcome(kl, actor, call, borough)
            if got != expected:
                wrong.append(f"{name} as {code}: {got}, expected {expected}")
    assert wrong == []
    # Every call left its trace: one entry at least per call and role, the refusals marked.
    refused = kl.audit.search(AUDITOR, limit=None)
    assert sum(1 for e in refused if e.outcome == "refused") == sum(
        len(ACTORS) - len(roles.split()) for _, _, roles in CALLS)
    assert kl.audit.verify(AUDITOR).ok


def test_every_capability_method_is_in_the_matrix(kl: Kinlink) -> None:
    """A new public method without a row here fails this test."""
    offered = {f"{area}.{name}" for area in ("persons", "network", "alerts", "chronology",
                                             "review", "resolution", "ingest", "timeliness",
                                             "quality", "report", "export", "users", "audit",
                                             "db", "retention")
               for name, value in vars(type(getattr(kl, area))).items()
               if not name.startswith("_") and inspect.isfunction(value)}
    # Not actions: what a capability offers its adapters without touching records.
    helpers = {"timeliness.config", "resolution.matcher", "network.require_built",
               "network.visible_to", "db.is_current"}
    assert offered - helpers == {name for name, _, _ in CALLS}
