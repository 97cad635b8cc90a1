"""Fixtures of the core's tests: an upgraded store opened as a `Kinlink`, fixed time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from kinlink.config import Settings
from kinlink.core import Actor, FixedClock, Kinlink, Role

ADMIN = Actor("root", Role.ADMINISTRATOR)
AUDITOR = Actor("ann.auditor", Role.AUDITOR)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))


@pytest.fixture
def kl(unmigrated_settings: Settings, clock: FixedClock) -> Iterator[Kinlink]:
    """A core on a fresh store, upgraded by an administrator as `kinlink db upgrade` does."""
    core = Kinlink.open(unmigrated_settings, clock=clock, check_schema=False)
    core.db.upgrade(ADMIN)
    yield core
    core.close()
