"""Blocking that adapts to the data: which pairs of records are compared at all.

A blocking rule is a list of columns that must be equal (a list column: the lists share
an item), some only for pairs where one record lacks a column. Training profiles the
records (how full each column is, how many distinct values it holds) and chooses the
rules the data support (`choose_blocking`):

- the **core** rules, each pairing a field that identifies a person with one that
  places them, so that a block stays the size of a household or a birthday however many
  records there are; a rule is dropped when one of its columns is empty everywhere;
- the **broad** rules (a name alone, the date of birth alone, a name with a district),
  which find pairs where every placing field went wrong, taken narrowest first (fewest
  pairs) while the pairs they add stay within `BROAD_PAIRS_PER_RECORD` per record: a
  small file gets them all, a million records only those whose blocks stay small.

Batch prediction turns the chosen rules into Splink `block_on` rules (list columns
exploded); the real-time index turns the same rules into keys (`index_keys`,
`query_keys`), so both find exactly the same candidate pairs. The choice is saved with
the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from splink import block_on
from splink.blocking_rule_library import And, CustomRule


@dataclass(frozen=True)
class BlockingRule:
    """Pairs of records equal on all `columns` (a list column: the lists share an item);
    with `one_lacks`, only those pairs where at least one of the two lacks that column."""

    columns: tuple[str, ...]
    one_lacks: str | None = None

    @property
    def name(self) -> str:
        """The rule in words, and its real-time key space: `surname_dm+dob_year`."""
        return "+".join(self.columns) + (f"(one lacks {self.one_lacks})"
                                         if self.one_lacks else "")

    def as_dict(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "one_lacks": self.one_lacks}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BlockingRule:
        return cls(tuple(data["columns"]), data.get("one_lacks"))


# Each core rule holds a field that identifies a person with one that places them: a
# misspelt name (the sound code of every name word) with the date of birth (day and
# month in either order); both names under a typo each (leading or trailing letters)
# with the year or with the day and month, so that both names misspelt and one digit of
# the date wrong still meet; a wrong date (name sounds with the year, or the day and
# month); a move (the date and the postcode); a name or the date with the postcode, or
# with the house and street where one record has no postcode (not recorded, or a
# US-style address); any shared strong id. Names alone would make blocks that grow with the
# square of the records (every John Smith with every other), so among the core rules
# they pair only a record that has no date of birth, whose other fields cannot place it
# (and such a record is paired with everyone at its house and street: both names
# misspelt, or a surname changed, leave it nothing else),
# and the names of a record with no postcode (of no fixed abode, say), whose date of
# birth may be wrong.
CORE_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(("name_codes", "dob_unordered")),
    BlockingRule(("first_name_dm", "surname_dm", "dob_year")),
    BlockingRule(("first_name_dm", "surname_dm", "dob_month_day")),
    BlockingRule(("name_ends", "dob_year")),
    BlockingRule(("name_ends", "dob_month_day")),
    BlockingRule(("dob", "postcode")),
    BlockingRule(("name_codes", "postcode")),
    BlockingRule(("dob", "address_key"), one_lacks="postcode"),
    BlockingRule(("name_codes", "address_key"), one_lacks="postcode"),
    BlockingRule(("address_key",), one_lacks="dob"),
    BlockingRule(("name_codes_pair",), one_lacks="dob"),
    BlockingRule(("name_codes_pair",), one_lacks="postcode"),
    BlockingRule(("first_name_nick", "surnames_all"), one_lacks="dob"),
    BlockingRule(("first_name_dm", "middle_names"), one_lacks="dob"),
    BlockingRule(("surname_dm", "middle_names"), one_lacks="dob"),
    BlockingRule(("nhs_number",)),
    BlockingRule(("upn",)),
    BlockingRule(("pnc_id",)),
)
# Rules whose blocks grow with the records: taken while affordable, those making the
# fewest pairs first (the narrowest blocks are the most telling).
BROAD_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(("first_name_dm", "surname_dm")),
    BlockingRule(("surname_dm", "postcode_district")),
    BlockingRule(("first_name_nick", "postcode_district")),
    BlockingRule(("surname_dm",), one_lacks="dob"),
    BlockingRule(("first_name_nick",), one_lacks="dob"),
    BlockingRule(("postcode_sector",), one_lacks="dob"),
    BlockingRule(("name_ends",)),
    BlockingRule(("surname_dm", "address_tokens")),
    BlockingRule(("first_name_nick", "address_tokens")),
    BlockingRule(("dob",)),
    BlockingRule(("surname",)),
    BlockingRule(("first_name", "dob_year")),
    BlockingRule(("surname_dm",)),
    BlockingRule(("first_name_dm",)),
    BlockingRule(("address_tokens", "dob_year")),
    # A surname (any held) or a name sound with a place word, where one record has no
    # date of birth; a surname sound with the year; a name sound with the district: a
    # forename replaced by a title or an unknown nickname (SIR EVANS / ARTHUR EVANS).
    BlockingRule(("surnames_all", "address_tokens"), one_lacks="dob"),
    BlockingRule(("name_codes", "address_tokens"), one_lacks="dob"),
    BlockingRule(("surname_dm", "dob_year")),
    BlockingRule(("name_codes", "postcode_district")),
    # On a small file: any name in common by sound (names swapped, one name blank on
    # each side). Not the year or the day and month of birth alone: a real-time query
    # would find every stranger born that year or on that day.
    BlockingRule(("name_codes",)),
)
# The rules before adaptive blocking: what a model saved without a choice was made with.
LEGACY_RULES: tuple[BlockingRule, ...] = tuple(
    rule for rule in CORE_RULES
    if not {"name_ends", "address_key"} & set(rule.columns))
LIST_COLUMNS = frozenset({"name_codes", "first_name_nick", "surnames_all", "name_ends",
                          "address_tokens"})
BROAD_PAIRS_PER_RECORD = 2
"""Candidate pairs per record the broad rules may add between them: near-linear."""
BROAD_PAIRS_AT_LEAST = 200_000
"""... and on a small file, up to this many whatever its size (a second of scoring)."""
PROFILED_COLUMNS = ("first_name", "middle_names", "surname", "dob", "sex", "postcode",
                    "address_tokens", "address_key", "nhs_number", "upn", "pnc_id")


@dataclass(frozen=True)
class Blocking:
    """The rules chosen for a data set, with the profile and pair counts behind them."""

    rules: tuple[BlockingRule, ...]
    profile: dict[str, dict[str, float]] = field(default_factory=dict)
    records: int = 0
    pairs: dict[str, int] = field(default_factory=dict)  # rule name -> estimated pairs
    two_routes: float | None = None  # share of records that at least two rules can reach

    def as_dict(self) -> dict[str, Any]:
        return {"rules": [rule.as_dict() for rule in self.rules], "profile": self.profile,
                "records": self.records, "pairs": self.pairs, "two_routes": self.two_routes}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Blocking:
        """A saved choice; a model saved before there was one used the legacy rules."""
        if not data:
            return cls(LEGACY_RULES)
        return cls(tuple(BlockingRule.from_dict(r) for r in data["rules"]),
                   data.get("profile", {}), data.get("records", 0), data.get("pairs", {}),
                   data.get("two_routes"))

    def summary(self) -> str:
        """One short paragraph: the profile and the rules chosen."""
        filled = ", ".join(f"{c} {p['filled']:.0%}" for c, p in self.profile.items())
        broad = [r.name for r in self.rules if r in BROAD_RULES]
        estimated = sum(self.pairs.values())
        per_record = estimated / self.records if self.records else 0.0
        routes = f"; {self.two_routes:.1%} of records reachable by two or more rules" \
            if self.two_routes is not None else ""
        return (f"Blocking: {len(self.rules)} rules ({len(self.rules) - len(broad)} core, "
                f"broad: {', '.join(broad) or 'none affordable'}); at most {per_record:.1f} "
                f"candidate pairs per record (estimated){routes}. Filled: {filled}.")


def choose_blocking(records: pa.Table) -> Blocking:
    """Profile `records` (prepared) and choose the rules their columns support."""
    profile = profile_records(records)
    known = {c for c, p in profile.items() if p["filled"] > 0}
    usable = [r for r in (*CORE_RULES, *BROAD_RULES) if _supported(r, known, records)]
    con = duckdb.connect()
    try:
        con.register("records", records)
        pairs = {r.name: _pair_count(con, r) for r in usable}
    finally:
        con.close()
    budget = max(BROAD_PAIRS_PER_RECORD * records.num_rows, BROAD_PAIRS_AT_LEAST)
    chosen = [r for r in usable if r in CORE_RULES]
    broad = sorted((r for r in usable if r in BROAD_RULES), key=lambda r: pairs[r.name])
    for rule in broad:
        if pairs[rule.name] <= budget:
            chosen.append(rule)
            budget -= pairs[rule.name]
    return Blocking(tuple(chosen), profile, records.num_rows,
                    {r.name: pairs[r.name] for r in chosen}, _two_routes(records, chosen))


def profile_records(records: pa.Table) -> dict[str, dict[str, float]]:
    """column -> share of records where it is known, and its distinct values."""
    profile = {}
    for column in PROFILED_COLUMNS:
        if column not in records.column_names:
            continue
        values = records[column]
        known = len(values) - values.null_count
        if pa.types.is_list(values.type):  # a list column: its distinct items
            values = pc.list_flatten(values)
        distinct = len(pc.unique(values.drop_null())) if known else 0
        profile[column] = {"filled": round(known / records.num_rows, 4) if records.num_rows
                           else 0.0, "distinct": distinct}
    return profile


def _supported(rule: BlockingRule, known: set[str], records: pa.Table) -> bool:
    """Whether every column of the rule is known somewhere (a rule on a column empty
    everywhere pairs nothing, and costs a join)."""
    profiled = [c for c in rule.columns if c in PROFILED_COLUMNS]
    others = [c for c in rule.columns if c not in PROFILED_COLUMNS]
    return (all(c in known for c in profiled)
            and all(records[c].null_count < records.num_rows for c in others))


def _pair_count(con: duckdb.DuckDBPyConnection, rule: BlockingRule) -> int:
    """Pairs the rule makes (an upper bound: a pair sharing two list items counts twice)."""
    known = " AND ".join(f"{c} IS NOT NULL" for c in rule.columns)
    lacking = f"{rule.one_lacks} IS NULL" if rule.one_lacks else "FALSE"
    rows = f"SELECT {', '.join(rule.columns)}, {lacking} AS lacks FROM records WHERE {known}"
    # One list column unnested per level: two unnests in one SELECT would be zipped, not
    # crossed as Splink's exploding is.
    for column in (c for c in rule.columns if c in LIST_COLUMNS):
        others = ", ".join(c for c in (*rule.columns, "lacks") if c != column)
        rows = f"SELECT unnest({column}) AS {column}, {others} FROM ({rows})"
    # n records share a key, m of them lacking `one_lacks`: every pair, or only those
    # with a lacking side.
    pairs = ("n * (n - 1) / 2" if rule.one_lacks is None
             else "m * (n - m) + m * (m - 1) / 2")
    sql = (f"SELECT sum({pairs}) FROM (SELECT count(*) AS n, count(*) FILTER (WHERE lacks) "
           f"AS m FROM ({rows}) GROUP BY {', '.join(rule.columns)})")
    return int(con.execute(sql).fetchall()[0][0] or 0)


def _two_routes(records: pa.Table, rules: Sequence[BlockingRule]) -> float | None:
    """Share of records that at least two of the rules can pair with something."""
    if not records.num_rows or not rules:
        return None
    routes = np.zeros(records.num_rows, np.int64)
    for rule in rules:
        usable = np.ones(records.num_rows, bool)
        for column in rule.columns:
            usable &= pc.is_valid(records[column]).to_numpy(zero_copy_only=False)
        routes += usable
    return round(float((routes >= 2).mean()), 4)


def splink_rules(rules: Iterable[BlockingRule | tuple[str, ...]]) -> list[Any]:
    """Splink blocking rules, exploding the list columns."""
    return [splink_rule for r in rules
            for splink_rule in _splink_rules(r if isinstance(r, BlockingRule)
                                             else BlockingRule(r))]


def _splink_rules(rule: BlockingRule) -> list[Any]:
    """One rule as Splink rules. A rule with `one_lacks` becomes two, one per side that
    lacks the column: a filter on one side is applied before the join, so only the
    records lacking it are joined, not every pair of records with the same names."""
    explode = [c for c in rule.columns if c in LIST_COLUMNS] or None
    if rule.one_lacks is None:
        return [block_on(*rule.columns, arrays_to_explode=explode)]
    return [And(block_on(*rule.columns), CustomRule(f"{side}.{rule.one_lacks} IS NULL"),
                arrays_to_explode=explode) for side in ("l", "r")]


def index_keys(record: Mapping[str, Any], rules: Sequence[BlockingRule]) -> list[str]:
    """The keys the real-time index holds the record under: per blocking rule whose
    columns are all known, one key per combination of its list columns' items; under a
    rule with `one_lacks`, also a "lacking" key when the record lacks that column.

    Two records are a candidate pair exactly when one's `query_keys` meet the other's
    index keys, which is when a batch blocking rule pairs them (both ways round).
    """
    return _keys(record, rules, query=False)


def query_keys(record: Mapping[str, Any], rules: Sequence[BlockingRule]) -> list[str]:
    """The keys a record looks up in the real-time index (see `index_keys`): under a rule
    with `one_lacks`, a record lacking that column looks up every record with the same
    values, one that has it only those lacking it."""
    return _keys(record, rules, query=True)


def _keys(record: Mapping[str, Any], rules: Sequence[BlockingRule], *,
          query: bool) -> list[str]:
    keys = []
    for rule in rules:
        values = [_key_items(record.get(c), listed=c in LIST_COLUMNS) for c in rule.columns]
        for marker in _markers(rule, record, query=query):
            keys += [f"{rule.name}{marker}|" + "|".join(combination)
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
