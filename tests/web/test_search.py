"""Person search: typo-tolerant names, dates of birth, postcodes, identifiers, pages."""

from __future__ import annotations

from typing import Any

import pytest

from kinlink.errors import InputError
from kinlink.linkage.model import load_model
from kinlink.linkage.search import PersonQuery, SearchPage, search_persons
from kinlink.store import Store


def search(store: Store, query: PersonQuery, **options: Any) -> SearchPage:
    """`search_persons` with the stored model's blocking rules, as the core passes them."""
    return search_persons(store, query, rules=load_model(store).blocking.rules, **options)


def test_a_misspelt_name_finds_the_person_with_all_their_records(borough_store: Store) -> None:
    page = search(borough_store, PersonQuery(first_name="Olivia", surname="Turnor"))
    best = page.hits[0]
    assert best.name == "Olivia Turner" and best.resolved
    assert "police:PN0100004" in best.records and len(best.agencies) >= 2
    assert "same first name" in best.matched_on
    assert any(why.startswith("surname ") and why.endswith("alike") for why in best.matched_on)


def test_a_mistyped_date_of_birth_still_finds_the_name(borough_store: Store) -> None:
    """The name finds the person; the exact date ranks them first when it agrees."""
    wrong = search(borough_store, PersonQuery(first_name="Konrad", surname="Majewsky",
                                                      dob="1966-01-31"))
    assert wrong.hits[0].name == "Konrad Majewski"
    right = search(borough_store, PersonQuery(first_name="Konrad", surname="Majewsky",
                                                      dob="1966-01-13"))
    assert right.hits[0].score > wrong.hits[0].score
    assert "same date of birth" in right.hits[0].matched_on


def test_surname_with_postcode_and_identifiers(borough_store: Store) -> None:
    by_place = search(borough_store, PersonQuery(surname="turner", postcode="kx46lg"))
    assert by_place.hits[0].name == "Olivia Turner"
    by_record = search(borough_store, PersonQuery(identifier="PN0100004"))
    assert [h.matched_on for h in by_record.hits] == [["same record id"]]
    person = by_record.hits[0].person_id
    by_person = search(borough_store, PersonQuery(identifier=person.lower()))
    assert by_person.total == 1 and by_person.hits[0].person_id == person
    assert set(by_person.hits[0].agencies) >= {"police", "health"}


def test_pages_split_the_same_ranking(borough_store: Store) -> None:
    query = PersonQuery(surname="Cooper", postcode="KX8 8FA")  # a family
    whole = search(borough_store, query, page_size=100)
    assert whole.total >= 2
    halves = [search(borough_store, query, page=p, page_size=1).hits[0]
              for p in (1, 2)]
    assert [h.person_id for h in halves] == [h.person_id for h in whole.hits[:2]]
    assert whole.hits[0].score >= whole.hits[1].score


@pytest.mark.parametrize("query, message", [
    (PersonQuery(surname="Turner"), "search needs"),
    (PersonQuery(), "search needs"),
    (PersonQuery(first_name="Olivia", surname="Turner", dob="29/06/2002"), "not a date"),
])
def test_too_little_or_malformed_is_refused_in_one_line(borough_store: Store,
                                                         query: PersonQuery,
                                                         message: str) -> None:
    with pytest.raises(InputError, match=message):
        search(borough_store, query)
