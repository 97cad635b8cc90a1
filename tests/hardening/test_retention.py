"""Nothing lost (issue 12, item 6): retention reviews by policy, erasure keeping only its
metadata, and merges and splits undone by decisions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, insert, select

from kinlink.config import Settings
from kinlink.core import Actor, Forbidden, Kinlink, Role
from kinlink.errors import ConfigError, NotFoundError
from kinlink.ingest import ingest_extract
from kinlink.linkage.persons import assign_persons
from kinlink.network import build_network
from kinlink.retention import DEFAULT_POLICY, due_for_review, erase_record, load_policy
from kinlink.retention.erase import erasures_done
from kinlink.review import review_constraints
from kinlink.review.reverse import reverse_person_event
from kinlink.store import Store
from kinlink.store.schema import metadata
from kinlink.store.schema.resolution import person_events, resolution_runs
from kinlink.store.schema.source import people

DATA = Path(__file__).parent.parent / "data" / "network"
AGENCIES = ("police", "social-care", "health", "education")


def _borough(store: Store) -> None:
    for agency in AGENCIES:
        ingest_extract(store, DATA / agency, agency)


def _years_on(years: int) -> date:
    today = date.today()
    return today.replace(year=today.year + years)


def test_records_come_due_by_their_group(store: Store) -> None:
    _borough(store)
    assert due_for_review(store, date.today()) == []
    in_seven = {(d.agency, d.record_id): d for d in due_for_review(store, _years_on(7))}
    groups = {d.group for d in in_seven.values()}
    assert groups == {"3 other"}  # six years for records holding no serious marker
    assert ("police", "P1") not in in_seven  # Daniel: domestic abuse, group 1
    in_eleven = {(d.agency, d.record_id): d for d in due_for_review(store, _years_on(11))}
    daniel = in_eleven[("police", "P1")]
    assert daniel.group == "1 public protection" and not daniel.may_dispose  # kept to 100
    assert all(d.may_dispose for d in in_eleven.values() if d.group == "3 other")


def test_the_policy_is_configurable(tmp_path: Path) -> None:
    config = tmp_path / "retention.toml"
    config.write_text('[[groups]]\nname = "short"\nmarkers = ["violence"]\nreview_years = 1\n'
                      '[[groups]]\nname = "rest"\nreview_years = 3\n', encoding="utf-8")
    policy = load_policy(config)
    assert [g.review_years for g in policy] == [1, 3]
    assert load_policy(None) == DEFAULT_POLICY
    config.write_text('[[groups]]\nname = "x"\nmarkers = ["tiger-keeping"]\nreview_years = 1\n',
                      encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown risk marker 'tiger-keeping'"):
        load_policy(config)


def _traces(store: Store, agency: str, record_id: str) -> list[str]:
    """Every table row still holding the record (by columns, or its uid in any text)."""
    uid = re.compile(rf"\b{re.escape(agency)}:{re.escape(record_id)}\b")
    found = []
    with store.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in ("erasures", "review_decisions", "alembic_version"):
                continue
            for row in conn.execute(select(table)).mappings():
                named = row.get("agency") == agency and record_id in (
                    row.get("record_id"), row.get("related_record_id"))
                if named or uid.search(str(dict(row))):
                    found.append(f"{table.name}: {dict(row)}")
    return found


def test_erasure_leaves_only_metadata(store: Store) -> None:
    _borough(store)
    build_network(store)
    with store.connect() as conn:
        others = conn.execute(select(func.count()).select_from(people)
                              .where(people.c.agency != "police")).scalar_one()
    assert _traces(store, "police", "P1")
    erasure = erase_record(store, "police", "P1", actor="records officer",
                           reason="retention review: no longer needed",
                           at=datetime(2026, 12, 2, tzinfo=UTC))
    assert _traces(store, "police", "P1") == []
    assert erasure.rows["people"] == 1 and erasure.rows["risk_markers"] >= 2
    assert [(e.agency, e.record_id, e.reason) for e in erasures_done(store)] == [
        ("police", "P1", "retention review: no longer needed")]
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(people)
                            .where(people.c.agency != "police")).scalar_one() == others
    with pytest.raises(NotFoundError):
        erase_record(store, "police", "P1", actor="x", reason="again", at=datetime.now(UTC))


def test_a_merge_is_undone_by_decisions_the_next_run_keeps(store: Store,
                                                          tmp_path: Path) -> None:
    extract = tmp_path / "x"
    extract.mkdir()
    (extract / "people.csv").write_text("record_id,first_name,surname,dob\nA1,Ann,Lee,"
                                        "1980-01-01\nA2,Anne,Lee,1980-01-01\nA3,Ann,Leigh,"
                                        "1980-01-01\n", encoding="utf-8")
    ingest_extract(store, extract, "police")

    def run(clusters: list[int]) -> None:
        """What a resolution run stores for these clusters."""
        frame = pl.DataFrame({"uid": ["police:A1", "police:A2", "police:A3"],
                              "cluster_id": clusters, "confidence": [0.9] * 3})
        with store.begin() as conn:
            run_id = conn.execute(insert(resolution_runs).values(
                started_at=datetime.now(UTC), status="done", engine="duckdb", threshold=0.5)
                .returning(resolution_runs.c.id)).scalar_one()
            assign_persons(conn, frame.to_arrow(), run_id=run_id, at=datetime.now(UTC))

    run([1, 1, 2])  # two persons
    run([1, 1, 1])  # the second merged into the first
    with store.connect() as conn:
        merge = conn.execute(select(person_events).where(person_events.c.kind == "merge")
                             ).one()
    decisions = reverse_person_event(store, merge.id, actor="reviewer",
                                     reason="A3 is her cousin")
    assert [(d.decision, d.uid_l, d.uid_r) for d in decisions] == [
        ("not-same", "police:A1", "police:A3")]
    with store.connect() as conn:
        _, cannot = review_constraints(conn)
    assert cannot.to_pylist()[0]["uid_r"] == "police:A3"
    with pytest.raises(NotFoundError):
        reverse_person_event(store, 999, actor="reviewer", reason="none")


def test_erasure_through_the_core_is_logged_as_an_erasure(settings: Settings) -> None:
    admin, auditor = Actor("root", Role.ADMINISTRATOR), Actor("ann", Role.AUDITOR)
    officer = Actor("dq", Role.DATA_QUALITY_OFFICER, agency="health")
    with Kinlink.open(settings) as kl:
        _borough(kl.store)
        with pytest.raises(Forbidden):  # scoped to health: not police's records
            kl.retention.erase(officer, "police", "P1", reason="review")
        kl.retention.erase(admin, "police", "P1", reason="retention review")
        entries = kl.audit.search(auditor, kind="erasure")
        assert [(e.username, e.resource, e.outcome, e.reason) for e in entries] == [
            ("dq", "record:police:P1", "refused", "review"),
            ("root", "record:police:P1", "allowed", "retention review")]
        assert kl.audit.verify(auditor).ok
