"""A process killed (SIGKILL) in the middle of its work, then started again.

Each test runs the real `kinlink` command in a child process that kills itself the moment
it sends a chosen SQL statement to the store (an SQLAlchemy event, nothing of Kinlink's
replaced): the kill lands at a known point of the work, every time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kinlink.store import Store
from kinlink.store.schema.identity import persons, record_persons
from kinlink.store.schema.resolution import person_events, resolution_runs
from kinlink.store.schema.source import ingest_runs, people
from kinlink.synth import generate

AGENCIES = ("police", "social-care", "health", "education")
KILLER = """
import os, re, signal, sys, time
from pathlib import Path
from sqlalchemy import event
from sqlalchemy.engine import Engine

pattern, after, action = re.compile(sys.argv[1], re.IGNORECASE), int(sys.argv[2]), sys.argv[3]
seen = 0

@event.listens_for(Engine, "after_cursor_execute")
def fault(conn, cursor, statement, parameters, context, executemany):
    global seen
    if pattern.search(statement):
        seen += 1
        if seen == after and action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if seen == after and action.startswith("pause:"):  # pause:MARKER_FILE
            Path(action.removeprefix("pause:")).touch()
            time.sleep(8)

from kinlink.cli import main
sys.argv = ["kinlink", *sys.argv[4:]]
main()
"""
"""Runs `kinlink ARGS` and, at the AFTER-th statement matching PATTERN, kills itself or
pauses 8 s (touching a marker file first): `python -c KILLER PATTERN AFTER ACTION ARGS`."""


def kinlink(env: dict[str, str], *args: str, kill_at: str | None = None,
            after: int = 1) -> subprocess.CompletedProcess[str]:
    """Run `kinlink args` in a child process; with `kill_at`, SIGKILL it when it sends the
    `after`-th statement matching that pattern."""
    command = [sys.executable, "-c", KILLER, kill_at or "^$never", str(after), "kill", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def _env(tmp_path: Path, url: str | None = None) -> dict[str, str]:
    return {"KINLINK_HOME": str(tmp_path / "home"),
            "KINLINK_DATABASE_URL": url or f"sqlite:///{tmp_path / 'home' / 'kinlink.db'}"}


def _count(store: Store, table) -> int:  # type: ignore[no-untyped-def]
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize(("statement", "after"), [
    ("CREATE TABLE ingest_runs", 1), ("CREATE TABLE _alembic_tmp", 1),
    ("UPDATE alembic_version", 3), ("CREATE TABLE audit_log", 1),
])
def test_killed_during_first_schema_set_up(tmp_path: Path, statement: str,
                                           after: int) -> None:
    env = _env(tmp_path)
    killed = kinlink(env, "db", "upgrade", kill_at=statement, after=after)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = kinlink(env, "db", "upgrade")
    assert again.returncode == 0, again.stderr
    after_all = kinlink(env, "alerts")
    assert after_all.returncode == 0, after_all.stderr
    assert "No alert matches" in after_all.stdout


def test_commands_started_at_once_on_a_new_store(tmp_path: Path) -> None:
    env = {**os.environ, **_env(tmp_path)}
    started = [subprocess.Popen([sys.executable, "-c", KILLER, "^$never", "1", "-", "db",
                                 "upgrade"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for process in started:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    after_all = kinlink(_env(tmp_path), "alerts")
    assert after_all.returncode == 0 and "No alert matches" in after_all.stdout


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("borough")
    generate(out, people=200, seed=4, progress=False)
    return out


def test_killed_during_ingest(tmp_path: Path, borough: Path) -> None:
    env = _env(tmp_path)
    assert kinlink(env, "db", "upgrade").returncode == 0
    # The run's final update is the last statement before the commit: every row is written.
    killed = kinlink(env, "ingest", str(borough / "police"), "--agency", "police",
                     kill_at="UPDATE ingest_runs")
    assert killed.returncode == -signal.SIGKILL
    store = Store(env["KINLINK_DATABASE_URL"])
    assert _count(store, ingest_runs) == 0 and _count(store, people) == 0  # nothing half-done
    again = kinlink(env, "ingest", str(borough / "police"), "--agency", "police")
    assert again.returncode == 0, again.stderr
    assert _count(store, ingest_runs) == 1 and _count(store, people) > 0


def test_killed_during_resolution(tmp_path: Path, borough: Path) -> None:
    env = _env(tmp_path)
    assert kinlink(env, "db", "upgrade").returncode == 0
    for agency in AGENCIES:
        assert kinlink(env, "ingest", str(borough / agency), "--agency", agency).returncode == 0
    # Killed as it marks the run done: the persons are written, the transaction not committed.
    killed = kinlink(env, "resolve", kill_at="UPDATE resolution_runs SET .*model_version")
    assert killed.returncode == -signal.SIGKILL
    store = Store(env["KINLINK_DATABASE_URL"])
    with store.connect() as conn:
        runs = conn.execute(select(resolution_runs.c.status)).scalars().all()
    assert runs == ["running"]  # what the dead process left
    for table in (persons, record_persons, person_events):
        assert _count(store, table) == 0
    again = kinlink(env, "resolve")
    assert again.returncode == 0, again.stderr
    with store.connect() as conn:
        runs = conn.execute(select(resolution_runs.c.status)
                            .order_by(resolution_runs.c.id)).scalars().all()
    assert runs == ["failed", "done"]  # the dead run is no longer `running`
    assert _count(store, record_persons) > 0
