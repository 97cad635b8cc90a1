"""Markers held only by an agency that records no address, with 30% of parent links dropped.

A population written here in code, with the shape of the independent population the
network is judged on: 40 families (mother, father, two children) recorded by social care,
health and education with addresses and identifiers, each agency dropping every parent link
whose number falls in 3 of every 10; police hold the risk markers, on records with a name
only (no address, no sex, a date of birth on most), linked to no child. Resolution cannot
place such a record, so it stays a person of its own (`record_persons` here says so, as
`kinlink resolve` leaves it); the network must still reach the risk through the name.
Strangers with markers test precision: one whose namesake has another date of birth, one
whose name two persons share.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from kinlink.errors import ConfigError
from kinlink.ingest import ingest_extract
from kinlink.network import build_network, list_alerts, recompute_alerts
from kinlink.network.load import load_sources
from kinlink.network.probable import load_probable, probable_edges
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons
from kinlink.synth.identifiers import nhs_numbers, upns

AS_OF = date(2026, 11, 1)
FAMILIES = 40
SURNAMES = ["Okafor", "Lindqvist", "Reid", "Marsh", "Quinn", "Achebe", "Novak", "Haddad",
            "Fitzroy", "Oyelaran", "Brennan", "Szabo", "Kowalczyk", "Mendes", "Ferreira",
            "Nakamura", "Adeyemi", "Castellano", "Dunmore", "Ekwueme"]
MOTHERS = ["Grace", "Amara", "Ingrid", "Sofia", "Leah", "Nadia", "Priya", "Rosa"]
FATHERS = ["Tom", "Kwame", "Lars", "Mateus", "Owen", "Farid", "Ravi", "Bruno", "Tariq",
           "Declan"]
CHILDREN = ["Mia", "Leo", "Ava", "Noah", "Isla", "Zane", "Ruby", "Kai", "Esme", "Theo"]
HEADERS = {
    "people": "record_id,first_name,surname,dob,sex,address,postcode,nhs_number,upn",
    "relationships": "record_id,related_record_id,type,from_date,to_date",
    "risk_markers": "record_id,marker,start_date,end_date,review_date,related_record_id,notes",
}


class Population:
    """The records of every agency, who each record is, and the hidden risks."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, list[list[str]]]] = {
            a: {t: [] for t in HEADERS} for a in ("police", "social-care", "health",
                                                  "education")}
        self.person_of: dict[tuple[str, str], str] = {}
        self.hidden: set[tuple[str, str]] = set()  # (child, adult) true persons
        self.links = 0
        self.nhs = iter(nhs_numbers(np.random.default_rng(7), 400).tolist())
        self.upn = iter(upns(330, np.arange(200) % 90 + 2000, np.full(200, 24),
                             np.arange(200)).tolist())

    def record(self, agency: str, person: str, fields: list[str]) -> str:
        rid = f"{agency[:2].upper()}{len(self.rows[agency]['people']) + 1}"
        self.rows[agency]["people"].append([rid, *fields])
        self.person_of[(agency, rid)] = person
        return rid

    def parent_link(self, agency: str, parent: str, child: str, born: str) -> None:
        self.links += 1
        if self.links % 10 < 3:  # 30% of recorded parent links dropped
            return
        self.rows[agency]["relationships"].append([parent, child, "parent", born, ""])

    def family(self, i: int) -> None:
        surname = SURNAMES[i % len(SURNAMES)] + ("" if i < len(SURNAMES) else "-Hale")
        address, postcode = f"{i + 1} Alder Road, Kestow", f"KX{i % 9 + 1} {i % 7 + 1}AB"
        mother = (f"F{i}M", MOTHERS[i % len(MOTHERS)], f"{1980 + i % 10}-03-{i % 27 + 1:02d}",
                  "F")
        father = (f"F{i}D", FATHERS[i % len(FATHERS)], f"{1978 + i % 12}-07-{i % 27 + 1:02d}",
                  "M")
        kids = [(f"F{i}C{k}", CHILDREN[(i + 3 * k) % len(CHILDREN)],
                 f"{2012 + (i + 4 * k) % 12}-0{k + 1}-15", "F" if k else "M") for k in (0, 1)]
        ids: dict[str, dict[str, str]] = {"social-care": {}, "health": {}, "education": {}}
        for agency in ids:
            for pid, first, dob, sex in (mother, father, *kids):
                child = pid in {k[0] for k in kids}
                if agency == "education" and not child and i % 2:
                    continue  # schools record only some parents
                ids[agency][pid] = self.record(agency, pid, [
                    first, surname, dob, sex, address, postcode,
                    next(self.nhs) if agency == "health" else "",
                    next(self.upn) if agency == "education" and child else ""])
            for kid, _, born, _ in kids:
                for parent in (mother[0], father[0]):
                    if parent in ids[agency]:
                        self.parent_link(agency, ids[agency][parent], ids[agency][kid], born)
        # Police: the father's marker (every other family), the mother's (every fifth),
        # on records with a name and, for most, a date of birth: nothing else.
        for (pid, first, dob, _), marked, marker in ((father, i % 2 == 0, "drug-misuse"),
                                                     (mother, i % 5 == 0, "violence")):
            if marked:
                rid = self.record("police", pid, [first, surname, dob if i % 10 >= 3 else "",
                                                  "", "", "", "", ""])
                self.rows["police"]["risk_markers"].append([rid, marker, "2025-05-01", "", "",
                                                            "", ""])
                self.hidden |= {(kid[0], pid) for kid in kids}

    def strangers(self) -> None:
        """Marked police records of persons no other agency knows, namesakes of others."""
        # Tom Okafor (family 0's father) has another date of birth: not him.
        rid = self.record("police", "S1", ["Tom", "Okafor", "1999-01-01", "", "", "", "", ""])
        self.rows["police"]["risk_markers"].append([rid, "weapons", "2025-01-01", "", "", "",
                                                    ""])
        # A neighbour known to health shares the name of family 2's father, Lars Reid: a
        # record of that name with no date of birth could be either.
        self.record("health", "N1", ["Lars", "Reid", "1950-02-02", "M", "9 Elm Row, Kestow",
                                     "KX9 9ZZ", next(self.nhs), ""])
        rid = self.record("police", "S2", ["Lars", "Reid", "", "", "", "", "", ""])
        self.rows["police"]["risk_markers"].append([rid, "violence", "2025-01-01", "", "", "",
                                                    ""])

    def write(self, root: Path) -> None:
        for agency, tables in self.rows.items():
            (root / agency).mkdir(parents=True)
            for table, rows in tables.items():
                with (root / agency / f"{table}.csv").open("w", newline="") as f:
                    writer = csv.writer(f)
                    writer.writerow(HEADERS[table].split(","))
                    writer.writerows(rows)


@pytest.fixture(name="population")
def population_fixture() -> Population:
    population = Population()
    for i in range(FAMILIES):
        population.family(i)
    population.strangers()
    return population


@pytest.fixture(name="built")
def built_fixture(population: Population, store: Store, tmp_path: Path) -> Store:
    population.write(tmp_path)
    for agency in population.rows:
        report = ingest_extract(store, tmp_path / agency, agency)
        assert not report.problems
    # What resolution leaves: each person's records with addresses and identifiers joined;
    # a police record holding a name only stays a person of its own.
    rows = [{"agency": a, "record_id": r, "cluster_confidence": 0.99,
             "person_id": p if a != "police" else f"Q-{r}"}
            for (a, r), p in population.person_of.items()]
    with store.begin() as conn:
        conn.execute(record_persons.insert(), rows)
    return store


def test_the_population_has_the_shape_asked_for(population: Population) -> None:
    police = population.rows["police"]["people"]
    assert all(not row[5] and not row[6] and not row[4] for row in police)  # no address, sex
    kept = sum(len(t["relationships"]) for t in population.rows.values())
    assert kept == pytest.approx(0.7 * population.links, abs=1)
    assert len(population.hidden) >= 50


def test_markers_on_records_resolution_cannot_place_reach_the_children(
        built: Store, population: Population) -> None:
    build_network(built)
    recompute_alerts(built, as_of=AS_OF)
    alerts = list_alerts(built, type="unlinked-risk", limit=10_000)
    true_of = {f"Q-{r}": p for (a, r), p in population.person_of.items() if a == "police"}
    found = {(a.person_id, true_of.get(a.other_person_id or "", a.other_person_id))
             for a in alerts}
    hits = found & population.hidden
    recall = len(hits) / len(population.hidden)
    precision = len(hits) / max(len(found), 1)
    assert recall >= 0.95 and precision >= 0.90, (recall, precision)
    # Neither stranger is put on anyone: a date of birth disagrees, or two persons share
    # the name; family 2's father, Lars Reid, is missed for the same reason.
    assert not {adult for _, adult in found} & {"S1", "S2"}
    probable = [m for a in alerts for m in a.evidence["markers"] if m["probable"]]
    assert probable and all("probably the same person" in m["identity"] for m in probable)


def test_a_thin_record_is_put_only_on_a_namesake_nothing_contradicts(
        built: Store, population: Population, tmp_path: Path) -> None:
    with built.connect() as conn:
        edges = probable_edges(load_sources(conn))
    put_on: dict[str, set[str]] = {}
    for records, person in zip(edges["records"].to_list(), edges["b"].to_list(), strict=True):
        put_on.setdefault(records[0], set()).add(person)
    police = {f"police:{r}": p for (a, r), p in population.person_of.items() if a == "police"}
    by_person = {p: uid for uid, p in police.items()}
    assert by_person["S1"] not in put_on  # Tom Okafor's date of birth disagrees
    # Lars Reid has two namesakes, family 2's father and a neighbour: never both around one
    # child, so the network shows the marker on neither (the alerts test checks it).
    assert put_on.pop(by_person["S2"]) == {"F2D", "N1"}
    assert put_on.pop(by_person["F2D"]) == {"F2D", "N1"}
    assert put_on == {uid: {police[uid]} for uid in police
                      if uid not in {by_person[p] for p in ("S1", "S2", "F2D")}}
    assert (edges["confidence"] == 0.5).all()
    rules = tmp_path / "rules.toml"
    rules.write_text("[probable-identity]\nmax_namesakes = 0\nconfidence = 0.5\n"
                     "identifying = []\n")
    with pytest.raises(ConfigError, match="max_namesakes"):
        load_probable(rules)
