"""The one address reader: a table of addresses of real shapes, and its typed parts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kinlink.address import (
    AddressKind,
    find_postcode,
    household_key,
    normalise_postcode,
    outward_code,
    read_address,
)
from kinlink.linkage.prepare import prepare_record

_TABLE = Path(__file__).parent / "data" / "addresses.csv"
with _TABLE.open(newline="", encoding="utf-8") as _f:
    ROWS = list(csv.DictReader(_f))


def test_the_table_is_large_enough() -> None:
    assert len(ROWS) >= 100


@pytest.mark.parametrize("row", ROWS, ids=[r["address"] or "(empty)" for r in ROWS])
def test_address_table(row: dict[str, str]) -> None:
    address = read_address(row["address"], row["postcode"] or None)
    assert address.kind == AddressKind(row["kind"])
    assert (address.household_key or "") == row["household_key"]
    assert (address.street_key or "") == row["street_key"]
    assert (address.postcode or "") == row["postcode_found"]


@pytest.mark.parametrize("spellings", [
    ("14 High St, Knowle, Solihull", "14 High Street, Knowle, Solihull", "14 high st knowle"),
    ("Flat 2, 3 Mill Court", "2/3 Mill Court", "3 Mill Ct, Flat 2", "APT. 2, 3 MILL COURT"),
    ("3-5 High Street", "3 - 5 High St"),
    ("412 52 street", "412 52nd St"),
    ("Rose Cottage, Mill Lane, Knowle", "ROSE COTTAGE MILL LN KNOWLE"),
    ("12 Oak Road, B91 3QB", "12 OAK RD B913QB", "12 oak road (B91 3QB)"),
])
def test_spellings_of_one_home_agree(spellings: tuple[str, ...]) -> None:
    keys = {household_key(s) for s in spellings}
    assert len(keys) == 1 and None not in keys


def test_parts_of_a_home() -> None:
    address = read_address("Flat 2B, Rose Court, 40 Station Rd., Knowle, Solihull B93 0AA")
    assert (address.flat, address.number, address.house_name, address.street) == (
        "2B", "40", "ROSE COURT", "STATION ROAD")
    assert address.locality == "KNOWLE SOLIHULL"
    assert (address.postcode, address.district) == ("B93 0AA", "B93")
    assert "POSTCODE" not in address.words and "0AA" not in address.words
    assert address.words[-3:] == ("ROAD", "KNOWLE", "SOLIHULL")


def test_care_of_keeps_the_home_and_the_name() -> None:
    address = read_address("c/o Mrs Smith, 12 Oak Road")
    assert address.kind == AddressKind.CARE_OF
    assert address.care_of == "MRS SMITH"
    assert address.household_key == read_address("12 Oak Road").household_key


def test_a_separate_postcode_wins_and_an_outward_code_gives_the_district() -> None:
    assert read_address("12 Oak Road, B91 3QB", "B92 1AA").postcode == "B92 1AA"
    assert read_address("12 Oak Road", "b92").district == "B92"
    assert read_address("12 Oak Road", "b92").postcode is None
    assert read_address("12 Oak Road, B91 3QB", "not one").postcode == "B91 3QB"


def test_postcodes() -> None:
    assert normalise_postcode("b913qb") == "B91 3QB"
    assert normalise_postcode(" sw1a 1aa ") == "SW1A 1AA"
    assert normalise_postcode("B91 3CM") is None  # C and M never end a postcode
    assert normalise_postcode("Q1 1AA") is None  # no area starts with Q
    assert normalise_postcode("B91") is None
    assert find_postcode("40 Station Road, Knowle B93 0AA (rear)") == "B93 0AA"
    assert find_postcode("40 Station Road") is None
    assert outward_code("b91 3qb") == "B91"
    assert outward_code("B91") == "B91"
    assert outward_code("SW1A1AA") == "SW1A"
    assert outward_code(None) == ""


def address_tokens(address: str) -> list[str]:
    """The address words linkage compares, as it prepares a record."""
    return list(prepare_record({"address": address})["address_tokens"])


def test_linkage_compares_the_words_the_reader_reads() -> None:
    assert address_tokens("14 High St, Knowle, B93 0AA") == address_tokens(
        "14 HIGH STREET KNOWLE") == ["14", "HIGH", "KNOWLE", "STREET"]
    assert address_tokens("2/3 Mill Ct") == ["2", "3", "COURT", "FLAT", "MILL"]
