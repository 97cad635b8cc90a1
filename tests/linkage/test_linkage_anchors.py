"""Disagreement rates measured on anchor pairs (records agreeing on names and address)."""

from __future__ import annotations

import pyarrow as pa

from kinlink.linkage.anchors import anchored_m
from kinlink.linkage.comparisons import DOB_DIFFERENT_M
from kinlink.linkage.prepare import RAW_COLUMNS, prepare_table


def _records(rows: list[dict[str, str]]) -> pa.Table:
    return prepare_table(pa.table({c: pa.array(
        [str(i) if c == "record_id" else row.get(c, "f" if c == "agency" else None)
         for i, row in enumerate(rows)], pa.string()) for c in RAW_COLUMNS}))


def _people(count: int, second_dob: str) -> list[dict[str, str]]:
    """`count` people with two records each, same names and address."""
    return [{"first_name": f"Ann{chr(65 + i % 26)}{chr(65 + i // 26)}", "surname": "Lee",
             "postcode": "KX1 1AA", "dob": dob}
            for i in range(count) for dob in ("1980-03-04", second_dob)]


def test_a_file_whose_dates_often_disagree_raises_the_floor() -> None:
    rows = _people(20, "1980-03-04") + _people(40, "1975-09-21")[40:]
    measured = anchored_m(_records(rows))
    share = measured[("dob", "different")]
    assert DOB_DIFFERENT_M < share < 0.5  # a conservative bound below the 50% observed


def test_careful_records_leave_the_floor_alone(borough_records: pa.Table) -> None:
    measured = anchored_m(borough_records)
    assert measured.get(("dob", "different"), 0.0) <= DOB_DIFFERENT_M
