"""Scoring pairs in Python exactly as Splink's batch SQL does, for real time.

Batch prediction evaluates each level's SQL condition, then adds the prior's match
weight, each comparison's level weight (`mw_`) and term-frequency adjustment
(`mw_tf_adj_`). Here each level's Python twin (see `comparisons.py`) picks the level,
and the weights are read from Splink's own settings object built from the same trained
model, then added in the same order. A DuckDB query per real-time match costs 20-30 ms
of planning alone; this costs microseconds per candidate.

A query's candidates share values: a common name's block holds hundreds of records
with a few dozen distinct forenames, dates or addresses. So a record can be *packed*
(`PairScorer.pack`) as one JSON array per comparison holding just the columns that
comparison reads (Splink's own parse of the level SQL), and `QueryScorer` decides each
comparison once per distinct array text, which is both the memo key and, on a miss, the
only part decoded. The twins are handed only those columns, so a twin that read any
other column would fail loudly rather than be memoised on too little.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from splink import SettingsCreator
from splink.internals.misc import prob_to_match_weight

from kinlink.linkage.comparisons import ComparisonSpec, Level, comparison_specs
from kinlink.linkage.model import LinkageModel

# Separates the parts of a packed record; JSON escapes control characters inside strings,
# so it never occurs within a part.
SEPARATOR = "\x1f"

_decode = json.JSONDecoder().decode

TermFrequencies = Mapping[str, Mapping[Any, float]]  # column -> value -> share of records


@dataclass(frozen=True)
class _ScoredLevel:
    level: Level
    gamma: int
    weight: float
    tf_column: str | None
    tf_weight: float
    tf_minimum_u: float
    log2_u_exact: float


@dataclass(frozen=True)
class _ScoredComparison:
    spec: ComparisonSpec
    levels: tuple[_ScoredLevel, ...]
    columns: tuple[str, ...]  # the record columns its levels read, incl. TF columns

    def decide(self, left: Mapping[str, Any], right: Mapping[str, Any],
               tf: TermFrequencies) -> tuple[_ScoredLevel, float]:
        """The level the pair falls in, and its term-frequency adjustment."""
        for level in self.levels:
            if level.level.py(left, right):
                return level, _tf_adjustment(level, left, right, tf)
        raise AssertionError(f"no level of {self.spec.name} holds: it must end in ELSE")


class PairScorer:
    """Scores (query, candidate) pairs of prepared records with a trained model."""

    def __init__(self, model: LinkageModel) -> None:
        settings = SettingsCreator.from_path_or_dict(model.settings_for("duckdb")) \
            .get_settings("duckdb")
        self.prior_weight = prob_to_match_weight(
            settings.core_model_settings.probability_two_random_records_match)
        self._comparisons = tuple(
            _ScoredComparison(spec, tuple(
                _scored_level(level, splink_level, splink_comparison.comparison_levels)
                for level, splink_level in zip(spec.levels,
                                               splink_comparison.comparison_levels,
                                               strict=True)), _columns_read(splink_comparison))
            for spec, splink_comparison in zip(comparison_specs(), settings.comparisons,
                                               strict=True))
        self.tf_columns = sorted({lv.tf_column for c in self._comparisons for lv in c.levels
                                  if lv.tf_column})
        self._packed_columns = {c for comparison in self._comparisons for c in comparison.columns}

    @property
    def layout(self) -> tuple[tuple[str, ...], ...]:
        """The columns of each packed part after the first, in order (see `pack`)."""
        return tuple(c.columns for c in self._comparisons)

    def score(self, left: Mapping[str, Any], right: Mapping[str, Any],
              tf: TermFrequencies) -> dict[str, Any]:
        """The pair as a row like `predict`'s: weights, gammas and the compared values.

        `left`/`right` are prepared records; `tf` the term frequencies of the records
        they are matched among.
        """
        row: dict[str, Any] = {"uid_l": left["uid"], "uid_r": right["uid"]}
        total = self.prior_weight
        for comparison in self._comparisons:
            chosen, adjustment = comparison.decide(left, right, tf)
            name = comparison.spec.name
            row[f"gamma_{name}"] = chosen.gamma
            row[f"mw_{name}"] = chosen.weight
            row[f"mw_tf_adj_{name}"] = adjustment
            total = total + chosen.weight + adjustment  # Splink's order of addition
            for column in comparison.spec.shown:
                row[f"{column}_l"], row[f"{column}_r"] = left[column], right[column]
        row["match_weight"] = total
        row["match_probability"] = _probability(total)
        return row

    def pack(self, record: Mapping[str, Any]) -> str:
        """The record as text: its other columns as a JSON object, then one JSON array per
        comparison of the columns it reads (`layout`), joined by SEPARATOR."""
        rest = {k: v for k, v in record.items() if k not in self._packed_columns}
        parts = [json.dumps([record[c] for c in columns]) for columns in self.layout]
        return SEPARATOR.join([json.dumps(rest), *parts])

    def unpack(self, text: str) -> dict[str, Any]:
        """The prepared record a `pack` was made from."""
        rest, *parts = text.split(SEPARATOR)
        record = json.loads(rest)
        for columns, part in zip(self.layout, parts, strict=True):
            record.update(zip(columns, json.loads(part), strict=True))
        return record

    def for_query(self, left: Mapping[str, Any], tf: TermFrequencies) -> QueryScorer:
        """A scorer of packed candidates against one query record."""
        return QueryScorer(self.prior_weight, self._comparisons, left, tf)


class QueryScorer:
    """Match weights of packed candidates against one query, each comparison decided once
    per distinct packed part; the weights are `PairScorer.score`'s to the last bit."""

    def __init__(self, prior_weight: float, comparisons: tuple[_ScoredComparison, ...],
                 left: Mapping[str, Any], tf: TermFrequencies) -> None:
        self._prior_weight = prior_weight
        self._comparisons = comparisons
        self._left = left
        self._tf = tf
        self._memos: tuple[dict[str, tuple[float, float]], ...] = tuple(
            {} for _ in comparisons)

    def weight(self, packed: str) -> float:
        """The match weight of the candidate packed as `packed` (see `PairScorer.pack`)."""
        total = self._prior_weight
        parts = packed.split(SEPARATOR)
        for part, memo, comparison in zip(parts[1:], self._memos, self._comparisons,
                                          strict=True):
            found = memo.get(part)
            if found is None:
                found = memo[part] = self._decide(comparison, part)
            total = total + found[0] + found[1]  # Splink's order of addition, as in score()
        return total

    def _decide(self, comparison: _ScoredComparison, part: str) -> tuple[float, float]:
        right = dict(zip(comparison.columns, _decode(part), strict=True))
        chosen, adjustment = comparison.decide(self._left, right, self._tf)
        return chosen.weight, adjustment


def _columns_read(splink_comparison: Any) -> tuple[str, ...]:
    """The input columns a comparison's levels read, in their SQL or for TF adjustment;
    sorted, as Splink's parse returns them in an order that changes between processes."""
    used = [*splink_comparison._input_columns_used_by_case_statement,
            *splink_comparison._tf_adjustment_input_columns]
    return tuple(sorted({column.input_name for column in used}))


def _scored_level(level: Level, splink_level: Any, siblings: list[Any]) -> _ScoredLevel:
    """A level with the weights Splink would use for it."""
    tf_column = None
    log2_u_exact = 0.0
    if (splink_level._has_tf_adjustments and splink_level._tf_adjustment_weight != 0
            and not splink_level._is_else_level and not splink_level.is_null_level):
        tf_column = splink_level._tf_adjustment_input_column.input_name
        log2_u_exact = math.log2(splink_level._u_probability_corresponding_to_exact_match(
            siblings))
    weight = 0.0 if splink_level.is_null_level else float(splink_level._match_weight)
    return _ScoredLevel(level, int(splink_level.comparison_vector_value), weight, tf_column,
                        float(splink_level._tf_adjustment_weight or 0.0),
                        float(splink_level._tf_minimum_u_value or 0.0), log2_u_exact)


def _tf_adjustment(level: _ScoredLevel, left: Mapping[str, Any], right: Mapping[str, Any],
                   tf: TermFrequencies) -> float:
    """Splink's term-frequency adjustment: log2(u of exact match) - log2(max tf)."""
    if level.tf_column is None:
        return 0.0
    shares = tf.get(level.tf_column, {})
    known = [share for share in (shares.get(left[level.tf_column]),
                                 shares.get(right[level.tf_column])) if share is not None]
    if not known:
        return 0.0
    return level.tf_weight * (level.log2_u_exact - math.log2(max(*known, level.tf_minimum_u)))


def _probability(weight: float) -> float:
    """Splink's match probability of a match weight (stable for large |weight|)."""
    if weight >= 0:
        return 1.0 / (1.0 + 2.0 ** (-weight))
    return 2.0 ** weight / (1.0 + 2.0 ** weight)
