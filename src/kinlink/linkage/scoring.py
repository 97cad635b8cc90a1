"""Scoring pairs in Python exactly as Splink's batch SQL does, for real time.

Batch prediction evaluates each level's SQL condition, then adds the prior's match
weight, each comparison's level weight (`mw_`) and term-frequency adjustment
(`mw_tf_adj_`). Here each level's Python twin (see `comparisons.py`) picks the level,
and the weights are read from Splink's own settings object built from the same trained
model, then added in the same order. A DuckDB query per real-time match costs 20-30 ms
of planning alone; this costs microseconds per candidate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from splink import SettingsCreator
from splink.internals.misc import prob_to_match_weight

from kinlink.linkage.comparisons import ComparisonSpec, Level, comparison_specs
from kinlink.linkage.model import LinkageModel


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
                                               strict=True)))
            for spec, splink_comparison in zip(comparison_specs(), settings.comparisons,
                                               strict=True))
        self.tf_columns = sorted({lv.tf_column for c in self._comparisons for lv in c.levels
                                  if lv.tf_column})

    def score(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> dict[str, Any]:
        """The pair as a row like `predict`'s: weights, gammas and the compared values.

        `left`/`right` are prepared records plus `tf_<column>` term frequencies.
        """
        row: dict[str, Any] = {"uid_l": left["uid"], "uid_r": right["uid"]}
        total = self.prior_weight
        for comparison in self._comparisons:
            chosen = next(lv for lv in comparison.levels if lv.level.py(left, right))
            name = comparison.spec.name
            adjustment = _tf_adjustment(chosen, left, right)
            row[f"gamma_{name}"] = chosen.gamma
            row[f"mw_{name}"] = chosen.weight
            row[f"mw_tf_adj_{name}"] = adjustment
            total = total + chosen.weight + adjustment
            for column in comparison.spec.shown:
                row[f"{column}_l"], row[f"{column}_r"] = left[column], right[column]
        row["match_weight"] = total
        row["match_probability"] = _probability(total)
        return row

    def score_many(self, left: Mapping[str, Any],
                   candidates: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """`left` scored against each candidate."""
        return [self.score(left, right) for right in candidates]


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


def _tf_adjustment(level: _ScoredLevel, left: Mapping[str, Any],
                   right: Mapping[str, Any]) -> float:
    """Splink's term-frequency adjustment: log2(u of exact match) - log2(max tf)."""
    if level.tf_column is None:
        return 0.0
    tf_l, tf_r = left.get(f"tf_{level.tf_column}"), right.get(f"tf_{level.tf_column}")
    known = [tf for tf in (tf_l, tf_r) if tf is not None]
    if not known:
        return 0.0
    return level.tf_weight * (level.log2_u_exact - math.log2(max(*known, level.tf_minimum_u)))


def _probability(weight: float) -> float:
    """Splink's match probability of a match weight (stable for large |weight|)."""
    if weight >= 0:
        return 1.0 / (1.0 + 2.0 ** (-weight))
    return 2.0 ** weight / (1.0 + 2.0 ** weight)
