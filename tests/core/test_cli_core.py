"""The CLI over the core: `db upgrade`, `users`, `audit`, and who the CLI acts as."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.config import Settings, get_settings
from kinlink.store import Store

runner = CliRunner()


def _run(*args: str, user: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
         ) -> tuple[int, str, str]:
    if monkeypatch is not None:
        if user:
            monkeypatch.setenv("KINLINK_CLI_USER", user)
        else:
            monkeypatch.delenv("KINLINK_CLI_USER", raising=False)
        get_settings.cache_clear()
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_a_new_store_asks_for_db_upgrade(unmigrated_settings: Settings) -> None:
    code, _, err = _run("status")
    assert code == 1 and err.strip().count("\n") == 0
    assert "run `kinlink db upgrade` first" in err
    code, out, _ = _run("db", "upgrade")
    assert code == 0 and "now at the newest schema" in out
    code, out, _ = _run("db", "upgrade")
    assert code == 0 and "already up to date" in out
    assert _run("status")[0] == 0


def test_users_and_acting_as_one(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # The first user is added by the built-in administrator; on PostgreSQL, from then on
    # the CLI must be told who it acts as.
    assert _run("users", "add", "root", "--role", "administrator")[0] == 0
    code, _, err = _run("status")
    assert (code, "set KINLINK_CLI_USER" in err) == ((0, False) if settings.resolved_database_url
                                                     .startswith("sqlite") else (1, True))
    monkeypatch.setenv("KINLINK_CLI_USER", "root")
    get_settings.cache_clear()
    code, out, err = _run("users", "add", "asmith", "--role", "social-worker", "--agency",
                          "social-care", "--token")
    assert code == 0 and "Added asmith (social-worker, social-care)" in out
    token = out.strip().splitlines()[-1]
    assert token.startswith("kl_") and "shown only now" in err
    code, _, err = _run("users", "add", "pc.x", "--role", "police-officer")
    assert code == 1 and "give --agency" in err
    code, out, _ = _run("users", "list")
    assert "asmith" in out
    code, _, err = _run("users", "list", user="asmith", monkeypatch=monkeypatch)
    assert code == 1 and err.startswith("Error: not allowed: a social-worker may not users.list")
    code, _, err = _run("status", user="nobody", monkeypatch=monkeypatch)
    assert code == 1 and "no user 'nobody'" in err
    _run("users", "disable", "asmith", user="root", monkeypatch=monkeypatch)
    code, _, err = _run("status", user="asmith", monkeypatch=monkeypatch)
    assert code == 1 and "disabled" in err


def test_audit_verify_search_export(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    _run("users", "add", "root", "--role", "administrator")  # as the built-in administrator
    _run("users", "add", "ann.auditor", "--role", "auditor", user="root",
         monkeypatch=monkeypatch)
    _run("status", user="root", monkeypatch=monkeypatch)
    code, out, _ = _run("audit", "verify", user="root", monkeypatch=monkeypatch)
    assert code == 0 and "intact" in out
    code, _, err = _run("audit", "search", user="root", monkeypatch=monkeypatch)
    assert code == 1 and "may not audit.search" in err  # administrators may not read it
    code, out, _ = _run("audit", "search", "--action", "ingest.status", "--format", "csv",
                        user="ann.auditor", monkeypatch=monkeypatch)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["username"], r["action"], r["outcome"]) for r in rows] == [
        ("root", "ingest.status", "allowed")]
    code, out, _ = _run("audit", "export", user="ann.auditor", monkeypatch=monkeypatch)
    exported = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["id"]) for r in exported] == list(range(1, len(exported) + 1))

    store = Store(settings.resolved_database_url)
    with store.begin() as conn:
        if store.is_sqlite:
            conn.execute(text("DROP TRIGGER audit_log_append_only_update"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(text("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2"))
    store.dispose()
    code, _, err = _run("audit", "verify", user="ann.auditor", monkeypatch=monkeypatch)
    assert code == 1 and "Broken at entry 2: entry 2 was changed after it was written" in err
