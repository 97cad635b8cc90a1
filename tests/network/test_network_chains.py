"""Adults reached through recorded relationship chains of up to three steps, when parent
links are missing and the agency holding the markers records no address
(tests/data/network-chains/README.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kinlink.errors import ConfigError
from kinlink.network import child_network, list_alerts, recompute_alerts
from kinlink.network.chains import PACKAGED_RULES, load_rules
from kinlink.network.view import child_networks
from kinlink.store import Store

DATA = Path(__file__).parent.parent / "data" / "network-chains"
AS_OF = date(2026, 11, 1)
MIA, LEO, GRACE, TOM, SAM, AVA, JO, RAY, NOA = (f"P000000{i}" for i in range(1, 10))


@pytest.fixture
def families(hand_built: Callable[[Path], Store]) -> Store:
    return hand_built(DATA)


def _roles(store: Store, child: str) -> dict[str, tuple[str, int]]:
    network = child_network(store, child, as_of=AS_OF)
    return {a.person.person_id: (a.role, a.steps) for a in network.adults}


def test_chains_reach_the_adults_a_missing_parent_link_and_no_address_hid(
        families: Store) -> None:
    assert _roles(families, MIA) == {GRACE: ("sibling's parent", 2),
                                     TOM: ("parent's partner", 3),
                                     SAM: ("parent's adult child", 3)}
    assert _roles(families, LEO) == {GRACE: ("parent", 1), TOM: ("parent's partner", 2),
                                     SAM: ("parent's adult child", 2)}
    assert _roles(families, AVA) == {JO: ("household member", 1),
                                     RAY: ("household member's parent", 2)}
    # No date of birth, but referred to social care: a child, with her own network.
    assert _roles(families, NOA) == {GRACE: ("parent", 1), TOM: ("parent's partner", 2),
                                     SAM: ("parent's adult child", 2)}
    tom = next(a for a in child_network(families, MIA, as_of=AS_OF).adults
               if a.person.person_id == TOM)
    [link] = tom.links
    assert (link.relation, link.via, link.path) == ("partner", GRACE, [LEO, GRACE])
    assert [m.marker for m in tom.markers] == ["domestic-abuse-perpetrator"]


def test_each_hidden_risk_reached_by_a_chain_raises_an_alert(families: Store) -> None:
    recompute_alerts(families, as_of=AS_OF)
    alerts = list_alerts(families, type="unlinked-risk", limit=100)
    found = {(a.person_id, a.other_person_id) for a in alerts}
    assert found == {(MIA, TOM), (MIA, SAM), (LEO, TOM), (LEO, SAM), (AVA, RAY), (NOA, TOM),
                     (NOA, SAM)}


def test_the_chain_rules_are_configurable(families: Store, tmp_path: Path) -> None:
    rules_file = tmp_path / "chains.toml"
    household_parent = 'chains = [["household", "parent|step-parent|carer"]]'
    rules_file.write_text(PACKAGED_RULES.read_text().replace(household_parent, "chains = []"))
    rules = load_rules(rules_file)
    [network] = child_networks(families, [AVA], as_of=AS_OF, rules=rules).values()
    assert {a.person.person_id for a in network.adults} == {JO}
    bad = tmp_path / "bad.toml"
    bad.write_text('[[role]]\nname = "x"\nchains = [["cousin"]]\ncloseness = 1\nalert = true\n')
    with pytest.raises(ConfigError, match=r"bad\.toml.*unknown kind"):
        load_rules(bad)
