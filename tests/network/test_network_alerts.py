"""Alerts: what a recompute finds, and that statuses people set survive recomputes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kinlink.errors import InputError, NotFoundError
from kinlink.ingest import ingest_extract
from kinlink.network import get_alert, list_alerts, recompute_alerts, set_alert_status
from kinlink.store import Store

# The borough's persons, as tests/data/network/record_persons.csv resolves them.
AMY, LISA, DANIEL, KEVIN, JORDAN, MARK = (f"P000000{i}" for i in range(1, 7))
AS_OF = date(2026, 11, 1)


def _by_type(store: Store) -> dict[str, set[tuple[str, str | None]]]:
    out: dict[str, set[tuple[str, str | None]]] = {}
    for a in list_alerts(store, status="open"):
        out.setdefault(a.type, set()).add((a.person_id, a.other_person_id))
    return out


def test_recompute_finds_each_kind(borough: Store) -> None:
    summary = recompute_alerts(borough, as_of=AS_OF)
    assert summary.new == 7
    assert _by_type(borough) == {
        "unlinked-risk": {(AMY, DANIEL), (AMY, KEVIN), (JORDAN, MARK)},
        "split-identity": {(DANIEL, None)},
        "wrong-place": {(AMY, None), (JORDAN, MARK)},
        "breach": {(LISA, DANIEL)},
    }
    why = {a.other_person_id: a.evidence["hidden_because"]
           for a in list_alerts(borough, type="unlinked-risk")}
    assert why == {DANIEL: ["split-identity"], KEVIN: ["missing-link", "wrong-place"],
                   MARK: ["missing-link", "wrong-place"]}
    # Lisa's mental-health marker is linked to Amy and is no risk to her: no alert.
    assert all(a.other_person_id != LISA for a in list_alerts(borough, type="unlinked-risk"))
    assert {a.agency for a in list_alerts(borough, agency="police")} == {"police"}


def test_recompute_twice_changes_nothing(borough: Store) -> None:
    recompute_alerts(borough, as_of=AS_OF)
    before = {a.key: (a.id, a.status) for a in list_alerts(borough)}
    again = recompute_alerts(borough, as_of=AS_OF)
    assert (again.new, again.refreshed, again.closed) == (0, 7, 0)
    assert {a.key: (a.id, a.status) for a in list_alerts(borough)} == before


def test_status_changes_are_kept_with_history(borough: Store) -> None:
    recompute_alerts(borough, as_of=AS_OF)
    alert = list_alerts(borough, type="breach")[0]
    set_alert_status(borough, alert.id, "acknowledged", actor="j.bloggs",
                     reason="strategy discussion booked")
    recompute_alerts(borough, as_of=AS_OF)
    stored = get_alert(borough, alert.id)
    assert stored.status == "acknowledged"
    assert [(h.actor, h.from_status, h.to_status, h.reason)
            for h in stored.history] == [
        ("kinlink", None, "open", "found by a recompute"),
        ("j.bloggs", "open", "acknowledged", "strategy discussion booked")]
    assert len(list_alerts(borough, type="breach")) == 1


def test_fixed_records_close_the_alert(borough: Store, tmp_path: Path,
                                      resolve_as: Callable[..., None]) -> None:
    recompute_alerts(borough, as_of=AS_OF)
    # Police now link Daniel's record P1 to Amy's new police record as her parent.
    extract = tmp_path / "police"
    extract.mkdir()
    (extract / "people.csv").write_text(
        "record_id,first_name,surname,dob\nP7,Amy,Clarke,2019-03-04\n")
    (extract / "relationships.csv").write_text(
        "record_id,related_record_id,type\nP1,P7,parent\n")
    ingest_extract(borough, extract, "police")
    resolve_as(borough)
    from kinlink.store.schema.identity import record_persons

    with borough.begin() as conn:
        conn.execute(record_persons.insert().values(agency="police", record_id="P7",
                                                    person_id=AMY, cluster_confidence=0.99))
    summary = recompute_alerts(borough, as_of=AS_OF)
    assert summary.closed == 1
    closed = [a for a in list_alerts(borough, status="resolved")]
    assert [(a.type, a.other_person_id) for a in closed] == [("unlinked-risk", DANIEL)]
    assert get_alert(borough, closed[0].id).history[-1].actor == "kinlink"


def test_acknowledged_alert_survives_re_resolution(borough: Store,
                                                    resolve_as: Callable[..., None]) -> None:
    recompute_alerts(borough, as_of=AS_OF)
    kevin = next(a for a in list_alerts(borough, type="unlinked-risk")
                 if a.other_person_id == KEVIN)
    set_alert_status(borough, kevin.id, "acknowledged", actor="a.social.worker",
                     reason="visit planned")
    # A new resolution run gives Kevin's record a new person id.
    resolve_as(borough, {("police", "P2"): "P0000009"})
    summary = recompute_alerts(borough, as_of=AS_OF)
    assert summary.carried_over >= 1
    now = next(a for a in list_alerts(borough, type="unlinked-risk")
               if a.other_person_id == "P0000009")
    assert now.status == "acknowledged"
    assert "carried over from alert" in get_alert(borough, now.id).history[0].reason
    assert get_alert(borough, kevin.id).status == "resolved"


def test_bad_changes_are_refused(borough: Store) -> None:
    recompute_alerts(borough, as_of=AS_OF)
    alert_id = list_alerts(borough)[0].id
    with pytest.raises(InputError):
        set_alert_status(borough, alert_id, "closed", actor="x", reason="y")
    with pytest.raises(InputError):
        set_alert_status(borough, alert_id, "resolved", actor=" ", reason="y")
    with pytest.raises(NotFoundError):
        set_alert_status(borough, 99999, "resolved", actor="x", reason="y")
    with pytest.raises(InputError):
        list_alerts(borough, type="nonsense")
