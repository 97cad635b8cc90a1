"""The prior and the threshold from the data: the model's own view of its scored pairs.

Training estimates the prior (the share of all record pairs that are one person) from
pairs that are nearly certain matches, with an assumed recall for them: on a file
where dates of birth are missing or wrong for many, that guess is far off. Given the
Bayes factor of every candidate pair (what the comparisons say, whatever the prior),
the prior that the data support is the fixed point of EM's update for it alone: the
expected number of matches among the candidate pairs (the sum of their probabilities)
over all record pairs. Pairs no blocking rule made are taken as non-matches.

The threshold is then the probability at which the model expects the best F1 over the
pairs: its expected true pairs above a threshold are the sum of their probabilities,
its expected true pairs overall the sum of all. Those expected precision and recall are
the model's own estimate, reported beside measured ones (they hold as far as the
model's independence assumptions do). The threshold is kept within
`THRESHOLD_RANGE`: the model's probabilities are least trustworthy at the extremes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

THRESHOLD_RANGE = (0.2, 0.9)
_ITERATIONS = 200
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Calibration:
    """The prior and threshold the scored pairs support, and the model's own estimate
    of precision and recall at that threshold."""

    prior: float
    threshold: float
    expected_precision: float
    expected_recall: float
    expected_matches: float

    def summary(self) -> str:
        return (f"Threshold {self.threshold:.2f} (from the data; prior {self.prior:.3g}): "
                f"the model expects precision {self.expected_precision:.3f} and recall "
                f"{self.expected_recall:.3f} at it.")

    def as_dict(self) -> dict[str, float]:
        return {"prior": self.prior, "threshold": self.threshold,
                "expected_precision": self.expected_precision,
                "expected_recall": self.expected_recall,
                "expected_matches": self.expected_matches}


def calibrate(pairs: pa.Table, records: int, prior: float) -> Calibration:
    """The prior and threshold for `pairs` (scored under `prior`) among `records`."""
    weights = np.asarray(pairs["match_weight"].to_numpy(zero_copy_only=False), float)
    all_pairs = max(records * (records - 1) / 2, 1.0)
    bayes = weights - _logit2(prior)  # log2 Bayes factors: the weights without the prior
    fitted = prior
    for _ in range(_ITERATIONS):
        updated = float(_probabilities(bayes, fitted).sum()) / all_pairs
        updated = min(max(updated, 1e-12), 0.5)
        if abs(updated - fitted) <= _TOLERANCE * fitted:
            fitted = updated
            break
        fitted = updated
    probabilities = _probabilities(bayes, fitted)
    threshold, precision, recall = _best_threshold(probabilities)
    return Calibration(fitted, threshold, precision, recall, float(probabilities.sum()))


def recalibrated(pairs: pa.Table, old_prior: float, new_prior: float) -> pa.Table:
    """The pairs with match weight and probability under `new_prior`."""
    shift = _logit2(new_prior) - _logit2(old_prior)
    weights = np.asarray(pairs["match_weight"].to_numpy(zero_copy_only=False), float) + shift
    probabilities = 1.0 / (1.0 + np.exp2(-weights))
    for name, values in (("match_weight", weights), ("match_probability", probabilities)):
        pairs = pairs.set_column(pairs.schema.get_field_index(name), name,
                                 pa.array(values, pa.float64()))
    return pairs


def _best_threshold(probabilities: np.ndarray) -> tuple[float, float, float]:
    """The threshold in `THRESHOLD_RANGE` with the best expected F1, and the expected
    precision and recall there (a pair is predicted when its probability is at least
    the threshold)."""
    expected_true = float(probabilities.sum())
    if expected_true <= 0:
        return 0.5, 1.0, 1.0
    ordered = np.sort(probabilities)[::-1]
    true_above = np.concatenate([[0.0], np.cumsum(ordered)])
    low, high = THRESHOLD_RANGE
    inside = ordered[(ordered >= low) & (ordered <= high)]
    candidates = np.unique(np.concatenate([inside, [low, 0.5, high]]))
    predicted = np.searchsorted(-ordered, -candidates, side="right")  # p >= candidate
    f1 = 2 * true_above[predicted] / (predicted + expected_true)
    tied = np.flatnonzero(f1 >= f1.max() - 1e-12)  # one partition, several thresholds
    best = int(tied[np.argmin(np.abs(candidates[tied] - 0.5))])
    chosen = int(predicted[best])
    precision = true_above[chosen] / chosen if chosen else 1.0
    return float(candidates[best]), float(precision), float(true_above[chosen] / expected_true)


def _probabilities(bayes: np.ndarray, prior: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-(bayes + _logit2(prior))))


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))
