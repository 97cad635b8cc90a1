"""Boroughs generated once per test session (read-only for the tests that use them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pytest

from kinlink.ingest.format import AGENCIES
from kinlink.synth import SynthConfig, SynthSummary, generate
from kinlink.synth.config import FIELD_ERRORS, INCIDENT_ERRORS, RECORD_ERRORS, REFERRAL_ERRORS

NOISY_RATES = (0.08, 0.12, 0.16, 0.2)
"""Rates given in turn to the error kinds of the noisy borough, so that neighbouring kinds
(and one kind in different agencies) have different rates and a mix-up shows."""


@pytest.fixture(scope="session")
def borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    """A 3,000-person borough; children at incidents go astray more often than by default,
    so that even this small borough has each way of getting it wrong."""
    config = SynthConfig()
    config.agencies["police"].errors.update({"wrong-place-associate": 0.25,
                                             "wrong-place-free-text": 0.25})
    out = tmp_path_factory.mktemp("borough")
    return out, generate(out, people=3000, seed=7, config=config)


def noisy_config() -> SynthConfig:
    """High, distinct rates for every kind of error in every agency, and more of the people
    police and social care hold, so that each rate can be measured in a small borough."""
    config = SynthConfig(risk_adult_rate=0.3, police_adult_rate=0.3, referral_rate=0.3)
    for j, agency in enumerate(AGENCIES):
        errors = config.agencies[agency].errors
        for i, kind in enumerate(FIELD_ERRORS + RECORD_ERRORS):
            errors[kind] = NOISY_RATES[(i + j) % len(NOISY_RATES)]
        # Few surnames are double-barrelled: a high rate leaves the check something to see.
        errors["double-barrel"] = 0.8
    config.agencies["police"].errors.update(zip(INCIDENT_ERRORS, (0.15, 0.2, 0.1),
                                                strict=True))
    config.agencies["social-care"].errors.update(
        zip(REFERRAL_ERRORS, (0.12, 0.16, 0.2, 0.1, 0.25), strict=True))
    return config


@pytest.fixture(scope="session")
def noisy_borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An 8,000-person borough with the noisy configuration, to measure error rates."""
    out = tmp_path_factory.mktemp("noisy")
    generate(out, people=8000, seed=11, config=noisy_config())
    return out


ALPHA = 1e-5
"""Chance that a correct generator fails one rate check. There are about 200 checks in
test_rates.py, so a correct generator fails about one seed in 500."""

Check = tuple[str, int, int, float]
"""What was counted, how many had it, out of how many, at what configured rate."""
BinomialRange = Callable[[int, float], tuple[int, int]]
Misfits = Callable[[Iterable[Check]], list[str]]


def _binomial_range(n: int, p: float) -> tuple[int, int]:
    """The counts a Binomial(n, p) falls outside with probability at most ALPHA (at most
    half of it on each side)."""
    if p <= 0.0:
        return 0, 0
    if p >= 1.0:
        return n, n
    k = np.arange(n + 1)
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n + 1)))])
    pmf = np.exp(log_factorial[n] - log_factorial[k] - log_factorial[n - k]
                 + k * np.log(p) + (n - k) * np.log1p(-p))
    at_most = np.cumsum(pmf)
    at_least = np.cumsum(pmf[::-1])  # at_least[j] = P(X >= n - j)
    return int(np.argmax(at_most > ALPHA / 2)), int(n - np.argmax(at_least > ALPHA / 2))


def _misfits(checks: Iterable[Check]) -> list[str]:
    """The checks whose count does not fit their rate, each said in a line."""
    found = []
    for what, made, n, p in checks:
        low, high = _binomial_range(n, p)
        if not low <= made <= high:
            found.append(f"{what}: {made} of {n} ({made / max(n, 1):.3f}); "
                         f"rate {p:.3f} gives {low}..{high}")
    return found


@pytest.fixture(scope="session")
def binomial_range() -> BinomialRange:
    """`binomial_range(n, p)`: the counts a correct generator stays within."""
    return _binomial_range


@pytest.fixture(scope="session")
def misfits() -> Misfits:
    """`misfits(checks)`: the (what, made, n, rate) checks whose count does not fit."""
    return _misfits
