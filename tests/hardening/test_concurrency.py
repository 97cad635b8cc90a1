"""Work done at the same time: two resolution runs, and ingest and review decisions during a
resolution run, on SQLite and PostgreSQL; no lost update and no error shown to a user."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.config import Settings
from kinlink.ingest import ingest_extract
from kinlink.linkage import LinkageModel, prepare_records_from_store, save_model, train
from kinlink.linkage.resolve import resolve_store
from kinlink.review import decide, list_review_items
from kinlink.store import Store
from kinlink.store.jobs import JobBusyError, lease
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.jobs import job_leases
from kinlink.store.schema.resolution import resolution_runs, review_decisions, review_items
from kinlink.store.schema.source import people
from kinlink.synth import generate

from .test_kill import KILLER

AGENCIES = ("police", "social-care", "health", "education")


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("borough")
    generate(out, people=200, seed=4, progress=False)
    return out


@pytest.fixture(scope="module")
def model(borough: Path, tmp_path_factory: pytest.TempPathFactory) -> LinkageModel:
    """A model trained once (training is what takes time), saved into each test's store."""
    folder = tmp_path_factory.mktemp("training")
    store = Store(f"sqlite:///{folder / 'train.db'}")
    store.upgrade()
    for agency in AGENCIES:
        ingest_extract(store, borough / agency, agency)
    trained = train(prepare_records_from_store(store), charts_dir=folder / "charts")
    store.dispose()
    return trained


def _resolve_in_a_process(settings: Settings, *fault: str) -> subprocess.Popen[str]:
    """`kinlink resolve` in a child process, with a fault (see `test_kill.KILLER`)."""
    env = {**os.environ, "KINLINK_DATABASE_URL": settings.resolved_database_url,
           "KINLINK_HOME": str(settings.home)}
    return subprocess.Popen([sys.executable, "-c", KILLER, *(fault or ("^$never", "1", "-")),
                             "resolve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_second_resolve_is_refused_while_one_runs(store: Store) -> None:
    with lease(store, "resolve"):
        result = CliRunner().invoke(app, ["resolve"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "another `kinlink resolve` is running (process" in result.output
    with store.connect() as conn:  # given back when the holder finished
        assert conn.execute(select(func.count()).select_from(job_leases)).scalar_one() == 0


def _lease_row(store: Store, host: str, pid: int, beat: datetime) -> None:
    with store.begin() as conn:
        conn.execute(insert(job_leases).values(job="resolve", host=host, pid=pid,
                                               started_at=beat, heartbeat_at=beat))


def test_a_dead_holder_is_taken_over(store: Store) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    _lease_row(store, socket.gethostname(), int(gone.stdout), datetime.now(UTC))
    with lease(store, "resolve") as held:
        assert held.took_over


def test_a_holder_on_another_host_is_dead_once_silent(store: Store) -> None:
    now = datetime.now(UTC)
    _lease_row(store, "elsewhere", 1, now)
    with pytest.raises(JobBusyError, match="process 1 on elsewhere"), lease(store, "resolve"):
        pass
    with store.begin() as conn:
        conn.execute(job_leases.update().values(heartbeat_at=now - timedelta(minutes=10)))
    with lease(store, "resolve") as held:
        assert held.took_over


def test_two_resolves_at_once(store: Store, settings: Settings, borough: Path,
                              model: LinkageModel) -> None:
    for agency in AGENCIES:
        ingest_extract(store, borough / agency, agency)
    save_model(store, model)
    runs = [_resolve_in_a_process(settings) for _ in range(2)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in runs]
    for code, _out, err in results:
        assert "Traceback" not in err
        assert code == 0 or "another `kinlink resolve` is running" in err, err
    assert any(code == 0 for code, _, _ in results)
    with store.connect() as conn:
        statuses = conn.execute(select(resolution_runs.c.status)).scalars().all()
        uids = conn.execute(select(record_persons.c.agency, record_persons.c.record_id)).all()
        records = conn.execute(select(func.count(func.distinct(people.c.record_id)))).scalar()
    assert set(statuses) == {"done"}
    assert len(uids) == len(set(uids)) and len(uids) >= records  # each record placed once


def test_ingest_and_decisions_during_a_resolution_run(store: Store, settings: Settings,
                                                      borough: Path, model: LinkageModel,
                                                      tmp_path: Path) -> None:
    """The run pauses just after reading the decisions to refresh the review queue; the
    reviewer decides every item then, while an ingest runs too. The run must not write
    the items back as undecided."""
    for agency in AGENCIES[:3]:
        ingest_extract(store, borough / agency, agency)
    save_model(store, model)
    resolve_store(store)
    items = list_review_items(store, limit=1000)
    assert items, "the borough should leave some pairs for review"
    paused = tmp_path / "paused"
    # The second read of the decisions is the queue refresh's (the first gives constraints).
    running = _resolve_in_a_process(settings, "FROM review_decisions", "2", f"pause:{paused}")
    errors: list[BaseException] = []

    def ingest() -> None:
        try:
            ingest_extract(store, borough / "education", "education")
        except BaseException as e:  # checked below: a thread's error must fail the test
            errors.append(e)

    while not paused.exists() and running.poll() is None:
        time.sleep(0.1)
    loader = threading.Thread(target=ingest)
    loader.start()
    for item in items:
        decide(store, item.id, "not-same", actor="reviewer", reason="checked by hand")
    loader.join()
    code = running.wait(timeout=600)
    _, err = running.communicate()
    assert code == 0 and "Traceback" not in err, err
    assert not errors
    with store.connect() as conn:
        decisions = conn.execute(select(func.count()).select_from(review_decisions)).scalar()
        statuses = dict(conn.execute(select(review_items.c.id, review_items.c.status)).all())
        agencies = set(conn.execute(select(people.c.agency).distinct()).scalars())
    assert decisions == len(items)
    assert [statuses[item.id] for item in items] == ["decided"] * len(items)  # none lost
    assert agencies == set(AGENCIES)
