"""Blocking: the rules as real-time keys, the same pairs as Splink's batch blocking."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import pyarrow as pa
import pytest

from kinlink.linkage import LinkageModel, predict
from kinlink.linkage.blocking import CORE_RULES, index_keys, query_keys
from kinlink.linkage.prepare import prepare_record


def _meet(left: Mapping[str, str | None], right: Mapping[str, str | None]) -> bool:
    """Whether the two records are a candidate pair, asked from both sides."""
    a, b = prepare_record(left), prepare_record(right)
    there = bool(set(query_keys(a, CORE_RULES)) & set(index_keys(b, CORE_RULES)))
    assert there == bool(set(query_keys(b, CORE_RULES)) & set(index_keys(a, CORE_RULES)))
    return there


_JOHN_1990 = {"first_name": "John", "surname": "Smith", "dob": "1990-01-02"}
_JOHN_1971 = {"first_name": "John", "surname": "Smith", "dob": "1971-05-16",
              "postcode": "KX2 2BB"}
# (why, one record, the other, whether they are a candidate pair)
_PAIRS = [
    ("a nickname and a changed surname, no date of birth, moved",
     {"first_name": "Bill", "surname": "Green", "previous_surnames": "Smith"},
     {"first_name": "William", "surname": "Smith", "postcode": "KX1 1AA"}, True),
    ("names swapped, one misspelt, same date of birth",
     {"first_name": "Caleb", "surname": "Rwoe", "dob": "1992-11-20"},
     {"first_name": "Rowe", "surname": "Caleb", "dob": "1992-11-20"}, True),
    ("names swapped, no date of birth on one side, moved",
     {"first_name": "Caleb", "surname": "Rowe", "postcode": "KX1 1AA"},
     {"first_name": "Rowe", "surname": "Caleb", "dob": "1992-11-20"}, True),
    ("day and month swapped, moved",
     {"first_name": "Ann", "surname": "Lee", "dob": "1990-03-04"},
     {"first_name": "Anne", "surname": "Lee", "dob": "1990-04-03"}, True),
    ("the year wrong, moved",
     {"first_name": "Ann", "surname": "Lee", "dob": "1990-03-04"},
     {"first_name": "Ann", "surname": "Lee", "dob": "1960-03-04"}, True),
    ("a changed surname and the forename misspelt, no date of birth, middle names kept",
     {"first_name": "Sharon", "middle_names": "Nicola", "surname": "Thompson"},
     {"first_name": "Sharron", "middle_names": "Nicola", "surname": "Jones"}, True),
    ("both names misspelt and one digit of the date wrong, moved",
     {"first_name": "Mathew", "surname": "Robertsn", "dob": "1990-01-02"},
     {"first_name": "Matthew", "surname": "Robertson", "dob": "1990-01-03",
      "postcode": "KX1 1AA"}, True),
    ("the postcode only inside one address, names spelt apart, dates unrelated",
     {"first_name": "John", "surname": "Smith", "dob": "1990-01-02", "postcode": "B91 3QB"},
     {"first_name": "Jonathan", "surname": "Smith", "dob": "1971-05-16",
      "address": "12 High St, Knowle, Solihull, B91 3QB"}, True),
    ("US-style addresses without postcodes, names spelt apart, dates unrelated",
     {"first_name": "Jon", "surname": "Smyth", "dob": "1980-02-01",
      "address": "1290 elm st springfield il 62704"},
     {"first_name": "Jonathan", "surname": "Smith", "dob": "1981-03-05",
      "address": "1290 Elm Street, Springfield IL"}, True),
    ("the forename an initial",
     {"first_name": "D", "surname": "Okafor", "dob": "1984-03-02"},
     {"first_name": "David", "surname": "Okafor", "dob": "1984-03-02",
      "postcode": "KX1 1AA"}, True),
    ("nothing in common",
     {"first_name": "Ann", "surname": "Lee", "dob": "1990-01-02"},
     {"first_name": "Tom", "surname": "Hart", "dob": "1971-05-06"}, False),
    # blocks on names alone would grow with the square of the borough
    ("same names, dates known and unrelated, elsewhere: two people",
     {**_JOHN_1990, "postcode": "KX1 1AA"}, _JOHN_1971, False),
    ("the same, but one has no postcode (no fixed abode): its date may be wrong",
     _JOHN_1990, _JOHN_1971, True),
]


@pytest.mark.parametrize(("left", "right", "meet"), [p[1:] for p in _PAIRS],
                         ids=[p[0] for p in _PAIRS])
def test_pairs_where_two_fields_went_wrong_still_meet(left: Mapping[str, str | None],
                                                      right: Mapping[str, str | None],
                                                      meet: bool) -> None:
    assert _meet(left, right) is meet


def test_a_record_without_a_date_of_birth_meets_everyone_of_its_names() -> None:
    lacking = {"first_name": "Jon", "surname": "Smith", "postcode": "KX1 1AA"}
    for dob in ("1990-01-02", "1971-05-16", None):
        assert _meet(lacking, {"first_name": "John", "surname": "Smith", "dob": dob,
                               "postcode": "KX9 9ZZ"})


def test_keys_pair_exactly_the_records_batch_blocking_pairs(
        borough_records: pa.Table, trained_model: LinkageModel) -> None:
    records = borough_records.to_pylist()
    rules = trained_model.blocking.rules
    holders = defaultdict(set)
    for record in records:
        for key in index_keys(record, rules):
            holders[key].add(record["uid"])
    by_keys = {tuple(sorted((record["uid"], other))) for record in records
               for key in query_keys(record, rules) for other in holders[key]
               if other != record["uid"]}
    pairs = predict(borough_records, trained_model, threshold=0.0)
    batch = set(zip(pairs["uid_l"].to_pylist(), pairs["uid_r"].to_pylist(), strict=True))
    assert batch == by_keys
