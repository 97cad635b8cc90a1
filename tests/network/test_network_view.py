"""One child's network and the risk summaries the waiting queue reads."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kinlink.errors import NotFoundError
from kinlink.network import child_network, risk_summary
from kinlink.store import Store

# The borough's persons, as tests/data/network/record_persons.csv resolves them.
AMY, LISA, DANIEL, KEVIN, JORDAN, MARK = (f"P000000{i}" for i in range(1, 7))
AS_OF = date(2026, 11, 1)


def test_adults_around_a_child_with_their_evidence(borough: Store) -> None:
    network = child_network(borough, AMY, as_of=AS_OF)
    assert network.is_child and network.child.age == 7
    roles = {a.person.person_id: a.role for a in network.adults}
    assert roles == {DANIEL: "parent", LISA: "parent", KEVIN: "household member"}
    daniel = next(a for a in network.adults if a.person.person_id == DANIEL)
    # Daniel's markers are on police P1, never linked to Amy: the most serious first.
    assert [m.marker for m in daniel.markers] == [
        "non-molestation-order-respondent", "domestic-abuse-perpetrator", "drug-misuse"]
    assert not any(m.visible for m in daniel.markers)
    assert "police:P1 resolved into person P0000003" in daniel.markers[0].identity
    # Lisa's marker sits on the social care record linked to Amy: visible.
    lisa = next(a for a in network.adults if a.person.person_id == LISA)
    assert [(m.marker, m.visible) for m in lisa.markers] == [("mental-health", True)]
    kevin = next(a for a in network.adults if a.person.person_id == KEVIN)
    sources = {(link.source, link.via) for link in kevin.links}
    # Living there, named at the incident, and (through Lisa) her partner, recorded as such
    # and as the other party at a domestic-abuse incident.
    assert sources == {("co-residence", None), ("incident-text", None), ("relationship", LISA),
                       ("incident", LISA)}
    assert network.adults[0].person.person_id == DANIEL  # ranked by risk
    json.dumps(network.to_dict())  # plain JSON all the way down


def test_the_date_asked_about_matters(borough: Store) -> None:
    # Before Kevin moved in and before the incident, he is only the mother's partner-to-be.
    before = child_network(borough, AMY, as_of=date(2024, 6, 1))
    assert KEVIN not in {a.person.person_id for a in before.adults}
    daniel = next(a for a in before.adults if a.person.person_id == DANIEL)
    assert "non-molestation-order-respondent" not in {m.marker for m in daniel.markers}


def test_a_child_recorded_as_an_associate(borough: Store) -> None:
    network = child_network(borough, JORDAN, as_of=AS_OF)
    assert network.child.age == 15
    assert [(a.person.person_id, a.role) for a in network.adults] == [
        (MARK, "recorded associate")]


def test_risk_summary_for_many(borough: Store) -> None:
    summaries = risk_summary(borough, [AMY, JORDAN, "P9999999"], as_of=AS_OF)
    amy, jordan, unknown = (summaries[p] for p in (AMY, JORDAN, "P9999999"))
    assert amy.level == "high" and amy.score > jordan.score > 0
    assert amy.adults == 3 and amy.adults_with_markers == 3
    assert amy.top_markers[0] == "non-molestation-order-respondent (parent)"
    assert jordan.level in ("medium", "low") and jordan.top_markers[0].endswith(
        "(recorded associate)")
    assert (unknown.level, unknown.score) == ("none", 0.0)


def test_unknown_person(borough: Store) -> None:
    with pytest.raises(NotFoundError):
        child_network(borough, "P9999999", as_of=AS_OF)
