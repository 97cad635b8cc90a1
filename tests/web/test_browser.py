"""The flows of the web app in a real browser: Debian's Chromium driven by Playwright.

The app runs under uvicorn on 127.0.0.1 and a free port, in this process, over the built
borough. Each page visited is checked with axe-core for the WCAG 2.2 AA rules it can test,
and for console errors (a CSP violation shows as one). Screenshots go to var/screenshots/
(ignored by git); docs/images/ holds copies of two of them (person, new-record) for the
README.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from .conftest import PASSWORD, USERS, Borough

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = Path(__file__).parents[2] / "var" / "screenshots"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed "
                       "(scripts/test.sh installs it)"),
]
sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(app: FastAPI, borough: Borough) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port for the module's tests (on
    SQLite only: the API tests cover PostgreSQL, and browser time is dear in CI)."""
    if not borough.settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("the browser flows run once, on SQLite")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


class Visit:
    """One user's browser tab, checking every page it shows."""

    def __init__(self, browser: object, base_url: str, *, width: int = 1280,
                 height: int = 900) -> None:
        # bypass_csp only lets the test inject axe-core; the app's own scripts are files.
        self.context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": width, "height": height}, bypass_csp=True)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def sign_in(self, key: str) -> None:
        self.go("/sign-in")
        self.page.get_by_label("Username").fill(USERS[key].username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/search")

    def check(self, shot: str) -> None:
        """No console errors and no axe-core violations on the page shown; a screenshot."""
        self.page.add_script_tag(path=str(AXE))
        found = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => ({passes: r.passes.length, violations: r.violations.map("
            "v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))}))", WCAG)
        assert found["passes"] > 10, "axe-core did not run"
        assert found["violations"] == [], f"{self.page.url}: {found['violations']}"
        real = [e for e in self.errors if "status of 403" not in e]
        assert real == [], f"{self.page.url}: {real}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def test_search_misspelt_then_the_person_and_network(browser: object, base_url: str) -> None:
    visit = Visit(browser, base_url)
    visit.sign_in("analyst")
    visit.check("sign-in-done")
    page = visit.page
    page.get_by_label("First name").fill("Amy")
    page.get_by_label("Surname").fill("Clark")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Amy Clarke").click()
    page.wait_for_selector("#network[data-ready=true] canvas")
    assert page.get_by_role("link", name="Daniel Hughes", exact=True).count() == 1
    visit.check("person")
    page.get_by_role("link", name="Daniel Hughes", exact=True).click()
    assert "Daniel Hughes" in page.locator("h1").inner_text()
    visit.close()


def test_review_undo_alert_status_and_the_queue(browser: object, base_url: str) -> None:
    visit = Visit(browser, base_url)
    visit.sign_in("analyst")
    page = visit.page
    visit.go("/review")
    page.locator("table a[href^='/review/']").first.click()
    visit.check("review")
    page.get_by_label("Not the same person").check()
    page.get_by_label("Why").fill("different dates of birth on the birth certificates")
    page.get_by_role("button", name="Record the decision").click()
    assert "Decision recorded: not the same person" in page.inner_text("main")
    page.get_by_role("button", name="Undo the last decision").click()
    assert "Decision undone" in page.inner_text("main")

    visit.go("/alerts?type=unlinked-risk")
    visit.check("alerts")
    page.locator("table a[href^='/alerts/']").first.click()
    page.get_by_label("Acknowledged").check()
    page.get_by_label("Why").fill("strategy discussion booked")
    page.get_by_role("button", name="Save the status").click()
    assert "The alert is now acknowledged" in page.inner_text("main")
    visit.check("alert")

    visit.go("/queue")
    assert page.locator("tbody tr").count() >= 1
    assert page.locator(".govuk-tag--red").count() >= 1
    visit.check("queue")
    visit.close()


def test_the_new_record_warning_as_the_user_types(browser: object, base_url: str) -> None:
    visit = Visit(browser, base_url, width=820, height=1180)  # a tablet, upright
    visit.sign_in("social_worker")
    visit.go("/new-record")
    page = visit.page
    page.get_by_label("First name").fill("Olivia")
    page.get_by_label("Surname", exact=True).press_sequentially("Turnor", delay=30)
    page.get_by_label("Date of birth").press_sequentially("2002-06-29", delay=30)
    page.wait_for_selector("#known >> text=probably already known")
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways on a tablet"
    visit.check("new-record")
    # Saving while the warning stands asks the user to look first; ticking saves.
    page.get_by_role("button", name="Save record").click()
    assert "There is a problem" in page.inner_text(".govuk-error-summary")
    assert page.locator("#known >> text=probably already known").count() == 1
    visit.check("new-record-held")
    page.get_by_label("None of these records is this person").check()
    page.get_by_role("button", name="Save record").click()
    page.wait_for_url("**/new-record?saved=social-care*")
    assert "Record saved as social-care:KL-" in page.inner_text("main")
    visit.check("new-record-saved")
    visit.close()


def test_the_chronology_tab_of_the_person_page(browser: object, base_url: str) -> None:
    visit = Visit(browser, base_url)
    visit.sign_in("analyst")
    page = visit.page
    page.get_by_label("Identifier").fill("SC1")
    page.get_by_role("button", name="Search").click()
    page.locator("table a[href^='/persons/']").first.click()
    page.get_by_role("link", name="Chronology").click()
    assert page.locator("[aria-current=page]", has_text="Chronology").count() == 1
    assert page.locator("tbody tr").count() > 2
    visit.check("chronology")
    page.get_by_label("Kind of event").select_option("birth")
    page.get_by_role("button", name="Filter").click()
    kinds = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert kinds and set(kinds) == {"Birth"}
    visit.close()


def test_a_role_that_must_not_see_a_page_is_refused(browser: object, base_url: str) -> None:
    visit = Visit(browser, base_url)
    visit.sign_in("police")
    assert visit.page.get_by_role("link", name="Waiting queue").count() == 0
    visit.go("/queue")
    assert "You cannot see this page" in visit.page.inner_text("h1")
    visit.check("refused")
    visit.close()

