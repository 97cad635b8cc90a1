"""Plain-words explanations of a scored pair: what agreed, how much it counted."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kinlink.linkage.comparisons import ComparisonSpec, comparison_specs
from kinlink.linkage.model import LinkageModel

_NEGLIGIBLE = 0.05  # parts weighing less than this (in bits) are left out of the text


@dataclass(frozen=True)
class ExplanationPart:
    """How one comparison judged the pair."""

    comparison: str  # Splink output name, e.g. "surname"
    title: str  # plain words, e.g. "date of birth"
    level: str  # e.g. "similar spelling"
    gamma: int  # the comparison vector value (-1: not known on one side)
    weight: float  # match weight (log2 Bayes factor) this part added, with TF adjustment
    value_l: str | None
    value_r: str | None

    @property
    def text(self) -> str:
        values = (f" ({self.value_l} / {self.value_r})"
                  if self.value_l is not None and self.value_r is not None else "")
        return f"{self.title}: {self.level}{values}, {self.weight:+.1f}"


@dataclass(frozen=True)
class Explanation:
    """Why a pair scored what it did: the parts, the total weight and probability."""

    parts: tuple[ExplanationPart, ...]
    match_weight: float
    match_probability: float

    @property
    def text(self) -> str:
        """E.g. "surname: similar spelling (SMYTH / SMITH), +6.1; ...; total 97%"."""
        shown = [p.text for p in self.parts if p.gamma != -1 and abs(p.weight) >= _NEGLIGIBLE]
        return "; ".join([*shown, f"total {_percent(self.match_probability)}"])


def explain(pair: Mapping[str, Any], model: LinkageModel) -> Explanation:
    """Explain a scored pair (a row of `predict` or a real-time candidate's pair).

    Weights come from the pair's own `mw_` columns when present (they include term
    frequency adjustments), otherwise from the model's m and u for the pair's gammas.
    """
    parts = tuple(_part(spec, pair, model) for spec in comparison_specs())
    prior_weight = math.log2(model.prior / (1 - model.prior))
    weight = pair.get("match_weight")
    total = float(weight) if weight is not None else prior_weight + sum(p.weight for p in parts)
    return Explanation(parts, total, _probability(total))


def _part(spec: ComparisonSpec, pair: Mapping[str, Any], model: LinkageModel) -> ExplanationPart:
    gamma = int(pair[f"gamma_{spec.name}"])
    level = _level(model.comparison(spec.name)["comparison_levels"], gamma)
    weight = pair.get(f"mw_{spec.name}")
    if weight is None:
        weight = _level_weight(level)
    weight = float(weight) + float(pair.get(f"mw_tf_adj_{spec.name}") or 0.0)
    value_l, value_r = (_shown(spec.shown, pair, side) for side in ("l", "r"))
    return ExplanationPart(spec.name, spec.title, level["label_for_charts"], gamma, weight,
                           value_l, value_r)


def _level(levels: Sequence[Mapping[str, Any]], gamma: int) -> Mapping[str, Any]:
    """The level with comparison vector value `gamma` (Splink counts down to 0 = else)."""
    if gamma == -1:
        return next(lv for lv in levels if lv.get("is_null_level"))
    non_null = [lv for lv in levels if not lv.get("is_null_level")]
    return non_null[len(non_null) - 1 - gamma]


def _level_weight(level: Mapping[str, Any]) -> float:
    if level.get("is_null_level"):
        return 0.0
    m, u = level.get("m_probability"), level.get("u_probability")
    if not m or not u:
        return 0.0
    return math.log2(m / u)


def _shown(columns: Sequence[str], pair: Mapping[str, Any], side: str) -> str | None:
    """The first known value of the comparison's shown columns on one side."""
    for column in columns:
        value = pair.get(f"{column}_{side}")
        if value is None:
            continue
        if isinstance(value, list | tuple):
            return " ".join(str(v) for v in value) if value else None
        return str(value)
    return None


def _probability(weight: float) -> float:
    bayes_factor = 2.0 ** max(min(weight, 1000.0), -1000.0)
    return bayes_factor / (1 + bayes_factor)


def _percent(probability: float) -> str:
    percent = probability * 100
    if 99 < percent < 100:
        return f"{percent:.1f}%"
    if 0 < percent < 1:
        return f"{percent:.2f}%"
    return f"{percent:.0f}%"
