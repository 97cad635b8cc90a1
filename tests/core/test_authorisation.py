"""Agency scope, lawful basis and restricted records, on a real store."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from kinlink.core import Actor, Forbidden, Kinlink, ReasonRequired, Role
from kinlink.network import build_network

from ..network.conftest import DATA, ingest_borough, resolve_as
from .conftest import ADMIN, AUDITOR

AS_OF = date(2026, 11, 1)
AMY, LISA, DANIEL = "P0000001", "P0000002", "P0000003"
OFFICER = Actor("pc.jones", Role.POLICE_OFFICER, agency="police")
SOCIAL_WORKER = Actor("asmith", Role.SOCIAL_WORKER, agency="social-care")
MANAGER = Actor("tmanager", Role.TEAM_MANAGER)


@pytest.fixture
def borough(kl: Kinlink, tmp_path: Path) -> Kinlink:
    """The network borough, with a health marker on Lisa (Amy's mother) as well."""
    ingest_borough(kl.store)
    health = tmp_path / "health"
    shutil.copytree(DATA / "health", health)
    (health / "risk_markers.csv").write_text(
        "record_id,marker,start_date,end_date,review_date,related_record_id,notes\n"
        "H2,alcohol-misuse,2025-01-01,,,,\n")
    kl.ingest.load(ADMIN, health, "health")
    resolve_as(kl.store)
    build_network(kl.store)
    return kl


def _text(kl: Kinlink, actor: Actor, person_id: str = AMY) -> str:
    return json.dumps(kl.network.child(actor, person_id, as_of=AS_OF).network.to_dict())


def test_health_evidence_only_for_roles_with_a_basis(borough: Kinlink) -> None:
    seen_by_social_worker = borough.network.child(SOCIAL_WORKER, AMY, as_of=AS_OF).network
    seen_by_police = borough.network.child(OFFICER, AMY, as_of=AS_OF).network
    lisa = next(a for a in seen_by_social_worker.adults if a.person.person_id == LISA)
    assert "health:H2" in {m.uid for m in lisa.markers}
    assert '"health' not in _text(borough, OFFICER) and "health:" not in _text(borough, OFFICER)
    # The score is recomputed without the hidden marker: it cannot give it away.
    assert "alcohol-misuse (parent)" in seen_by_social_worker.risk.top_markers
    assert not any("alcohol-misuse" in m for m in seen_by_police.risk.top_markers)
    assert seen_by_police.risk.score < seen_by_social_worker.risk.score


def test_a_person_known_only_to_health_is_not_opened_without_a_basis(
        borough: Kinlink, tmp_path: Path) -> None:
    health = tmp_path / "health-only"
    health.mkdir()
    (health / "people.csv").write_text("record_id,first_name,surname,dob\n"
                                       "H9,Zoe,Only,2015-01-01\n")
    borough.ingest.load(ADMIN, health, "health")
    build_network(borough.store)
    with pytest.raises(Forbidden, match="no lawful basis for health records"):
        borough.network.child(OFFICER, "health:H9", as_of=AS_OF)
    assert borough.network.child(SOCIAL_WORKER, "health:H9", as_of=AS_OF).network


def test_agency_scope_limits_loading_and_lists(borough: Kinlink) -> None:
    dq = Actor("dq.police", Role.DATA_QUALITY_OFFICER, agency="police")
    with pytest.raises(Forbidden, match="acts for police, not social-care"):
        borough.ingest.load(dq, DATA / "social-care", "social-care")
    borough.ingest.load(dq, DATA / "police", "police")
    with pytest.raises(Forbidden):
        borough.ingest.quarantine(dq, agency="health")
    assert borough.ingest.quarantine(dq).total == 0  # their own agency's, by default


def test_a_restricted_person_needs_a_grant_and_a_reason(borough: Kinlink) -> None:
    borough.users.add(ADMIN, "asmith", role="social-worker", agency="social-care")
    borough.users.restrict(MANAGER, "record:police:P1", reason="protected witness")
    # Daniel's police record P1 is restricted: so is Daniel.
    with pytest.raises(Forbidden, match="restricted"):
        borough.network.child(SOCIAL_WORKER, DANIEL, as_of=AS_OF)
    borough.users.grant(MANAGER, "asmith", f"person:{DANIEL}", reason="allocated worker")
    granted = borough.auth.local_user("asmith")
    with pytest.raises(ReasonRequired):
        borough.network.child(granted, DANIEL, as_of=AS_OF)
    borough.network.child(granted, DANIEL, as_of=AS_OF, reason="section 47 enquiry")
    opened = borough.audit.search(AUDITOR, username="asmith", action="network.view")
    assert [(e.outcome, e.reason) for e in opened] == [
        ("refused", None), ("refused", None), ("allowed", "section 47 enquiry")]
    # Amy, whose network shows Daniel, is not restricted herself.
    borough.network.child(SOCIAL_WORKER, AMY, as_of=AS_OF)
