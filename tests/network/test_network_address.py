"""Network address keys: one home written several ways gives one key."""

from __future__ import annotations

import polars as pl
import pytest

from kinlink.address import household_key as address_key
from kinlink.network.address import fill_missing_districts


@pytest.mark.parametrize("address, postcode", [
    ("Flat 2, 14 Mill Road", "B91 3QB"),
    ("14 Mill Rd, Flat 2", "b913qb"),
    ("2/14 MILL ROAD", "B91 3BQ"),  # inward part mistyped: still one home
    ("Apartment 2, 14 Mill Rd.", "B91"),
    ("14, Mill Road (flat 2), Solihull", "B91 3QB"),
])
def test_spellings_of_one_home_share_a_key(address: str, postcode: str) -> None:
    assert address_key(address, postcode) == "14|2|MILL ROAD|B91"


def test_saint_is_not_street() -> None:
    assert address_key("3 St Mary's Rd", "B90 1AA") == "3||SAINT MARYS ROAD|B90"
    assert address_key("3 Church St", "B90 1AA") == "3||CHURCH STREET|B90"


def test_different_homes_differ() -> None:
    keys = {address_key(a, "B91 3QB") for a in
            ("Flat 1, 14 Mill Road", "Flat 2, 14 Mill Road", "16 Mill Road", "14 Mill Lane")}
    assert len(keys) == 4
    assert address_key("14 Mill Road", "B92 1AA") != address_key("14 Mill Road", "B91 3QB")


def test_street_type_runs_and_blocks_stay_whole() -> None:
    assert address_key("12 Park Drive, Elmsworth", "KX5 5ZW") == "12||PARK DRIVE|KX5"
    assert address_key("12 Park Drive", "KX5 5ZW") != address_key("12 Park Crescent", "KX5 5ZW")
    rise = address_key("Flat 35, Johnson Court, Johnson Rise, Holloway", "KX8 0RS")
    assert rise == "|35|JOHNSON COURT JOHNSON RISE|KX8"
    assert rise != address_key("Flat 35, Johnson Court, Johnson Gardens", "KX8 4QT")
    assert address_key("5 Green Lane, Brindley Green", None) == "5||GREEN LANE|"


def test_unusable_addresses_give_no_key() -> None:
    assert address_key("No fixed abode", None) is None
    assert address_key("Solihull", "B91 3QB") is None
    assert address_key(None, "B91 3QB") is None


def test_missing_district_taken_from_the_only_known_one() -> None:
    keys = pl.Series(["14||MILL ROAD|B91", "14||MILL ROAD|", "3||OAK WAY|B90", "3||OAK WAY|B92",
                      "3||OAK WAY|", None])
    assert fill_missing_districts(keys).to_list() == [
        "14||MILL ROAD|B91", "14||MILL ROAD|B91", "3||OAK WAY|B90", "3||OAK WAY|B92",
        "3||OAK WAY|", None]
