"""The errors produced match the configured rates, and errors.csv lists every change made.

Measured on the health records of a borough with high configured rates, originals only
(duplicates have boosted rates by design).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kinlink.synth import SynthConfig
from kinlink.synth.names import nicknames

UNCONDITIONAL = ("typo-insert", "typo-delete", "typo-substitute", "typo-transpose",
                 "typo-adjacent-key", "forename-surname-swap", "dob-digit", "dob-year-only",
                 "dob-missing", "postcode-partial", "postcode-missing", "nhs-number-mistyped",
                 "nhs-number-missing", "duplicate-record")


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.fixture(scope="module")
def health(noisy_borough: tuple[Path, SynthConfig]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Health's original records joined to their true person; and health's errors."""
    out, _ = noisy_borough
    errors = read(out / "truth" / "errors.csv").filter(pl.col("agency") == "health")
    dups = errors.filter(pl.col("error_kind") == "duplicate-record")["record_id"]
    records = read(out / "truth" / "records.csv").filter(pl.col("agency") == "health")
    persons = read(out / "truth" / "persons.csv")
    homes = read(out / "truth" / "households.csv")
    moved = homes.filter(pl.col("to_date").is_not_null())["person_id"]
    current = homes.filter(pl.col("to_date").is_null()).select(
        "person_id", true_postcode="postcode")
    people = (read(out / "health" / "people.csv")
              .join(records.select("record_id", "person_id"), on="record_id")
              .join(persons.rename(lambda c: c if c == "person_id" else f"true_{c}"),
                    on="person_id")
              .join(current, on="person_id")
              .with_columns(duplicate=pl.col("record_id").is_in(dups.implode()),
                            moved=pl.col("person_id").is_in(moved.implode())))
    originals = people.filter(~pl.col("duplicate"))
    return originals, errors.filter(pl.col("record_id").is_in(originals["record_id"]
                                                              .implode()))


def _rate(errors: pl.DataFrame, kind: str, among: int) -> float:
    return errors.filter(pl.col("error_kind") == kind).height / among


@pytest.mark.parametrize("kind", UNCONDITIONAL)
def test_unconditional_rates_match_config(health: tuple[pl.DataFrame, pl.DataFrame],
                                          noisy_borough: tuple[Path, SynthConfig],
                                          kind: str) -> None:
    originals, errors = health
    expected = noisy_borough[1].agencies["health"].rate(kind)
    if kind == "duplicate-record":  # counted on the duplicates, per original
        dups = read(noisy_borough[0] / "truth" / "errors.csv").filter(
            (pl.col("agency") == "health") & (pl.col("error_kind") == kind)).height
        assert dups / originals.height == pytest.approx(expected, abs=0.015)
    else:
        assert _rate(errors, kind, originals.height) == pytest.approx(expected, abs=0.015)


def test_eligible_rates_match_config(health: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    originals, errors = health
    former = originals.filter(pl.col("true_previous_surnames").is_not_null()).height
    assert _rate(errors, "surname-change", former) == pytest.approx(0.3, abs=0.08)
    moved = originals.filter(pl.col("moved")).height
    assert _rate(errors, "old-address", moved) == pytest.approx(0.3, abs=0.05)
    nick = sum(1 for n in originals["true_first_name"] if nicknames(n))
    assert _rate(errors, "nickname", nick) == pytest.approx(0.3, abs=0.06)


def test_extract_differs_from_truth_exactly_where_errors_are_logged(
        health: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    originals, errors = health
    changed = errors.group_by("record_id").agg(pl.col("field").unique())
    fields = dict(zip(changed["record_id"], changed["field"].to_list(), strict=True))
    for row in originals.iter_rows(named=True):
        touched = fields.get(row["record_id"], [])
        for field, truth in (("dob", "true_dob"), ("postcode", "true_postcode"),
                             ("nhs_number", "true_nhs_number"),
                             ("middle_names", "true_middle_names")):
            if row[field] != row[truth]:
                assert field in touched or (field == "postcode" and "address" in touched) or (
                    field == "middle_names" and "first_name" in touched), (field, row)
        if row["first_name"] != row["true_first_name"] or row["surname"] != row["true_surname"]:
            assert {"first_name", "surname"} & set(touched), row
        if "dob" not in touched:
            assert row["dob"] == row["true_dob"]


def test_rates_measured_from_the_extract_alone(health: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    """Comparing extract and truth, without errors.csv, gives the configured rates too."""
    originals, _ = health
    n = originals.height
    blank_dob = originals.filter(pl.col("dob").is_null()).height / n
    assert blank_dob == pytest.approx(0.06, abs=0.015)
    year_only = originals.filter(pl.col("dob").str.len_chars() == 4).height / n
    assert year_only == pytest.approx(0.06 * 0.94, abs=0.015)
    no_postcode = originals.filter(pl.col("postcode").is_null()).height / n
    assert no_postcode == pytest.approx(0.06, abs=0.015)
