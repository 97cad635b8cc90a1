"""Comparison levels: where chosen pairs fall, with the SQL and its Python twin agreeing."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest
from splink.internals.dialects import SplinkDialect

from kinlink.linkage.comparisons import ComparisonSpec, comparison_specs
from kinlink.linkage.prepare import prepare_record

SPECS = {spec.name: spec for spec in comparison_specs()}


def _sql_level(spec: ComparisonSpec, left: dict[str, Any], right: dict[str, Any]) -> str:
    """The label of the level DuckDB puts the pair in, from the levels' SQL."""
    dialect = SplinkDialect.from_string("duckdb")
    cases = " ".join(f"WHEN {level.create_sql(dialect)} THEN {i}"
                     for i, level in enumerate(spec.levels) if level.sql != "ELSE")
    row = {f"{k}_l": [v] for k, v in left.items()} | {f"{k}_r": [v] for k, v in right.items()}
    con = duckdb.connect()
    con.register("pair", pa.table(row))
    (index,), = con.execute(f"SELECT CASE {cases} ELSE {len(spec.levels) - 1} END "
                            "FROM pair").fetchall()
    return spec.levels[index].label


def _level(name: str, left: dict[str, str], right: dict[str, str]) -> str:
    a, b = prepare_record(left), prepare_record(right)
    spec = SPECS[name]
    python = next(level.label for level in spec.levels if level.py(a, b))
    assert _sql_level(spec, a, b) == python
    return python


@pytest.mark.parametrize(("name", "left", "right", "level"), [
    # forename and surname swapped: the forename and the surname both agree
    ("forename", {"first_name": "Caleb", "surname": "Rowe"},
     {"first_name": "Rowe", "surname": "Caleb"}, "written as the other's surname"),
    ("family_and_place", {"first_name": "Caleb", "surname": "Rowe"},
     {"first_name": "Rowe", "surname": "Caleb"}, "same surname, elsewhere or not known"),
    # one name only in the wrong field
    ("forename", {"first_name": "Pelham", "surname": ""},
     {"first_name": "Henry", "surname": "Pelham"}, "written as the other's surname"),
    # middle names: one of two recorded; forename and middle name swapped; a relative
    ("middle_names", {"first_name": "Ann", "middle_names": "Mary Jo"},
     {"first_name": "Ann", "middle_names": "Mary"}, "a middle name in common"),
    ("middle_names", {"first_name": "John", "middle_names": "Paul"},
     {"first_name": "Paul", "middle_names": "John"}, "a middle name in common"),
    ("middle_names", {"first_name": "Nicola", "middle_names": "Teresa"},
     {"first_name": "Nicola", "middle_names": "Barbara Fiona"}, "different"),
    ("middle_names", {"first_name": "Ann"}, {"first_name": "Ann", "middle_names": "Mary"},
     "not known"),
    # a forename that is only the other's middle name counts there, not twice
    ("forename", {"first_name": "Janet", "middle_names": "Susan"},
     {"first_name": "Nicole", "middle_names": "Janet"}, "matches a middle name or alias"),
    ("middle_names", {"first_name": "Janet", "middle_names": "Susan"},
     {"first_name": "Nicole", "middle_names": "Janet"}, "different"),
])
def test_pairs_fall_in_the_levels_meant(name: str, left: dict[str, str],
                                        right: dict[str, str], level: str) -> None:
    assert _level(name, left, right) == level
