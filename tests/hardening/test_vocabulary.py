"""Every reader of a vocabulary agrees with `kinlink.vocabulary`: ingest, the generator,
the network and the docs; an unknown name is a clear error."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kinlink import vocabulary
from kinlink.ingest.format import TABLES
from kinlink.network import risk
from kinlink.network.alerts import STATUSES
from kinlink.network.chains import default_rules
from kinlink.network.detect import ALERT_ROLES, ALERT_TYPES
from kinlink.network.edges import INVERSE
from kinlink.synth import ADULT_RISK_MARKERS, generate
from kinlink.synth.config import SynthConfig
from kinlink.synth.risk import _OFFENCE_TYPE, _PRIMARY, KNOWN_BY
from kinlink.vocabulary import VocabularyError

ROOT = Path(__file__).resolve().parents[2]


def test_ingest_checks_extracts_against_the_vocabularies() -> None:
    assert TABLES["risk_markers"].column("marker").vocabulary == tuple(vocabulary.MARKERS)
    assert TABLES["relationships"].column("type").vocabulary == vocabulary.RELATIONSHIP_TYPES
    assert TABLES["incidents"].column("type").vocabulary == vocabulary.INCIDENT_TYPES
    assert TABLES["incident_people"].column("role").vocabulary == vocabulary.INCIDENT_ROLES


def test_the_network_weighs_and_inverts_every_name() -> None:
    assert set(risk.SEVERITY) == set(vocabulary.MARKERS)
    assert {m.name for m in vocabulary.MARKERS.values() if m.risk_to_child} == risk.RISK_TO_CHILD
    assert all(0 < m.severity <= 1 for m in vocabulary.MARKERS.values())
    assert set(INVERSE) == set(vocabulary.RELATIONS)
    for name, kind in vocabulary.RELATIONS.items():
        assert vocabulary.inverse(kind.inverse) == name  # inverting twice gives it back
    # The chain rules (network/chains.toml, configurable) may add roles further out; every
    # role of the vocabulary is among them, as near and alerting as the vocabulary says.
    chains = {r.name: r for r in default_rules().roles}
    for name, role in vocabulary.ROLES.items():
        assert (chains[name].closeness, chains[name].alert) == (role.closeness, role.alerts)
    assert set(vocabulary.ROLES) >= ALERT_ROLES
    assert tuple(vocabulary.AlertType) == ALERT_TYPES
    assert tuple(vocabulary.AlertStatus) == STATUSES
    assert set(vocabulary.ORDER_MARKERS) <= set(vocabulary.MARKERS)
    assert set(vocabulary.ORDER_MARKERS.values()) <= set(vocabulary.RELATIONS)


def test_the_generator_draws_only_known_names() -> None:
    assert set(ADULT_RISK_MARKERS) <= risk.RISK_TO_CHILD
    for name in (*_PRIMARY, *KNOWN_BY, *_OFFENCE_TYPE):
        vocabulary.marker(name)
    assert set(_OFFENCE_TYPE.values()) <= set(vocabulary.INCIDENT_TYPES)
    config = SynthConfig()
    for agency in config.agencies.values():
        assert set(agency.relationships) <= set(vocabulary.RELATIONSHIP_TYPES)
    assert set(config.agencies) == set(vocabulary.AGENCIES)


def test_a_generated_borough_writes_only_known_names(tmp_path: Path) -> None:
    generate(tmp_path, people=300, seed=3, progress=False)
    for agency in vocabulary.AGENCIES:
        folder = tmp_path / agency
        if (folder / "risk_markers.csv").exists():
            markers = pl.read_csv(folder / "risk_markers.csv", infer_schema=False)
            assert set(markers["marker"]) <= set(vocabulary.MARKERS)
        if (folder / "relationships.csv").exists():
            types = pl.read_csv(folder / "relationships.csv", infer_schema=False)["type"]
            assert set(types) <= set(vocabulary.RELATIONSHIP_TYPES)
        if (folder / "incidents.csv").exists():
            kinds = pl.read_csv(folder / "incidents.csv", infer_schema=False)["type"]
            assert set(kinds.drop_nulls()) <= set(vocabulary.INCIDENT_TYPES)


def test_the_docs_state_the_vocabularies() -> None:
    doc = (ROOT / "docs" / "network.md").read_text(encoding="utf-8")
    start = doc.index(vocabulary.DOC_BEGIN)
    generated = doc[start:doc.index(vocabulary.DOC_END, start) + len(vocabulary.DOC_END)]
    assert generated == vocabulary.reference(), (
        "docs/network.md is out of date: run `python -m kinlink.vocabulary`")
    formats = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    for name in (*vocabulary.MARKERS, *vocabulary.RELATIONSHIP_TYPES):
        assert f"`{name}`" in formats


@pytest.mark.parametrize("lookup", [risk.severity, vocabulary.marker, vocabulary.relation,
                                    vocabulary.role, risk.closeness])
def test_an_unknown_name_is_a_clear_error(lookup) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(VocabularyError, match=r"unknown .*'tiger-keeping'; known: "):
        lookup("tiger-keeping")


def test_risk_levels_are_an_enum() -> None:
    assert [vocabulary.RiskLevel.of(s) for s in (0, 0.1, 0.4, 0.69, 0.7, 1)] == [
        "none", "low", "medium", "medium", "high", "high"]
    assert risk.level_of(0.8) is vocabulary.RiskLevel.HIGH
