"""The generic data-quality findings store (kinlink.quality), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from kinlink.quality import Finding, list_findings, record_findings, replace_findings
from kinlink.store import Store


def finding(agency: str, key: str, rule: str = "out-of-order",
            severity: str = "warning") -> Finding:
    return Finding(agency, "referrals", key, rule, f"{key} is wrong", severity)


def test_record_replace_and_list(store: Store) -> None:
    record_findings(store, area="timeliness", findings=[finding("social-care", "R1")], run_id=1)
    record_findings(store, area="network", findings=[finding("police", "P1", "loop")])
    assert replace_findings(store, area="timeliness", run_id=2, findings=[
        finding("social-care", "R2", "future-date", "error"), finding("health", "H1")]) == 2
    timeliness = list_findings(store, area="timeliness")
    assert [(f.record_key, f.severity, f.run_id) for f in timeliness] == [
        ("R2", "error", 2), ("H1", "warning", 2)]  # most severe first; R1 was replaced
    assert [f.record_key for f in list_findings(store, area="network")] == ["P1"]
    assert [f.record_key for f in list_findings(store, agency="health")] == ["H1"]
    assert list_findings(store, rule="future-date")[0].detected_at is not None


def test_replace_one_agency_keeps_the_others(store: Store) -> None:
    replace_findings(store, area="timeliness", findings=[finding("health", "H1"),
                                                         finding("social-care", "R1")])
    replace_findings(store, area="timeliness", agency="health", findings=[])
    assert [f.record_key for f in list_findings(store, area="timeliness")] == ["R1"]


def test_replace_inside_a_transaction_rolls_back_with_it(store: Store) -> None:
    replace_findings(store, area="timeliness", findings=[finding("social-care", "R1")])
    with pytest.raises(RuntimeError), store.begin() as conn:
        replace_findings(conn, area="timeliness", findings=[])
        raise RuntimeError("the caller's work failed")
    assert [f.record_key for f in list_findings(store, area="timeliness")] == ["R1"]


def test_severity_is_checked() -> None:
    with pytest.raises(ValueError, match="severity"):
        finding("police", "P1", severity="bad")
