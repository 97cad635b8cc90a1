"""The Splink settings of the model: comparisons, blocking rules, training passes.

Blocking rules are lists of columns that must be equal (a list column: share an item),
some only for records lacking a date of birth. Batch prediction turns them into Splink
`block_on` rules, exploding the list columns; the real-time index turns the same rules
into keys (`index_keys`, `query_keys`), so both find exactly the same candidate pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import product
from typing import Any

from splink import SettingsCreator, block_on
from splink.blocking_rule_library import And, CustomRule

from kinlink.linkage.comparisons import comparison_specs


@dataclass(frozen=True)
class BlockingRule:
    """Pairs of records equal on all `columns` (a list column: the lists share an item);
    with `one_lacks`, only those pairs where at least one of the two lacks that column."""

    columns: tuple[str, ...]
    one_lacks: str | None = None


# Together the rules keep the pairs where one or two fields went wrong, each rule holding
# a field that identifies a person with one that places them, so that a block stays the
# size of a household or a birthday however large the borough: a misspelt name (sound
# codes of every name word) with the date of birth (day and month in either order); a
# wrong date of birth (names with the year, or with the day and month); a move (the date
# and the postcode); a name with the postcode; any shared strong id. Names alone would
# make blocks that grow with the borough (every John Smith with every other), so they
# pair only a record that has no date of birth, whose other fields cannot place it:
# sound codes of both names in either order, a formal forename with any surname ever
# held (nicknames, surname changes), a name with the middle names; and the names of a
# record with no postcode (of no fixed abode, say), whose date of birth may be wrong.
BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(("name_codes", "dob_unordered")),
    BlockingRule(("first_name_dm", "surname_dm", "dob_year")),
    BlockingRule(("first_name_dm", "surname_dm", "dob_month_day")),
    BlockingRule(("dob", "postcode")),
    BlockingRule(("name_codes", "postcode")),
    BlockingRule(("name_codes_pair",), one_lacks="dob"),
    BlockingRule(("name_codes_pair",), one_lacks="postcode"),
    BlockingRule(("first_name_nick", "surnames_all"), one_lacks="dob"),
    BlockingRule(("first_name_dm", "middle_names"), one_lacks="dob"),
    BlockingRule(("surname_dm", "middle_names"), one_lacks="dob"),
    BlockingRule(("nhs_number",)),
    BlockingRule(("upn",)),
    BlockingRule(("pnc_id",)),
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


def _rules(rules: Iterable[BlockingRule | tuple[str, ...]]) -> list[Any]:
    """Splink blocking rules, exploding the list columns."""
    return [splink_rule for r in rules
            for splink_rule in _splink_rules(r if isinstance(r, BlockingRule) else BlockingRule(r))]


def _splink_rules(rule: BlockingRule) -> list[Any]:
    """One rule as Splink rules. A rule with `one_lacks` becomes two, one per side that
    lacks the column: a filter on one side is applied before the join, so only the
    records lacking it are joined, not every pair of records with the same names."""
    explode = [c for c in rule.columns if c in LIST_COLUMNS] or None
    if rule.one_lacks is None:
        return [block_on(*rule.columns, arrays_to_explode=explode)]
    return [And(block_on(*rule.columns), CustomRule(f"{side}.{rule.one_lacks} IS NULL"),
                arrays_to_explode=explode) for side in ("l", "r")]


def settings_creator() -> SettingsCreator:
    """The untrained model."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=[spec.creator() for spec in comparison_specs()],
        blocking_rules_to_generate_predictions=_rules(BLOCKING_RULES),
        retain_matching_columns=False,
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


def index_keys(record: Mapping[str, Any]) -> list[str]:
    """The keys the real-time index holds the record under: per blocking rule whose
    columns are all known, one key per combination of its list columns' items; under a
    rule with `one_lacks`, also a "lacking" key when the record lacks that column.

    Two records are a candidate pair exactly when one's `query_keys` meet the other's
    index keys, which is when a batch blocking rule pairs them (both ways round).
    """
    return _keys(record, query=False)


def query_keys(record: Mapping[str, Any]) -> list[str]:
    """The keys a record looks up in the real-time index (see `index_keys`): under a rule
    with `one_lacks`, a record lacking that column looks up every record with the same
    values, one that has it only those lacking it."""
    return _keys(record, query=True)


def _keys(record: Mapping[str, Any], *, query: bool) -> list[str]:
    keys = []
    for number, rule in enumerate(BLOCKING_RULES):
        values = [_key_items(record.get(c), listed=c in LIST_COLUMNS) for c in rule.columns]
        for marker in _markers(rule, record, query=query):
            keys += [f"{number}{marker}|" + "|".join(combination)
                     for combination in product(*values)]
    return sorted(set(keys))


def _markers(rule: BlockingRule, record: Mapping[str, Any], *, query: bool) -> list[str]:
    """The key spaces a record is held in (or looks up) under `rule`: "" for everyone,
    "-" for the records lacking the rule's `one_lacks` column."""
    if rule.one_lacks is None:
        return [""]
    lacks = not _key_items(record.get(rule.one_lacks), listed=rule.one_lacks in LIST_COLUMNS)
    if query:
        return [""] if lacks else ["-"]
    return ["", "-"] if lacks else [""]


def _key_items(value: Any, *, listed: bool) -> list[str]:
    """The known values a column contributes to keys (none when it is unknown)."""
    items = (value or []) if listed else [value]
    return [str(v) for v in items if v is not None and v != ""]
