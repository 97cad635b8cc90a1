"""A person's records across agencies and why linkage holds them together."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from kinlink.errors import NotFoundError
from kinlink.linkage.identity import person_identity
from kinlink.linkage.model import load_model
from kinlink.linkage.search import PersonQuery, SearchPage, search_persons
from kinlink.store import Store
from kinlink.store.queries import records_in
from kinlink.store.schema.source import people


def search(store: Store, query: PersonQuery, **options: Any) -> SearchPage:
    """`search_persons` with the stored model's blocking rules, as the core passes them."""
    return search_persons(store, query, rules=load_model(store).blocking.rules, **options)


def test_every_record_of_a_person_with_its_rows_and_history(borough_store: Store) -> None:
    hit = search(borough_store, PersonQuery(identifier="PN0100004")).hits[0]
    identity = person_identity(borough_store, hit.person_id)
    assert identity.resolved and {"police", "health"} <= set(identity.agencies)
    police = next(r for r in identity.records if r.uid == "police:PN0100004")
    assert police.person["first_name"] == "Olivia" and police.confidence is not None
    assert "row_hash" not in police.person
    assert [e.kind for e in identity.events] == ["create"]
    assert set(identity.events[0].records) == {r.uid for r in identity.records}


def test_referrals_and_markers_come_with_their_records(borough_store: Store) -> None:
    child = search(borough_store, PersonQuery(identifier="C1")).hits[0]
    identity = person_identity(borough_store, child.person_id)
    record = next(r for r in identity.records if r.uid == "social-care:C1")
    assert [row["referral_id"] for row in record.rows["referrals"]]
    daniel = search(borough_store, PersonQuery(identifier="P1")).hits[0]
    markers = [m["marker"] for r in person_identity(borough_store, daniel.person_id).records
               for m in r.rows["risk_markers"]]
    assert "domestic-abuse-perpetrator" in markers


def test_an_unknown_person_is_not_found(borough_store: Store) -> None:
    with pytest.raises(NotFoundError):
        person_identity(borough_store, "P9999999")
    with pytest.raises(NotFoundError):
        person_identity(borough_store, "police:NOPE")


def test_a_persons_rows_are_found_through_the_record_index(borough_store: Store) -> None:
    """SQLite scans a whole table for a row-value IN list; `records_in` must not."""
    if borough_store.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite query plan")
    query = select(people).where(records_in(people.c.agency, people.c.record_id,
                                            [("police", "P1"), ("health", "H1")]))
    sql = str(query.compile(dialect=borough_store.engine.dialect,
                            compile_kwargs={"literal_binds": True}))
    with borough_store.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "USING INDEX ix_people_agency_record" in plan and "SCAN people" not in plan
