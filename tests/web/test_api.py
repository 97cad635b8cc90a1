"""The REST API against the real app on the built borough (SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kinlink.core import Actor, Role
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons

from .conftest import ADMIN, Borough, csrf_headers, sign_in

AUDITOR = Actor("ann", Role.AUDITOR)


def bearer(borough: Borough, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {borough.tokens[key]}"}


def test_the_schema_is_open_and_everything_else_needs_credentials(client: TestClient) -> None:
    client.cookies.clear()
    schema = client.get("/openapi.json").json()
    assert {"/api/persons", "/api/persons/{person_id}", "/api/match", "/api/alerts",
            "/api/queue", "/api/quality", "/api/review/{item_id}/undo"} <= set(schema["paths"])
    for path in ("/api/persons?surname=x", "/api/alerts", "/api/queue", "/api/quality"):
        answer = client.get(path)
        assert answer.status_code == 401 and answer.json() == {"error": "sign in to continue"}
    wrong = client.get("/api/alerts", headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401 and "\n" not in wrong.json()["error"]


def test_search_and_the_person_page_as_data(client: TestClient, borough: Borough) -> None:
    found = client.get("/api/persons", params={"first_name": "Amy", "surname": "Clark"},
                       headers=bearer(borough, "analyst")).json()
    amy = found["hits"][0]
    assert amy["name"] == "Amy Clarke" and found["total"] >= 1
    detail = client.get(f"/api/persons/{amy['person_id']}",
                        headers=bearer(borough, "analyst")).json()
    assert {r["uid"] for r in detail["identity"]["records"]} >= {"social-care:SC1", "health:H1"}
    network = detail["network"]["network"]
    roles = {a["role"] for a in network["adults"]}
    assert {"parent", "household member"} <= roles
    daniel = next(a for a in network["adults"] if a["person"]["name"] == "Daniel Hughes")
    assert any(m["marker"] == "domestic-abuse-perpetrator" for m in daniel["markers"])
    assert {a["type"] for a in detail["alerts"]} >= {"unlinked-risk", "wrong-place"}


def test_a_police_officer_sees_no_health_records(client: TestClient, borough: Borough) -> None:
    amy = client.get("/api/persons", params={"identifier": "SC1"},
                     headers=bearer(borough, "police")).json()["hits"][0]
    detail = client.get(f"/api/persons/{amy['person_id']}",
                        headers=bearer(borough, "police")).json()
    assert all(r["agency"] != "health" for r in detail["identity"]["records"])


def test_a_person_known_only_to_health_is_refused_to_the_police(
        client: TestClient, borough: Borough, borough_store: Store) -> None:
    with borough_store.connect() as conn:
        health_only = conn.execute(
            select(record_persons.c.person_id).group_by(record_persons.c.person_id)
            .having(func.max(record_persons.c.agency) == "health")
            .having(func.min(record_persons.c.agency) == "health").limit(1)).scalar_one()
    police = client.get(f"/api/persons/{health_only}", headers=bearer(borough, "police"))
    assert police.status_code == 403 and "health" in police.json()["error"]
    analyst = client.get(f"/api/persons/{health_only}", headers=bearer(borough, "analyst"))
    assert analyst.status_code == 200


def test_referrals_come_with_their_clocks(client: TestClient, borough: Borough) -> None:
    child = client.get("/api/persons", params={"identifier": "C1"},
                       headers=bearer(borough, "social_worker")).json()["hits"][0]
    detail = client.get(f"/api/persons/{child['person_id']}",
                        headers=bearer(borough, "social_worker")).json()
    [referral] = [r for r in detail["referrals"] if r["referral_id"] == "R1"]
    assert referral["clocks"] and all(c["status"] for c in referral["clocks"])


def test_real_time_match_of_a_new_record(client: TestClient, borough: Borough) -> None:
    answer = client.post("/api/match", headers=bearer(borough, "social_worker"), json={
        "first_name": "Olivia", "surname": "Turnor", "dob": "2002-06-29", "postcode": "KX4 6LG"})
    best = answer.json()["candidates"][0]
    assert best["match_probability"] > 0.9 and best["person_id"]
    assert "forename" in best["explanation"]
    bad = client.post("/api/match", headers=bearer(borough, "social_worker"),
                      json={"surname": "X", "colour": "red"})
    assert bad.status_code == 422 and "colour" in bad.json()["error"]


def test_a_review_decision_and_its_undo(client: TestClient, borough: Borough) -> None:
    headers = bearer(borough, "analyst")
    waiting = client.get("/api/review", headers=headers).json()
    item = waiting["items"][0]
    compared = client.get(f"/api/review/{item['id']}", headers=headers).json()
    assert compared["record_l"] and compared["fields"]
    assert all(f["words"].startswith("counts") for f in compared["fields"])
    decided = client.post(f"/api/review/{item['id']}/decision", headers=headers,
                          json={"decision": "not-same", "reason": "different mothers"})
    assert decided.json()["decision"] == "not-same"
    after = client.get("/api/review", headers=headers).json()
    assert item["id"] not in [i["id"] for i in after["items"]]
    undone = client.post(f"/api/review/{item['id']}/undo", headers=headers, json={})
    assert undone.json()["decision"] == "unsure"
    unsure = client.get("/api/review", params={"status": "unsure"}, headers=headers).json()
    assert item["id"] in [i["id"] for i in unsure["items"]]


def test_the_alerts_inbox_is_grouped_ranked_and_changed(client: TestClient,
                                                        borough: Borough) -> None:
    headers = bearer(borough, "analyst")
    inbox = client.get("/api/alerts", headers=headers).json()
    priorities = [child["priority"] for child in inbox["children"]]
    assert priorities == sorted(priorities, reverse=True)
    top = inbox["children"][0]["alerts"][0]
    assert top["alert"]["type"] in ("unlinked-risk", "breach") and top["next_step"]
    alert_id = top["alert"]["id"]
    changed = client.post(f"/api/alerts/{alert_id}/status", headers=headers,
                          json={"status": "acknowledged", "reason": "strategy meeting booked"})
    assert changed.json()["status"] == "acknowledged"
    assert changed.json()["history"][-1]["reason"] == "strategy meeting booked"
    only_open = client.get("/api/alerts", headers=headers).json()
    assert alert_id not in [a["alert"]["id"] for c in only_open["children"] for a in c["alerts"]]
    wrong = client.post(f"/api/alerts/{alert_id}/status", headers=headers,
                        json={"status": "gone", "reason": "x"})
    assert wrong.status_code == 422 and "status" in wrong.json()["error"]


def test_queue_and_quality_and_who_may_see_them(client: TestClient, borough: Borough) -> None:
    queue = client.get("/api/queue", headers=bearer(borough, "social_worker")).json()
    assert queue and [q["rank"] for q in queue] == sorted(q["rank"] for q in queue)
    assert {q["rag"] for q in queue} <= {"red", "amber", "green", None}
    refused = client.get("/api/queue", headers=bearer(borough, "police"))
    assert refused.status_code == 403 and refused.json()["error"].startswith("not allowed")
    quality = client.get("/api/quality", headers=bearer(borough, "analyst")).json()
    assert dict(quality["records"])["police"] > 0
    assert client.get("/api/persons?identifier=C1",
                      headers=bearer(borough, "auditor")).status_code == 403


def test_sessions_need_the_csrf_token_to_change_anything(client: TestClient) -> None:
    sign_in(client, "analyst")
    inbox = client.get("/api/alerts").json()
    alert_id = inbox["children"][-1]["alerts"][0]["alert"]["id"]
    body = {"status": "acknowledged", "reason": "looked at it"}
    refused = client.post(f"/api/alerts/{alert_id}/status", json=body)
    assert refused.status_code == 403 and "another site" in refused.json()["error"]
    done = client.post(f"/api/alerts/{alert_id}/status", json=body,
                       headers=csrf_headers(client))
    assert done.status_code == 200


def test_errors_are_one_line_json_with_a_fitting_status(client: TestClient,
                                                        borough: Borough) -> None:
    headers = bearer(borough, "analyst")
    missing = client.get("/api/persons/P9999999", headers=headers)
    assert missing.status_code == 404 and missing.json() == {"error": "no person P9999999"}
    vague = client.get("/api/persons", params={"surname": "Smith"}, headers=headers)
    assert vague.status_code == 400 and vague.json()["error"].startswith("search needs")
    malformed = client.get("/api/persons", params={"first_name": "A", "surname": "B",
                                                   "dob": "31/12/2015"}, headers=headers)
    assert malformed.status_code == 400 and "Traceback" not in malformed.text
    assert client.get("/api/review/999999", headers=headers).status_code == 404


def test_security_headers_on_pages_and_api(client: TestClient) -> None:
    client.cookies.clear()
    for path in ("/sign-in", "/openapi.json", "/static/app.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "http" not in csp  # no external origin
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert client.get("/sign-in").headers["cache-control"] == "no-store"


def test_every_call_of_a_page_is_in_the_audit_log(client: TestClient, borough: Borough,
                                                  app: FastAPI) -> None:
    """The web layer logs nothing itself: the core's gate records the search, the view (one
    entry naming the parts shown) and the refusal, with who did it."""
    headers = bearer(borough, "police")
    hit = client.get("/api/persons", params={"identifier": "P1"}, headers=headers).json()
    person = hit["hits"][0]["person_id"]
    client.get(f"/api/persons/{person}", headers=headers)
    client.get("/api/queue", headers=headers)
    log = app.state.core.audit.search(AUDITOR, username="pat", limit=10_000)
    seen = [(e.action, e.resource, e.outcome) for e in log]
    assert ("persons.search", "search", "allowed") in seen
    assert ("persons.view", f"person:{person}", "allowed") in seen
    view = next(e for e in log if e.action == "persons.view")
    assert view.detail and view.detail["parts"] == ["records", "network", "alerts"]
    assert ("timeliness.queue", "referrals", "refused") in seen
    assert app.state.core.audit.verify(ADMIN).ok


def test_a_childs_chronology_as_data(client: TestClient, borough: Borough) -> None:
    amy = client.get("/api/persons", params={"identifier": "SC1"},
                     headers=bearer(borough, "analyst")).json()["hits"][0]
    path = f"/api/persons/{amy['person_id']}/chronology"
    whole = client.get(path, headers=bearer(borough, "analyst")).json()
    assert whole["child"]["person_id"] == amy["person_id"]
    events = whole["events"]
    assert events and {e["subject"]["about"] for e in events} == {"child", "adult"}
    dated = [e["on"] for e in events if not e["date_missing"]]
    assert dated == sorted(dated)  # in order across agencies
    births = client.get(path, params={"kind": "birth"}, headers=bearer(borough, "analyst"))
    assert {e["kind"] for e in births.json()["events"]} == {"birth"}
    wrong = client.get(path, params={"kind": "party"}, headers=bearer(borough, "analyst"))
    assert wrong.status_code == 422 and "\n" not in wrong.json()["error"]
