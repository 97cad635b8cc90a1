"""The chronology and the prompts through the core: authorised, logged, filtered by basis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from kinlink.config import Settings
from kinlink.core import Actor, FixedClock, Forbidden, Kinlink, Role
from kinlink.network import recompute_alerts
from kinlink.store import Store

from .conftest import AMY, AS_OF

AUDITOR = Actor("ann.auditor", Role.AUDITOR)
MANAGER = Actor("tm.jones", Role.TEAM_MANAGER)
OFFICER = Actor("pc.lee", Role.POLICE_OFFICER, agency="police")
SOCIAL_WORKER = Actor("sw.khan", Role.SOCIAL_WORKER, agency="social-care")


@pytest.fixture
def kl(borough: Store, settings: Settings) -> Iterator[Kinlink]:
    core = Kinlink.open(settings, clock=FixedClock(datetime(2026, 11, 1, 9, tzinfo=UTC)))
    yield core
    core.close()


def _entries(kl: Kinlink, action: str) -> list[tuple[str, str, str]]:
    return [(e.username, e.resource, e.outcome)
            for e in kl.audit.search(AUDITOR, action=action, limit=1000)]


def test_each_consultation_is_authorised_and_logged(kl: Kinlink) -> None:
    chronology = kl.chronology.child(SOCIAL_WORKER, AMY, as_of=AS_OF)
    assert chronology.events and chronology.child.person_id == AMY
    with pytest.raises(Forbidden):
        kl.chronology.child(AUDITOR, AMY)
    assert _entries(kl, "chronology.view") == [
        ("sw.khan", f"person:{AMY}", "allowed"), ("ann.auditor", f"person:{AMY}", "refused")]


def test_prompts_are_listed_reviewed_and_exported_through_the_core(kl: Kinlink,
                                                                 borough: Store) -> None:
    recompute_alerts(borough, as_of=AS_OF)
    prompts = kl.alerts.prompts(MANAGER)
    assert len(prompts) == 5
    assert len(kl.alerts.prompts(OFFICER)) == 5  # the partnership's, as alerts
    reviewed = kl.alerts.review_prompt(MANAGER, prompts[0].alert_id, "needs-discussion",
                                       reason="talk it through at supervision")
    assert reviewed.status == "acknowledged" and reviewed.reviews[-1].actor == "tm.jones"
    assert len(kl.export.prompts(MANAGER)) == 5
    with pytest.raises(Forbidden):
        kl.export.prompts(SOCIAL_WORKER)
    assert _entries(kl, "export.prompts")[-1] == ("sw.khan", "alerts", "refused")
    assert ("tm.jones", f"alert:{prompts[0].alert_id}", "allowed") in _entries(
        kl, "alerts.change")
