"""The audit log: every gated call leaves an entry; the chain shows any tampering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from kinlink.core import Actor, FixedClock, Forbidden, Kinlink, Role
from kinlink.store import Store

from .conftest import ADMIN, AUDITOR

OFFICER = Actor("pc.jones", Role.POLICE_OFFICER, agency="police")


def _fill(kl: Kinlink, clock: FixedClock, n: int = 5) -> None:
    for _ in range(n):
        kl.ingest.status(OFFICER)
        clock.advance(timedelta(seconds=1))


def _tamper(store: Store, *statements: str) -> None:
    """Change the log behind the core's back, as someone with the database's keys could."""
    with store.begin() as conn:
        if store.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_log_append_only_update"))
            conn.execute(text("DROP TRIGGER audit_log_append_only_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        for statement in statements:
            conn.execute(text(statement))


def test_calls_are_logged_with_who_what_when(kl: Kinlink, clock: FixedClock) -> None:
    kl.ingest.status(OFFICER)
    entries = kl.audit.search(AUDITOR, username="pc.jones")
    assert [(e.username, e.role, e.agency, e.kind, e.action, e.resource, e.outcome, e.at)
            for e in entries] == [("pc.jones", "police-officer", "police", "consultation",
                                   "ingest.status", "store", "allowed", clock.now())]
    # The upgrade itself was logged first, as the administrator's alteration.
    assert kl.audit.search(AUDITOR, action="db.upgrade")[0].username == ADMIN.username


def test_refusals_are_logged_and_raise_forbidden(kl: Kinlink) -> None:
    with pytest.raises(Forbidden, match=r"police-officer may not audit\.search"):
        kl.audit.search(OFFICER)
    refused = kl.audit.search(AUDITOR, username="pc.jones")
    assert [(e.action, e.outcome, e.detail) for e in refused] == [
        ("audit.search", "refused", {"why": "a police-officer may not audit.search"})]


def test_untouched_chain_verifies(kl: Kinlink, clock: FixedClock) -> None:
    _fill(kl, clock)
    result = kl.audit.verify(AUDITOR)
    # The upgrade, five consultations and this verification (logged before it runs).
    assert result.ok and result.entries == 7


def test_the_log_refuses_updates_and_deletes(kl: Kinlink) -> None:
    with pytest.raises(Exception, match="append-only"), kl.store.begin() as conn:
        conn.execute(text("UPDATE audit_log SET username = 'someone' WHERE id = 1"))
    with pytest.raises(Exception, match="append-only"), kl.store.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = 1"))


def test_verify_names_an_edited_entry(kl: Kinlink, clock: FixedClock) -> None:
    _fill(kl, clock)
    _tamper(kl.store, "UPDATE audit_log SET username = 'someone.else' WHERE id = 3")
    result = kl.audit.verify(AUDITOR)
    assert (result.first_broken, result.problem) == (3, "entry 3 was changed after it was "
                                                        "written")


def test_verify_names_a_deleted_entry(kl: Kinlink, clock: FixedClock) -> None:
    _fill(kl, clock)
    _tamper(kl.store, "DELETE FROM audit_log WHERE id = 4")
    result = kl.audit.verify(AUDITOR)
    assert result.first_broken == 4 and "entry 4 is missing" in (result.problem or "")


def test_verify_names_reordered_entries(kl: Kinlink, clock: FixedClock) -> None:
    _fill(kl, clock)
    # Entries 2 and 3 swap places: each keeps its own content and hashes.
    _tamper(kl.store, "UPDATE audit_log SET id = 1000 WHERE id = 2",
            "UPDATE audit_log SET id = 2 WHERE id = 3",
            "UPDATE audit_log SET id = 3 WHERE id = 1000")
    result = kl.audit.verify(AUDITOR)
    assert result.first_broken == 2 and "does not follow" in (result.problem or "")


def test_verify_notices_the_newest_entries_cut_off(kl: Kinlink, clock: FixedClock) -> None:
    _fill(kl, clock)
    _tamper(kl.store, "DELETE FROM audit_log WHERE id >= 5")
    result = kl.audit.verify(AUDITOR)
    assert result.first_broken == 5 and "missing" in (result.problem or "")


def test_export_is_for_auditors_only(kl: Kinlink, clock: FixedClock) -> None:
    _fill(kl, clock, 2)
    with pytest.raises(Forbidden):
        kl.audit.export(ADMIN)
    exported = list(kl.audit.export(AUDITOR))
    assert [e.id for e in exported] == list(range(1, len(exported) + 1))
    assert exported[-1].action == "audit.export"


def test_concurrent_writers_keep_one_chain(kl: Kinlink) -> None:
    """Appenders in several threads (each its own connection) neither fork nor break it."""
    from concurrent.futures import ThreadPoolExecutor

    officers = [Actor(f"pc.{i}", Role.POLICE_OFFICER, agency="police") for i in range(4)]

    def work(actor: Actor) -> None:
        for _ in range(15):
            kl.network.status(actor)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, officers))
    result = kl.audit.verify(AUDITOR)
    assert result.ok and result.entries == 1 + 4 * 15 + 1  # upgrade, the calls, verify
