"""Fixtures of the web tests: one small borough built the way a user builds it, its users,
and the real app over it.

The people of `tests/data/linkage/borough/` (807 records of 500 people) with the hand-written
networks of `tests/data/network/` and referrals of `tests/data/timeliness/borough/`, all
ingested, resolved (so there are review items), indexed for search and real-time matching
and with networks and alerts built, each step through the core as an administrator.
Resolution trains a model, so the borough is built once per session and backend; tests that
change it (a decision, an alert status) change only what they then check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kinlink.clock import FixedClock
from kinlink.config import Settings
from kinlink.core import Actor, Kinlink, Role
from kinlink.ingest.format import AGENCIES
from kinlink.store import Store
from kinlink.web import create_app
from kinlink.web.security import CSRF_HEADER, csrf_token

DATA = Path(__file__).parents[1] / "data"
AS_OF = date(2026, 11, 1)  # the date the network borough is written for
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ADMIN = Actor("root", Role.ADMINISTRATOR)
PASSWORD = "a long test passphrase"
EXTRACTS = [DATA / "linkage" / "borough" / agency for agency in AGENCIES] + [
    path for folder in (DATA / "network", DATA / "timeliness" / "borough")
    for path in sorted(folder.iterdir()) if path.is_dir()]


@dataclass(frozen=True)
class User:
    username: str
    role: str
    agency: str | None = None


USERS = {
    "social_worker": User("sam", "social-worker", "social-care"),
    "analyst": User("mia", "mash-analyst"),
    "police": User("pat", "police-officer", "police"),
    "auditor": User("ann", "auditor"),
}


def build_borough(kl: Kinlink) -> dict[str, str]:
    """Ingest every extract, resolve, index, build the networks; add the users. Returns
    the analyst's API token."""
    kl.db.upgrade(ADMIN)
    for folder in EXTRACTS:
        report = kl.ingest.load(ADMIN, folder, folder.name)
        assert not report.problems, (folder, report.problems)
    kl.resolution.run(ADMIN)
    kl.resolution.index(ADMIN)
    kl.network.rebuild(ADMIN, as_of=AS_OF)
    tokens = {}
    for key, user in USERS.items():
        added = kl.users.add(ADMIN, user.username, role=user.role, agency=user.agency,
                             password=PASSWORD, token=True)
        tokens[key] = added.token or ""
    return tokens


@dataclass(frozen=True)
class Borough:
    settings: Settings
    tokens: dict[str, str]


@pytest.fixture(scope="session",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def borough(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Borough]:
    """A store holding the built borough and its users, once on each backend."""
    home = tmp_path_factory.mktemp("web")
    url = (f"sqlite:///{home / 'kinlink.db'}" if request.param == "sqlite"
           else request.getfixturevalue("session_postgres_url"))
    settings = Settings(database_url=url, home=home)
    kl = Kinlink.open(settings, clock=FixedClock(NOW), check_schema=False)
    try:
        tokens = build_borough(kl)
    finally:
        kl.close()
    yield Borough(settings, tokens)


@pytest.fixture(scope="session")
def borough_store(borough: Borough) -> Iterator[Store]:
    store = Store(borough.settings.resolved_database_url)
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def app(borough: Borough) -> FastAPI:
    """The real app on the borough, its clock fixed the day after the networks' date."""
    return create_app(core=Kinlink.open(borough.settings, clock=FixedClock(NOW)))


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def sign_in(client: TestClient, key: str) -> str:
    """Sign `USERS[key]` in through the form; returns the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/sign-in")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/sign-in", data={"username": USERS[key].username,
                                           "password": PASSWORD, "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return csrf_token(client.cookies["kinlink_session"])


def csrf_headers(client: TestClient) -> dict[str, str]:
    return {CSRF_HEADER: csrf_token(client.cookies["kinlink_session"])}
