"""Building the person graph: each kind of edge, carried through resolution, with provenance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl
from sqlalchemy import func, select

from kinlink.network import build_network
from kinlink.network.edges import coresidence_edges
from kinlink.network.incident_text import names_child
from kinlink.store import Store
from kinlink.store.schema.network import network_edges

# The borough's persons, as tests/data/network/record_persons.csv resolves them.
AMY, LISA, DANIEL, KEVIN, JORDAN, MARK = (f"P000000{i}" for i in range(1, 7))
AS_OF = date(2026, 11, 1)


def _edges(frame: pl.DataFrame, person: str, other: str) -> dict[str, dict]:
    rows = frame.filter((pl.col("person_id") == person) & (pl.col("other_person_id") == other))
    return {f"{r['relation']}/{r['source']}": r for r in rows.iter_rows(named=True)}


def test_edges_of_every_kind_with_provenance(borough: Store) -> None:
    build = build_network(borough)
    edges = build.edges
    amy_daniel = _edges(edges, AMY, DANIEL)
    # Social care linked SC3 ("Danny Hughs") to SC1: carried to the two persons.
    parent = amy_daniel["parent/relationship"]
    assert parent["recorded"] and parent["agencies"] == ["social-care"]
    assert parent["records"] == ["social-care:SC1", "social-care:SC3"]
    # Health has Daniel at Amy's flat ("2/14 Mill Road"): inferred co-residence.
    home = amy_daniel["household-member/co-residence"]
    assert not home["recorded"] and home["detail"] == "14|2|MILL ROAD|B91"
    assert "health:H4" in home["records"]
    assert _edges(edges, DANIEL, AMY)["child/relationship"]["recorded"]
    # Kevin moved in on 2025-01-01 (police address history).
    kevin = _edges(edges, AMY, KEVIN)["household-member/co-residence"]
    assert kevin["from_date"] == date(2025, 1, 1) and kevin["to_date"] is None
    # The incident: Kevin suspect, Lisa victim; Amy only named in the summary.
    incident = _edges(edges, KEVIN, LISA)["co-present/incident"]
    assert incident["detail"] == (
        "police incident I1 (domestic-abuse): police:P3 victim, police:P2 suspect")
    # What the network reasons on is kept apart from the text shown to people.
    assert incident["incidents"] == ["police:I1"] and incident["partners"]
    named = _edges(edges, AMY, KEVIN)["co-present/incident-text"]
    assert "first name and surname" in named["detail"] and not named["recorded"]
    assert named["incidents"] == ["police:I1"] and not named["partners"]
    assert _edges(edges, LISA, DANIEL)["co-parent/shared-parenthood"]["records"] == [
        "social-care:SC1", "social-care:SC2", "social-care:SC3"]
    order = _edges(edges, LISA, DANIEL)["order-respondent/order"]
    assert order["records"] == ["police:P1", "police:P3"] and order["from_date"] == date(2025, 6, 1)
    assert "associate/relationship" in _edges(edges, JORDAN, MARK)
    # Two records of one person never make a self-loop.
    assert edges.filter(pl.col("person_id") == pl.col("other_person_id")).height == 0
    persons = build.persons.filter(pl.col("person_id") == JORDAN).row(0, named=True)
    assert persons["dob"] == "2011-09-09"  # two agencies outvote police's adult-like date


def test_graph_is_stored_and_replaced(borough: Store) -> None:
    first = build_network(borough)
    second = build_network(borough)
    with borough.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(network_edges)).scalar()
    assert stored == second.edges.height == first.edges.height
    assert second.build_id > first.build_id


def test_unresolved_records_are_their_own_persons(
        store: Store, ingest_borough: Callable[[Store], None]) -> None:
    ingest_borough(store)
    build = build_network(store)
    assert build.persons.height == 15 and not build.persons["resolved"].any()
    parent = _edges(build.edges, "social-care:SC1", "social-care:SC3")
    assert parent["parent/relationship"]["recorded"]


def test_coresidence_needs_overlapping_dates() -> None:
    periods = pl.DataFrame({
        "address_key": ["1||A ROAD|B1"] * 3, "agency": ["x"] * 3, "uid": ["x:1", "x:2", "x:3"],
        "person_id": ["p1", "p2", "p3"], "confidence": [1.0, 0.9, 1.0],
        "from_date": [date(2020, 1, 1), date(2022, 1, 1), None],
        "to_date": [date(2021, 1, 1), None, date(2020, 6, 1)],
    })
    edges = coresidence_edges(periods)
    # p2 came after p1 and p3 had left; p3 (since an unknown date) overlapped p1.
    assert edges.select("a", "b", "from_date", "to_date").rows() == [
        ("p1", "p3", date(2020, 1, 1), date(2020, 6, 1))]


def test_a_name_shared_with_someone_recorded_is_theirs_unless_an_age_says_otherwise() -> None:
    summary = "Faduma AHMED states Linda PERKINS was aggressive towards them."
    mother = [("Fadumo", "Ahmed"), ("Linda", "Perkins")]
    assert names_child(summary, ["Faduma"], ["Ahmed"], 6) == "first name and surname"
    assert names_child(summary, ["Faduma"], ["Ahmed"], 6, mother) is None
    aged = "Child Faduma AHMED (6) present. Linda PERKINS arrested."
    assert names_child(aged, ["Faduma"], ["Ahmed"], 6, mother) == "first name and age 6"


def test_first_name_and_surname_are_two_words() -> None:
    # A record with the names swapped gives the child "Kathleen" as a surname too.
    summary = "Kathleen WARNER states a neighbour was aggressive towards them."
    assert names_child(summary, ["Kathleen", "Maj"], ["Maj", "Kathleen"], 1) is None
