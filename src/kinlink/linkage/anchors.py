"""How often one person's records disagree on a field, measured on anchor pairs.

EM cannot learn how often one person's records disagree on the date of birth or on sex:
its blocks are full of parents and children, and siblings, who share a name and an
address, and it takes them for one person with a wrong date (see `comparisons.py`). So
those "different" levels have their m fixed, at a floor that fits carefully kept records
(about one pair in a hundred). Data differ: in a register of historical people, or in a
file copied by hand with typos, a fifth to a half of one person's record pairs may carry
unrelated dates, and at the floor every such pair is vetoed.

Anchor pairs are records that agree on forename, surname and address (the top levels of
those comparisons), which are nearly always one person; a parent and child who share a
name have dates a generation apart, a level of its own that is not estimated here. The
share of anchor pairs, among those where the field is known on both sides, that falls
in an anchored level estimates its m (the model's usual assumption that fields err
independently). Its lower 95% confidence bound is used, and only when above the fixed
floor: a few same-named relatives among the anchors, or too few anchors, change nothing.
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from kinlink.linkage.comparisons import (
    ANCHORED_LEVELS,
    ComparisonSpec,
    comparison_specs,
    level_label,
)

Z_95 = 1.96
MAX_ANCHOR_PAIRS = 20_000

_AGREEING = {"forename": "same",
             "family_and_place": "same surname, same address"}


def anchored_m(records: pa.Table) -> dict[tuple[str, str], float]:
    """(comparison, level label) -> the lower confidence bound of the share of anchor
    pairs of `records` in that level, for each level of `comparisons.ANCHORED_LEVELS`
    that some anchor pair has the field of."""
    specs = {spec.name: spec for spec in comparison_specs()}
    used = [specs[name] for name in {*_AGREEING, *(name for name, _ in ANCHORED_LEVELS)}]
    pairs = [pair for pair in _pairs_where(
                 records, "l.first_name = r.first_name AND l.surname = r.surname",
                 _columns_read(used, records))
             if all(level_label(specs[name], *pair) == label for name, label in _AGREEING.items())]
    measured = {}
    for name, label in ANCHORED_LEVELS:
        known = [level_label(specs[name], *pair) for pair in pairs]
        known = [level for level in known if level is not None]
        if known:
            measured[(name, label)] = _lower_bound(known.count(label), len(known))
    return measured


def twin_shaped_sex(records: pa.Table) -> dict[str, float]:
    """How often sex differs between records of a twin's shape (the same date of birth,
    surname and address, forenames that share nothing): `pairs` (sex known on both) and
    `sex_differs` (their share with different sex).

    EM cannot tell twins from one person whose forename was recorded differently: both
    agree on everything else. Sex can: one person's records rarely disagree on it (the
    anchored m, 0.5% to 5%), twins do half the time. Where about as many of these pairs
    differ in sex as twins would, they are two people (`households.household_shapes`).
    """
    specs = {spec.name: spec for spec in comparison_specs()}
    pairs = _pairs_where(records, "l.dob = r.dob AND l.surname = r.surname "
                         "AND l.first_name <> r.first_name "
                         "AND l.sex IS NOT NULL AND r.sex IS NOT NULL",
                         [*_columns_read([specs["forename"]], records), "sex"])
    shaped = [pair for pair in pairs if level_label(specs["forename"], *pair) == "different"]
    differs = sum(left["sex"] != right["sex"] for left, right in shaped)
    return {"pairs": len(shaped), "sex_differs": round(differs / len(shaped), 4)
            if shaped else 0.0}


def _lower_bound(hits: int, trials: int) -> float:
    """Wilson score lower bound of a binomial share at 95%."""
    share, z2 = hits / trials, Z_95 * Z_95
    centre = share + z2 / (2 * trials)
    spread = Z_95 * math.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials))
    return max(0.0, (centre - spread) / (1 + z2 / trials))


def _columns_read(specs: list[ComparisonSpec], records: pa.Table) -> list[str]:
    """The record columns the levels of `specs` compare (each level's Python twin reads
    what its SQL reads), so only those are turned into Python values."""
    named = {name for spec in specs for level in spec.levels
             for name in re.findall(r"\b(\w+)_[lr]\b", level.sql)}
    return [c for c in records.column_names if c in named or c == "uid"]


def _pairs_where(records: pa.Table, condition: str, columns: list[str]
                 ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs of records at one postcode or address that meet the SQL `condition` (on
    `l` and `r`), each record with its `columns`: at most `MAX_ANCHOR_PAIRS`, drawn at
    random (the same each time). Equality joins keep it small."""
    con = duckdb.connect()
    try:
        con.register("records", records)
        rows = con.execute(
            "SELECT l.uid AS a, r.uid AS b FROM records l JOIN records r "
            f"ON {condition} AND l.uid < r.uid "
            "AND (l.postcode = r.postcode OR l.address_tokens = r.address_tokens)").fetchall()
        if not rows:
            return []
        if len(rows) > MAX_ANCHOR_PAIRS:  # enough to measure a share; the same ones each time
            rows = random.Random(0).sample(sorted(rows), MAX_ANCHOR_PAIRS)
        wanted = {uid for row in rows for uid in row}
        by_uid = {row["uid"]: row for row in records.select(sorted(set(columns))).filter(
            pc.is_in(records["uid"], pa.array(sorted(wanted), records["uid"].type))).to_pylist()}
    finally:
        con.close()
    return [(by_uid[a], by_uid[b]) for a, b in rows]
