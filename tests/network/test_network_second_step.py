"""Adults two steps away through someone other than a recorded partner of a parent.

A tiny borough written in the test: Zoe (7) is recorded by health as the child of Ben,
who lives apart from her with Carl; Zoe lives with her mother Mia, whom no agency records
as her mother, and police record Mia's partner Dan. Carl and Dan carry police markers and
no agency ties either to Zoe.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kinlink.ingest import ingest_extract
from kinlink.network import build_network, child_network, list_alerts, recompute_alerts
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons

HEALTH = {
    "people.csv": "record_id,first_name,surname,dob,sex,address,postcode\n"
                  "H1,Zoe,Reed,2019-05-01,F,3 Elm Street,B1 1AA\n"
                  "H2,Ben,Reed,1990-01-01,M,9 Ash Road,B2 2BB\n"
                  "H3,Mia,Reed,1992-02-02,F,3 Elm St,B1 1AA\n",
    "relationships.csv": "record_id,related_record_id,type,from_date,to_date\n"
                         "H2,H1,parent,2019-05-01,\n",
}
POLICE = {
    "people.csv": "record_id,first_name,surname,dob,sex,address,postcode\n"
                  "P1,Carl,Stone,1985-03-03,M,9 Ash Rd,B2 2BB\n"
                  "P2,Dan,Fox,1988-04-04,M,,\n"
                  "P3,Mia,Reed,1992-02-02,F,,\n",
    "relationships.csv": "record_id,related_record_id,type,from_date,to_date\n"
                         "P2,P3,partner,2025-01-01,\n",
    "risk_markers.csv": "record_id,marker,start_date,end_date,review_date,related_record_id,"
                        "notes\nP1,violence,2024-01-01,,,,\nP2,drug-misuse,2023-01-01,,,,\n",
}
PERSONS = {"H1": "P1", "H2": "P2", "H3": "P3", "P3": "P3", "P1": "P4", "P2": "P5"}
AS_OF = date(2026, 11, 1)


def _borough(store: Store, tmp_path: Path, mia_born: str = "1992-02-02") -> None:
    for agency, files in (("health", HEALTH), ("police", POLICE)):
        folder = tmp_path / agency
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text.replace("1992-02-02", mia_born))
        assert not ingest_extract(store, folder, agency).problems
    with store.begin() as conn:
        conn.execute(record_persons.insert(), [
            {"agency": "health" if rid.startswith("H") else "police", "record_id": rid,
             "person_id": pid, "cluster_confidence": 0.95} for rid, pid in PERSONS.items()])
    build_network(store)


def test_a_parents_housemate_and_a_housemates_partner_are_found(store: Store,
                                                                tmp_path: Path) -> None:
    _borough(store, tmp_path)
    network = child_network(store, "P1", as_of=AS_OF)
    roles = {a.person.person_id: (a.role, a.steps) for a in network.adults}
    assert roles == {"P2": ("parent", 1), "P3": ("household member", 1),
                     "P4": ("parent's household member", 2),
                     "P5": ("household member's partner", 2)}
    carl = next(a for a in network.adults if a.person.person_id == "P4")
    assert [(link.source, link.via) for link in carl.links] == [("co-residence", "P2")]
    recompute_alerts(store, as_of=AS_OF)
    unlinked = {a.other_person_id for a in list_alerts(store, type="unlinked-risk")}
    assert unlinked == {"P4", "P5"}


def test_a_child_housemate_leads_nowhere(store: Store, tmp_path: Path) -> None:
    """Through a child living with the child (a sibling), no partner is reached."""
    _borough(store, tmp_path, mia_born="2016-02-02")  # Mia is Zoe's sister, aged 10
    sibling = child_network(store, "P1", as_of=AS_OF)
    assert "P5" not in {a.person.person_id for a in sibling.adults}
