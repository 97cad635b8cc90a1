"""Opening the core: never migrates; an un-migrated store says what to run."""

from __future__ import annotations

import pytest

from kinlink.config import Settings
from kinlink.core import Actor, Forbidden, Kinlink, Role
from kinlink.errors import StoreError

from .conftest import ADMIN


def test_an_unmigrated_store_asks_for_db_upgrade(unmigrated_settings: Settings) -> None:
    with pytest.raises(StoreError, match=r"run `kinlink db upgrade`"):
        Kinlink.open(unmigrated_settings)


def test_only_an_administrator_upgrades(unmigrated_settings: Settings) -> None:
    settings = unmigrated_settings
    core = Kinlink.open(settings, check_schema=False)
    with pytest.raises(Forbidden):
        core.db.upgrade(Actor("sw", Role.SOCIAL_WORKER, agency="socialcare"))
    assert core.db.upgrade(ADMIN) is True
    assert core.db.upgrade(ADMIN) is False
    core.close()
    Kinlink.open(settings).close()


def test_timestamps_are_aware_utc(kl: Kinlink) -> None:
    entry = kl.audit_log.search(limit=1)[0]
    assert entry.at.utcoffset() is not None and entry.at == kl.clock.now()
