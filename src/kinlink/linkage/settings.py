"""The Splink settings of the model: comparisons, blocking rules, training passes.

Blocking rules are plain lists of columns that must be equal. Batch prediction turns
them into Splink `block_on` rules; the real-time index turns the same lists into keys
(`blocking_keys`), so both find exactly the same candidate pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from splink import SettingsCreator, block_on

from kinlink.linkage.comparisons import comparison_specs

# Each rule keeps pairs equal on all its columns. Together they keep the pairs where one
# or two fields went wrong: a misspelt name (phonetic codes), a surname change (forename
# and date of birth), forename and surname swapped (sorted names), a missing or wrong date
# of birth (names; a name and the postcode), a move (everything but place), and any
# shared strong id. Each groups few records, so comparisons grow about linearly.
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("first_name_dm", "dob"),
    ("surname_dm", "dob"),
    ("names_sorted",),
    ("first_name_dm", "surname_dm"),
    ("first_name_dm", "postcode"),
    ("surname_dm", "postcode"),
    ("surname_dm", "dob_year", "sex"),
    ("dob", "postcode"),
    ("dob", "sex", "postcode_district"),
    ("nhs_number",),
    ("upn",),
    ("pnc_id",),
)

# EM passes: each estimates m for the comparisons that do not use its columns, so
# together they train every comparison on pairs where it is free to disagree.
TRAINING_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("first_name_dm", "dob"),
    ("surname_dm", "dob"),
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
    return [block_on(*columns) for columns in rules]


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
    """The record's real-time index keys: one per blocking rule whose columns are all known.

    Two records share a key exactly when a batch blocking rule would pair them.
    """
    keys = []
    for number, columns in enumerate(BLOCKING_RULES):
        values = [record.get(c) for c in columns]
        if all(v is not None and v != "" for v in values):
            keys.append(f"{number}|" + "|".join(str(v) for v in values))
    return keys
