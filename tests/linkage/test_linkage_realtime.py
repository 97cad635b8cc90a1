"""Real-time matching: the index, candidates, and scores equal to batch scores."""

from __future__ import annotations

import pyarrow as pa
import pytest
from sqlalchemy import insert

from kinlink.ingest import ingest_extract
from kinlink.linkage import LinkageModel, predict
from kinlink.linkage.realtime import RealtimeMatcher
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons


@pytest.fixture
def matcher(borough_store: Store, trained_model: LinkageModel) -> RealtimeMatcher:
    matcher = RealtimeMatcher(borough_store, trained_model)
    matcher.refresh()
    return matcher


def test_real_time_scores_equal_batch_scores(matcher: RealtimeMatcher,
                                             borough_records: pa.Table,
                                             trained_model: LinkageModel) -> None:
    """Every batch pair, re-scored through the real-time path, scores the same."""
    batch = predict(borough_records, trained_model, threshold=0.0).to_pylist()
    assert len(batch) > 1000
    gammas = [c for c in batch[0] if c.startswith("gamma_")]
    for pair in batch:
        live = matcher.score_pair(pair["uid_l"], pair["uid_r"])
        assert live["match_weight"] == pytest.approx(pair["match_weight"], abs=1e-9)
        assert live["match_probability"] == pytest.approx(pair["match_probability"], abs=1e-12)
        assert {g: live[g] for g in gammas} == {g: pair[g] for g in gammas}


def test_a_query_finds_the_same_pairs_as_batch(matcher: RealtimeMatcher,
                                               borough_records: pa.Table,
                                               trained_model: LinkageModel) -> None:
    """A stored record used as a query gets exactly its batch partners, scored the same."""
    batch = predict(borough_records, trained_model, threshold=0.0)
    partners: dict[str, dict[str, float]] = {}
    for a, b, w in zip(batch["uid_l"].to_pylist(), batch["uid_r"].to_pylist(),
                       batch["match_weight"].to_pylist(), strict=True):
        partners.setdefault(a, {})[b] = w
        partners.setdefault(b, {})[a] = w
    raw = {f"{r['agency']}:{r['record_id']}": r for r in _raw_rows(matcher.store)}
    for uid in sorted(partners)[:60]:
        found = matcher.match(raw[uid], top=1000)
        assert {c.uid: pytest.approx(c.match_weight, abs=1e-9) for c in found} == partners[uid]


def test_a_misspelt_duplicate_is_found_with_an_explanation(matcher: RealtimeMatcher) -> None:
    row = next(r for r in _raw_rows(matcher.store) if r["agency"] == "health" and r["dob"])
    query = {**row, "agency": None, "record_id": None,
             "surname": row["surname"][:-1] + ("X" if row["surname"][-1] != "X" else "Y")}
    best = matcher.match(query, top=3)[0]
    assert best.uid == f"health:{row['record_id']}"
    assert best.match_probability > 0.9
    assert "forename: same" in best.explanation.text
    assert best.person_id is None


def test_candidates_carry_their_resolved_person(matcher: RealtimeMatcher) -> None:
    row = next(r for r in _raw_rows(matcher.store) if r["agency"] == "police")
    with matcher.store.begin() as conn:
        conn.execute(insert(record_persons).values(agency="police", record_id=row["record_id"],
                                                   person_id="P0000042"))
    found = matcher.match({**row, "agency": "query"}, top=5)
    assert found[0].uid == f"police:{row['record_id']}"
    assert found[0].person_id == "P0000042"


def test_refresh_indexes_only_what_changed(matcher: RealtimeMatcher, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert matcher.refresh().indexed == 0
    extract = tmp_path / "police"
    extract.mkdir()
    (extract / "people.csv").write_text(
        "record_id,first_name,surname,dob\nPN9999999,Zebedee,Quartermaine,1977-07-07\n")
    ingest_extract(matcher.store, extract, "police")
    summary = matcher.refresh()
    assert summary.indexed == 1 and summary.total == 808
    found = matcher.match({"first_name": "Zebedee", "surname": "Quartermain",
                           "dob": "1977-07-07"})
    assert found[0].uid == "police:PN9999999"


def test_a_query_with_nothing_in_common_finds_nobody(matcher: RealtimeMatcher) -> None:
    assert matcher.match({"first_name": "Xq", "surname": "Zzyzx", "dob": "1901-01-01"}) == []


def _raw_rows(store: Store) -> list[dict]:
    from kinlink.store.queries import current_rows

    with store.connect() as conn:
        return [dict(r) for r in conn.execute(current_rows("people")).mappings()]
