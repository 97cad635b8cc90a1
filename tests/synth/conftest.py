"""Boroughs generated once per test session (read-only for the tests that use them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinlink.synth import SynthConfig, SynthSummary, generate

RATE_TEST_RATE = 0.06
"""Every unconditional error rate of health in the rate test borough."""


@pytest.fixture(scope="session")
def borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    """A 3,000-person borough; children at incidents go astray more often than by default,
    so that even this small borough has each way of getting it wrong."""
    config = SynthConfig()
    config.agencies["police"].errors.update({"wrong-place-associate": 0.25,
                                             "wrong-place-free-text": 0.25})
    out = tmp_path_factory.mktemp("borough")
    return out, generate(out, people=3000, seed=7, config=config)


@pytest.fixture(scope="session")
def noisy_borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthConfig]:
    """A borough whose health records have high error rates, to measure them."""
    config = SynthConfig()
    errors = config.agencies["health"].errors
    for kind in errors:
        errors[kind] = RATE_TEST_RATE
    for kind in ("surname-change", "old-address", "double-barrel", "nickname",
                 "transliteration", "dob-day-month-swap", "first-middle-swap"):
        errors[kind] = 0.3
    out = tmp_path_factory.mktemp("noisy")
    generate(out, people=5000, seed=11, config=config)
    return out, config
