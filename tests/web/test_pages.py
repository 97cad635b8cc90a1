"""The pages with JavaScript off: plain forms and links against the real app."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kinlink.core import Actor, Role
from kinlink.store import Store
from kinlink.store.schema.source import people

from .conftest import PASSWORD, Borough, sign_in

AUDITOR = Actor("ann", Role.AUDITOR)


def test_sign_in_refuses_a_wrong_password_and_a_missing_token(client: TestClient) -> None:
    client.cookies.clear()
    assert client.get("/search", follow_redirects=False).headers["location"] == \
        "/sign-in?next=%2Fsearch"
    form = client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)[1]  # type: ignore[index]
    wrong = client.post("/sign-in", data={"username": "mia", "password": "nope nope nope",
                                          "csrf_token": token})
    assert wrong.status_code == 401 and "wrong username or password" in wrong.text
    forged = client.post("/sign-in", data={"username": "mia", "password": PASSWORD})
    assert forged.status_code == 403
    assert "kinlink_session" not in client.cookies


def test_search_person_and_sign_out(client: TestClient) -> None:
    sign_in(client, "analyst")
    found = client.get("/search", params={"first_name": "Amy", "surname": "Clark"})
    person = re.search(r'href="/persons/(P\d+)">Amy Clarke', found.text)
    assert person, found.text
    page = client.get(f"/persons/{person[1]}")
    assert "Who this is across agencies" in page.text and 'id="network-data"' in page.text
    assert "Daniel Hughes" in page.text and "domestic abuse perpetrator" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
    out = client.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    assert client.get("/search", follow_redirects=False).status_code == 303


def test_a_review_decision_and_undo_with_forms(client: TestClient) -> None:
    csrf = sign_in(client, "analyst")
    listing = client.get("/review")
    item = re.findall(r'href="/review/(\d+)"', listing.text)[-1]
    missing = client.post(f"/review/{item}/decision", data={"csrf_token": csrf})
    assert missing.status_code == 400 and "Choose whether" in missing.text
    done = client.post(f"/review/{item}/decision", data={
        "csrf_token": csrf, "decision": "same", "reason": "same school, same mother"})
    assert "Decision recorded: the same person" in done.text
    assert "Undo the last decision" in done.text
    undone = client.post(f"/review/{item}/undo", data={"csrf_token": csrf})
    assert "Decision undone" in undone.text and "same school, same mother" in undone.text


def test_an_alert_status_change_with_a_form(client: TestClient) -> None:
    csrf = sign_in(client, "social_worker")
    inbox = client.get("/alerts", params={"type": "split-identity"})
    alert = re.findall(r'href="/alerts/(\d+)"', inbox.text)[0]
    page = client.get(f"/alerts/{alert}")
    assert "What to do next" in page.text
    changed = client.post(f"/alerts/{alert}/status", data={
        "csrf_token": csrf, "status": "resolved", "reason": "merged in our system"})
    assert "The alert is now resolved" in changed.text and "merged in our system" in changed.text


def test_the_new_record_warning_without_and_with_htmx(client: TestClient) -> None:
    csrf = sign_in(client, "social_worker")
    record = {"csrf_token": csrf, "first_name": "Olivia", "surname": "Turnor",
              "dob": "2002-06-29", "postcode": "KX4 6LG"}
    page = client.post("/new-record/check", data=record)
    assert "probably already known" in page.text and "<html" in page.text
    partial = client.post("/new-record/check", data=record, headers={"HX-Request": "true"})
    assert "probably already known" in partial.text and "<html" not in partial.text
    half = client.post("/new-record/check", data={**record, "dob": "2002-1"},
                       headers={"HX-Request": "true"})
    assert "not a date" in half.text


def test_queue_quality_and_a_refused_page(client: TestClient) -> None:
    sign_in(client, "social_worker")
    queue = client.get("/queue")
    assert "Working days waited" in queue.text and "govuk-tag--red" in queue.text
    sign_in(client, "police")
    refused = client.get("/queue")
    assert refused.status_code == 403 and "You cannot see this page" in refused.text
    assert 'href="/queue"' not in refused.text  # not in a police officer's menu
    sign_in(client, "analyst")
    assert "Findings by agency" in client.get("/quality").text


def turnors(store: Store) -> int:
    """How many social-care records have the surname Turnor."""
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(people).where(
            people.c.agency == "social-care", people.c.surname == "Turnor")).scalar_one())


def test_a_new_record_is_saved_once_its_look_alikes_were_shown(
        client: TestClient, app: FastAPI, borough_store: Store) -> None:
    csrf = sign_in(client, "social_worker")
    record = {"csrf_token": csrf, "first_name": "Olivia", "surname": "Turnor",
              "dob": "2002-06-29", "postcode": "KX4 6LG"}
    before = turnors(borough_store)
    held = client.post("/new-record", data=record)
    assert held.status_code == 200 and "probably already known" in held.text
    assert "tick &#39;None of these records is this person&#39;" in held.text
    bad = client.post("/new-record", data={**record, "dob": "2002-13-29", "not_known": "yes"})
    assert bad.status_code == 400 and "is not a date" in bad.text
    saved = client.post("/new-record", data={**record, "not_known": "yes"},
                        follow_redirects=False)
    assert saved.status_code == 303, saved.text
    uid = saved.headers["location"].split("saved=", 1)[1]
    agency, record_id = uid.split(":", 1)
    assert agency == "social-care" and "Record saved as" in client.get(saved.headers[
        "location"]).text
    with borough_store.connect() as conn:
        stored = conn.execute(select(people.c.first_name, people.c.surname, people.c.dob)
                              .where(people.c.agency == agency,
                                     people.c.record_id == record_id)).all()
    assert [tuple(r) for r in stored] == [("Olivia", "Turnor", "2002-06-29")]
    assert turnors(borough_store) == before + 1  # the held and refused posts stored nothing
    log = app.state.core.audit.search(AUDITOR, username="sam", action="ingest.record")
    assert [(e.resource, e.outcome) for e in log][-1] == ("agency:social-care", "allowed")
    # Nobody like this is known: saved at once, without ticking anything.
    fresh = client.post("/new-record", data={"csrf_token": csrf, "first_name": "Zebedee",
                                             "surname": "Quillfeather", "dob": "2019-02-03"},
                        follow_redirects=False)
    assert fresh.status_code == 303


def test_the_queue_names_each_child(client: TestClient, borough: Borough) -> None:
    sign_in(client, "social_worker")
    page = client.get("/queue").text
    shown = dict(re.findall(r'<a class="govuk-link" href="/persons/([^"]+)">([^<]+)</a>', page))
    assert shown and all(name != key for key, name in shown.items())
    api = client.get("/api/queue", headers={"Authorization": "Bearer "
                                            + borough.tokens["social_worker"]}).json()
    named = {q["child"]: q["child_name"] for q in api}
    assert all(named[key] == name for key, name in shown.items())


def test_the_chronology_tab_without_javascript(client: TestClient) -> None:
    sign_in(client, "analyst")
    found = client.get("/search", params={"identifier": "SC1"}).text
    person = re.search(r'href="/persons/(P\d+)"', found)[1]  # type: ignore[index]
    overview = client.get(f"/persons/{person}").text
    assert f'href="/persons/{person}/chronology"' in overview
    tab = client.get(f"/persons/{person}/chronology")
    assert tab.status_code == 200 and 'aria-current="page">Chronology' in tab.text
    assert tab.text.count("<tr class=\"govuk-table__row") > 2
    births = client.get(f"/persons/{person}/chronology", params={"kind": "birth"}).text
    kinds = re.findall(r'<td class="govuk-table__cell">([A-Z][a-z -]+)</td>\s*<td', births)
    assert kinds and set(kinds) == {"Birth"}
    wrong = client.get(f"/persons/{person}/chronology", params={"since": "last week"})
    assert wrong.status_code == 400 and "is not a date" in wrong.text
