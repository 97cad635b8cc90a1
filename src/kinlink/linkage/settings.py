"""The Splink settings of the model: comparisons, the blocking rules chosen for the data
(see `blocking.py`), training passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from splink import SettingsCreator

from kinlink.linkage.blocking import LEGACY_RULES, BlockingRule, splink_rules
from kinlink.linkage.comparisons import comparison_specs

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


def settings_creator(rules: Sequence[BlockingRule] = LEGACY_RULES) -> SettingsCreator:
    """The untrained model, predicting on the candidate pairs of `rules`."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=[spec.creator() for spec in comparison_specs()],
        blocking_rules_to_generate_predictions=splink_rules(rules),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
        max_iterations=20,
    )


def training_rules() -> list[Any]:
    """The blocking rules of the EM passes."""
    return splink_rules(TRAINING_BLOCKS)


def deterministic_rules() -> list[Any]:
    """Rules admitting almost only true matches, for the prior."""
    return splink_rules(DETERMINISTIC_RULES)


def settings_for_dialect(trained: Mapping[str, Any], dialect: str,
                         rules: Sequence[BlockingRule] = LEGACY_RULES) -> dict[str, Any]:
    """The trained model's settings with each level's SQL written for `dialect`.

    The structure comes from code; only the parameters (m, u, prior) come from the
    trained settings, level by level.
    """
    fresh = settings_creator(rules).create_settings_dict(dialect)
    fresh["probability_two_random_records_match"] = trained[
        "probability_two_random_records_match"]
    for new, old in zip(fresh["comparisons"], trained["comparisons"], strict=True):
        for new_level, old_level in zip(new["comparison_levels"], old["comparison_levels"],
                                        strict=True):
            for key in ("m_probability", "u_probability"):
                if key in old_level:
                    new_level[key] = old_level[key]
    return fresh
