"""Boroughs generated once per test session (read-only for the tests that use them)."""

from __future__ import annotations

from pathlib import Path

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
