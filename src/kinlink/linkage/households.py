"""People of one household kept apart: scored pairs whose shape says two people.

The comparisons weigh each field on its own, and a household's members share most of
them: twins share a surname, a date of birth and an address, and differ only in the
forename; a parent and child may share a forename and surname at one address, and
differ only in a date of birth decades apart. However strong the rest, such a pair is
two people unless something that identifies one person says otherwise, so clustering
takes it as a cannot-link (a chain through a third record cannot join them either):

- **same birth, different forename**: the same date of birth and surname, forenames
  that share nothing (not a nickname, an initial, a middle name, a sound or a spelling);
- **a generation apart**: dates of birth 12 or more years apart (a typo in one digit
  or a day/month swap is a level of its own, judged before this one);
- **dates of birth that disagree**: both known and unlike beyond the errors the date
  comparison allows for (a typo in one digit, a day/month swap, a date within a year):
  a sister of the same name, or a stranger of the same name elsewhere;
- **named after a parent**: the same forename and surname, middle names recorded on
  both and sharing nothing (James Brandon Parker / James Wayne Parker), and no date of
  birth that agrees (one missing, say).

Clustering checks these shapes on every pair of records it would put in one person,
not only on the pairs that were scored (`pair_shape`): a pair whose dates of birth are a
generation apart scores far below any threshold and is not kept, and one record without
a date of birth (same name, same address as a parent, and as a child) would otherwise
chain the two into one person.

A shared strong identifier (NHS number, UPN, PNC id) overrides both. And a shape holds
only where the data say one person's records rarely take it (`household_shapes`): where
training learnt that one person's forenames often differ entirely (a register copied
with forenames replaced, m of "different" above `RARE`), two records with one birth and
different forenames may well be one person, and the twins' shape is not imposed; the
same for dates of birth that anchor pairs show often unrelated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from kinlink.linkage.comparisons import (
    STRONG_IDS,
    ComparisonSpec,
    comparison_specs,
    level_label,
)

TWINS = "same-birth-different-forename"
GENERATION = "a-generation-apart"
DATES_DIFFER = "different-dates-of-birth"
NAMESAKE = "same-name-different-middle-names"
SHAPES = (TWINS, GENERATION, DATES_DIFFER, NAMESAKE)
SHAPE_COLUMNS = ("first_name", "first_name_nick", "first_name_dm", "forenames_all",
                 "middle_names", "surname", "surname_dm", "surnames_all", "dob", "dob_year",
                 "dob_month", "dob_day", "dob_estimated", "postcode", "postcode_district",
                 "address_tokens", *(c for c, _label in STRONG_IDS))
"""The prepared columns `pair_shape` reads."""
_DATES_AGREE = {"same", "day and month swapped", "one digit wrong or two digits transposed",
                "within a year"}
RARE = {"forename": 0.1, "dob": 0.05}
"""The share of one person's record pairs (the m training learnt or anchored) below
which a disagreement is rare enough for the shape built on it to be a cannot-link. EM
learns the forename's from blocks where twins pass for one person (m about 0.01 on the
borough, 0.09 on a borough of many twins), while a register that replaces forenames
shows 0.11 (historical_50k); dates of birth: 0.01 on both, 0.29 on fake_1000."""
DATES_KEPT = 0.85
"""... and the share of one person's record pairs whose dates of birth are the same (m
of "same") at or above which dates are kept well enough for the date shapes to hold
(about 0.94 on every profile of the borough; 0.68 on historical_50k, where 3% of one
person's record pairs carry dates a generation apart or otherwise unrelated, and a
person's ten records would be split by one bad date)."""
SCHEMA = pa.schema([("uid_l", pa.string()), ("uid_r", pa.string()), ("reason", pa.string())])


TWINS_SEX_DIFFERS = 0.15
"""Share of twin-shaped record pairs (one birth, surname and address, forenames that
share nothing) whose sex differs, above which they are taken for two people whatever EM
learnt: twins differ in sex about half the time, one person's records in 0.5% to 5%
(anchored m of "sex different" on every data set here). EM learns the forename's
"different" m from blocks full of twins where twins are common, and takes them for one
person (m 0.19 on the households profile)."""
TWINS_MIN_PAIRS = 20
"""... measured on at least this many pairs."""


def household_shapes(settings: Mapping[str, Any],
                     details: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The shapes a trained model's data support as cannot-links: those whose
    disagreement (forenames different; dates of birth different) is rare (m at most
    `RARE`) among one person's record pairs (and dates of birth are kept well,
    `DATES_KEPT`). Where the model's training `details` measured how often twin-shaped
    pairs differ in sex (`anchors.twin_shaped_sex`), that decides the twins' shape
    instead: as often as twins do, they are two people."""
    m = {(c["output_column_name"], level["label_for_charts"]): level.get("m_probability")
         for c in settings["comparisons"] for level in c["comparison_levels"]}
    rare = {name: isinstance(m.get((name, "different")), float | int)
            and m[(name, "different")] <= RARE[name] for name in ("forename", "dob")}
    rare["dob"] = rare["dob"] and (m.get(("dob", "same")) or 0.0) >= DATES_KEPT
    twins = (details or {}).get("twins") or {}
    if twins.get("pairs", 0) >= TWINS_MIN_PAIRS:  # measured: it says more than EM's m
        rare["forename"] = twins.get("sex_differs", 0.0) >= TWINS_SEX_DIFFERS
    return (*(shape for shape, name in ((TWINS, "forename"), (GENERATION, "dob"),
                                        (DATES_DIFFER, "dob")) if rare[name]), NAMESAKE)


def household_cannot_links(pairs: pa.Table, shapes: Sequence[str] = SHAPES) -> pa.Table:
    """Cannot-links (`uid_l`, `uid_r`, `reason`) among scored `pairs` (with their
    `gamma_` columns, as `predict` gives them) of the given `shapes`; none when the
    pairs have no gammas."""
    specs = {spec.name: spec for spec in comparison_specs()}
    needed = [f"gamma_{name}" for name in ("forename", "middle_names", "dob",
                                           "family_and_place", "strong_id")]
    if not pairs.num_rows or not all(c in pairs.column_names for c in needed):
        return SCHEMA.empty_table()

    def gamma(name: str) -> np.ndarray:
        return pairs[f"gamma_{name}"].to_numpy(zero_copy_only=False)

    def levels(name: str, labels: set[str] | None = None, prefix: str = "") -> list[int]:
        return _gammas(specs[name], lambda label: (label in labels if labels is not None
                                                   else label.startswith(prefix)))

    same_id = np.isin(gamma("strong_id"),
                      levels("strong_id", {f"same {label}" for _c, label in STRONG_IDS}))
    twins = (TWINS in shapes) & (np.isin(gamma("forename"), levels("forename", {"different"}))
             & np.isin(gamma("dob"), levels("dob", {"same"}))
             & np.isin(gamma("family_and_place"), levels("family_and_place",
                                                          prefix="same surname,")))
    generation = (GENERATION in shapes) & np.isin(gamma("dob"),
                                                  levels("dob", prefix="12 or more years"))
    differ = (DATES_DIFFER in shapes) & np.isin(gamma("dob"), levels("dob", {"different"}))
    namesake = ((NAMESAKE in shapes)
                & np.isin(gamma("forename"), levels("forename", {"same"}))
                & np.isin(gamma("middle_names"), levels("middle_names", {"different"}))
                & ~np.isin(gamma("dob"), levels("dob", _DATES_AGREE))
                & np.isin(gamma("family_and_place"), levels("family_and_place",
                                                             prefix="same surname,")))
    reason = np.where(twins, TWINS, np.where(generation, GENERATION, np.where(
        differ, DATES_DIFFER, np.where(namesake, NAMESAKE, ""))))
    keep = (reason != "") & ~same_id
    return pa.table({"uid_l": pairs["uid_l"].filter(pa.array(keep)),
                     "uid_r": pairs["uid_r"].filter(pa.array(keep)),
                     "reason": pa.array(reason[keep], pa.string())}, schema=SCHEMA)


def pair_shape(left: Mapping[str, Any], right: Mapping[str, Any],
               shapes: Sequence[str] = SHAPES) -> str | None:
    """The household shape of two prepared records (the first of `shapes` that holds,
    as `household_cannot_links` finds it from a scored pair's gammas), or None; never
    one when the two share a strong identifier. The cheap tests come first: clustering
    asks this of every pair of distinct records in a doubtful component."""
    specs = _specs()
    dob = level_label(specs["dob"], left, right)
    shape = None
    if GENERATION in shapes and (dob or "").startswith("12 or more years"):
        shape = GENERATION
    elif DATES_DIFFER in shapes and dob == "different":
        shape = DATES_DIFFER
    elif TWINS in shapes and dob == "same" and _same_surname(left, right) and level_label(
            specs["forename"], left, right) == "different":
        shape = TWINS
    elif (NAMESAKE in shapes and dob not in _DATES_AGREE
          and left["middle_names"] is not None and right["middle_names"] is not None
          and _same_surname(left, right)
          and level_label(specs["forename"], left, right) == "same"
          and level_label(specs["middle_names"], left, right) == "different"):
        shape = NAMESAKE
    if shape and (level_label(specs["strong_id"], left, right) or "").startswith("same "):
        return None
    return shape


def _same_surname(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    """The "same surname" class of the surname-and-place comparison: equal, or the two
    names written in each other's place."""
    return ((left["surname"] is not None and left["surname"] == right["surname"])
            or (left["first_name"] is not None and left["first_name"] == right["surname"]
                and left["surname"] is not None and left["surname"] == right["first_name"]))


_SPECS: dict[str, ComparisonSpec] = {}


def _specs() -> dict[str, ComparisonSpec]:
    if not _SPECS:
        _SPECS.update({spec.name: spec for spec in comparison_specs()})
    return _SPECS


def _gammas(spec: ComparisonSpec, wanted: object) -> list[int]:
    """The comparison vector values of the spec's levels whose label is `wanted`
    (Splink numbers the levels below the null level from the most alike down to 0)."""
    levels = [level for level in spec.levels if not level.is_null_level]
    return [len(levels) - 1 - i for i, level in enumerate(levels)
            if wanted(level.label)]  # type: ignore[operator]
