"""The Splink settings of the model: comparisons, blocking rules, training passes.

Blocking rules are plain lists of columns that must be equal (a list column: share an
item). Batch prediction turns them into Splink `block_on` rules, exploding the list
columns; the real-time index turns the same lists into keys (`blocking_keys`), so both
find exactly the same candidate pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product
from typing import Any

from splink import SettingsCreator, block_on

from kinlink.linkage.comparisons import comparison_specs

# Each rule keeps pairs equal on all its columns; a list column (`LIST_COLUMNS`) is equal
# when the two lists share an item. Together they keep the pairs where one or two fields
# went wrong: a misspelt name (sound codes), a nickname or an earlier surname (the
# forename's formal forms with every surname the record has held), names written in
# each other's place (sorted names; a name in either position with the date of birth), a
# middle name used as the forename (the sound code of every name word with the date of
# birth), a missing or wrong date of birth (names; a name and the postcode; a name and
# the middle names), a move (everything but place), and any shared strong id. Each
# groups few records: candidate pairs per record grow with a name's frequency only
# (bench/linkage_accuracy.py measures them).
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("name_codes", "dob"),
    ("first_name_dm", "surname_dm"),
    ("first_name_nick", "surnames_all"),
    ("names_sorted",),
    ("name_codes", "postcode"),
    ("first_name_dm", "middle_names"),
    ("surname_dm", "middle_names"),
    ("dob", "postcode"),
    ("dob", "sex", "postcode_district"),
    ("nhs_number",),
    ("upn",),
    ("pnc_id",),
)
LIST_COLUMNS = frozenset({"name_codes", "first_name_nick", "surnames_all"})

# EM passes: each estimates m for the comparisons that do not use its columns, so
# together they train every comparison on pairs where it is free to disagree. The
# forename is trained on pairs sharing only a date of birth, where surname, place and
# sex are free too: trained where it was nearly the only free comparison, EM took every
# pair with different forenames for two people and learnt a veto (on historical_50k a
# quarter of one person's record pairs carry different forenames).
TRAINING_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("first_name_dm", "dob"),
    ("dob",),
    ("first_name", "surname"),
)

# Pairs that are near-certainly the same person, for estimating the prior.
DETERMINISTIC_RULES: tuple[tuple[str, ...], ...] = (
    ("first_name", "surname", "dob"),
    ("nhs_number",),
    ("upn",),
    ("pnc_id",),
)
DETERMINISTIC_RECALL = 0.7

UNIQUE_ID = "uid"


def _rules(rules: tuple[tuple[str, ...], ...]) -> list[Any]:
    return [block_on(*columns, arrays_to_explode=[c for c in columns if c in LIST_COLUMNS]
                     or None) for columns in rules]


def settings_creator() -> SettingsCreator:
    """The untrained model."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=[spec.creator() for spec in comparison_specs()],
        blocking_rules_to_generate_predictions=_rules(BLOCKING_RULES),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        max_iterations=20,
    )


def training_rules() -> list[Any]:
    """The blocking rules of the EM passes."""
    return _rules(TRAINING_BLOCKS)


def deterministic_rules() -> list[Any]:
    """Rules admitting almost only true matches, for the prior."""
    return _rules(DETERMINISTIC_RULES)


def settings_for_dialect(trained: Mapping[str, Any], dialect: str) -> dict[str, Any]:
    """The trained model's settings with each level's SQL written for `dialect`.

    The structure comes from code; only the parameters (m, u, prior) come from the
    trained settings, level by level.
    """
    fresh = settings_creator().create_settings_dict(dialect)
    fresh["probability_two_random_records_match"] = trained[
        "probability_two_random_records_match"]
    for new, old in zip(fresh["comparisons"], trained["comparisons"], strict=True):
        for new_level, old_level in zip(new["comparison_levels"], old["comparison_levels"],
                                        strict=True):
            for key in ("m_probability", "u_probability"):
                if key in old_level:
                    new_level[key] = old_level[key]
    return fresh


def blocking_keys(record: Mapping[str, Any]) -> list[str]:
    """The record's real-time index keys: per blocking rule whose columns are all known,
    one key per combination of its list columns' items.

    Two records share a key exactly when a batch blocking rule would pair them.
    """
    keys = []
    for number, columns in enumerate(BLOCKING_RULES):
        values = [_key_items(record.get(c), listed=c in LIST_COLUMNS) for c in columns]
        keys += [f"{number}|" + "|".join(combination) for combination in product(*values)]
    return sorted(set(keys))


def _key_items(value: Any, *, listed: bool) -> list[str]:
    """The known values a column contributes to keys (none when it is unknown)."""
    items = (value or []) if listed else [value]
    return [str(v) for v in items if v is not None and v != ""]
