"""Small array helpers used throughout the generator."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def blanked(blank: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` as an object array, with None (a blank cell) where `blank` is true."""
    out = values.astype(object)
    out[blank] = None
    return out


def is_in(values: np.ndarray, options: Iterable[object]) -> np.ndarray:
    """Which values are among `options`, for object (text) arrays.

    `np.isin` on object arrays compares every pair, which takes seconds at a million rows;
    a set lookup per value is linear.
    """
    wanted = set(options)
    return np.fromiter((v in wanted for v in values.tolist()), dtype=bool, count=len(values))
