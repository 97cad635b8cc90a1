"""Blocking: the rules as real-time keys, the same pairs as Splink's batch blocking."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pyarrow as pa

from kinlink.linkage import LinkageModel, predict
from kinlink.linkage.prepare import prepare_record
from kinlink.linkage.settings import blocking_keys


def _meet(left: dict[str, str], right: dict[str, str]) -> bool:
    return bool(set(blocking_keys(prepare_record(left))) & set(blocking_keys(
        prepare_record(right))))


def test_pairs_where_two_fields_went_wrong_still_meet() -> None:
    # a nickname and a changed surname, no date of birth, moved
    assert _meet({"first_name": "Bill", "surname": "Green", "previous_surnames": "Smith"},
                 {"first_name": "William", "surname": "Smith", "postcode": "KX1 1AA"})
    # names swapped, one misspelt, same date of birth
    assert _meet({"first_name": "Caleb", "surname": "Rwoe", "dob": "1992-11-20"},
                 {"first_name": "Rowe", "surname": "Caleb", "dob": "1992-11-20"})
    # a changed surname and the forename misspelt, no date of birth, middle names kept
    assert _meet({"first_name": "Sharon", "middle_names": "Nicola", "surname": "Thompson"},
                 {"first_name": "Sharron", "middle_names": "Nicola", "surname": "Jones"})
    assert not _meet({"first_name": "Ann", "surname": "Lee", "dob": "1990-01-02"},
                     {"first_name": "Tom", "surname": "Hart", "dob": "1971-05-06"})


def test_keys_pair_exactly_the_records_batch_blocking_pairs(
        borough_records: pa.Table, trained_model: LinkageModel) -> None:
    holders = defaultdict(set)
    for record in borough_records.to_pylist():
        for key in blocking_keys(record):
            holders[key].add(record["uid"])
    by_keys = {pair for uids in holders.values() for pair in combinations(sorted(uids), 2)}
    pairs = predict(borough_records, trained_model, threshold=0.0)
    batch = set(zip(pairs["uid_l"].to_pylist(), pairs["uid_r"].to_pylist(), strict=True))
    assert batch == by_keys
