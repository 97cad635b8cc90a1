"""`kl.quality` through the core: who may run the rules and read the scores, agency scope,
and every call in the audit log."""

from __future__ import annotations

import pytest

from kinlink.core import Actor, Forbidden, Kinlink, Role

from .conftest import ANALYST, AS_OF

DQO_POLICE = Actor("dq.police", Role.DATA_QUALITY_OFFICER, "police")


def test_a_data_role_runs_the_rules_and_it_is_logged(kl: Kinlink) -> None:
    run = kl.quality.run(ANALYST, as_of=AS_OF)
    assert kl.quality.run(ANALYST, as_of=AS_OF, reuse=True) == run
    assert kl.quality.run(ANALYST, as_of=AS_OF).id == run.id + 1  # without reuse: a new run
    entries = kl.audit_log.search(action="quality.run")
    assert [(e.kind, e.outcome) for e in entries] == [("alteration", "allowed")] * 3
    with pytest.raises(Forbidden):
        kl.quality.run(Actor("sw", Role.SOCIAL_WORKER, "social-care"), as_of=AS_OF)


def test_an_agency_scoped_officer_sees_their_agency_only(kl: Kinlink) -> None:
    kl.quality.run(ANALYST, as_of=AS_OF)
    assert {s.agency for s in kl.quality.scores(DQO_POLICE)} == {"police"}
    assert {f.agency for f in kl.quality.findings(DQO_POLICE, area="quality")} == {"police"}
    assert {p.score.agency for p in kl.quality.trend(DQO_POLICE)} == {"police"}
    with pytest.raises(Forbidden):
        kl.quality.scores(DQO_POLICE, agency="health")
    manager = Actor("tm", Role.TEAM_MANAGER, "social-care")
    south = kl.quality.scores(manager, by="team", team="South")
    assert {(s.agency, s.team) for s in south} == {("social-care", "South")}
    with pytest.raises(Forbidden):
        kl.quality.scores(Actor("pc", Role.POLICE_OFFICER, "police"))


ROLES = {
    "PO": Actor("po", Role.POLICE_OFFICER, "police"),
    "SW": Actor("sw", Role.SOCIAL_WORKER, "social-care"),
    "MA": Actor("ma", Role.MASH_ANALYST),
    "TM": Actor("tm", Role.TEAM_MANAGER),
    "DQ": Actor("dq", Role.DATA_QUALITY_OFFICER, "police"),
    "AU": Actor("au", Role.AUDITOR),
    "AD": Actor("ad", Role.ADMINISTRATOR),
}
# The rows these capabilities add to the core's role matrix (tests/core/test_role_matrix.py).
MATRIX_ROWS = [
    ("quality.run", lambda kl, a: kl.quality.run(a, as_of=AS_OF, reuse=True), "MA DQ AD"),
    ("quality.latest_run", lambda kl, a: kl.quality.latest_run(a), "MA TM DQ AD"),
    ("quality.scores", lambda kl, a: kl.quality.scores(a), "MA TM DQ AD"),
    ("quality.trend", lambda kl, a: kl.quality.trend(a), "MA TM DQ AD"),
    ("quality.findings", lambda kl, a: kl.quality.findings(a), "MA TM DQ AD"),
    ("report.produce", lambda kl, a: kl.report.produce(a, as_of=AS_OF), "MA TM AD"),
]


def test_every_role_is_allowed_or_refused_as_the_matrix_says(kl: Kinlink) -> None:
    kl.quality.run(ANALYST, as_of=AS_OF)
    wrong = []
    for name, call, roles in MATRIX_ROWS:
        for code, actor in ROLES.items():
            try:
                call(kl, actor)
                got = "allowed"
            except Forbidden:
                got = "refused"
            if got != ("allowed" if code in roles.split() else "refused"):
                wrong.append(f"{name} as {code}: {got}")
    assert wrong == []
