"""CSV exports so anyone can score our links against a truth of their own."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select

from kinlink.files import text_writer
from kinlink.network.detect import CHILD_BATCH
from kinlink.network.graph import children_on, ensure_network
from kinlink.network.view import child_networks
from kinlink.store import Store
from kinlink.store.lists import decode, encode
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.network import network_persons

LINK_COLUMNS = ("child_person_id", "adult_person_id", "relationship", "recorded_or_inferred",
                "markers", "evidence")


def export_links(store: Store, out: Path, *, as_of: date | None = None) -> int:
    """One row per (child, adult within two steps); returns the number of rows written.

    `relationship` is the adult's closest role; `recorded_or_inferred` says whether any
    agency recorded a link between them; `markers` the adult's marker types and `evidence`
    the source record uids behind the links and the markers (each a JSON array). The file
    appears whole or not at all.
    """
    on = as_of or date.today()
    ensure_network(store)
    rows = 0
    with text_writer(out) as handle:
        writer = csv.writer(handle)
        writer.writerow(LINK_COLUMNS)
        children = children_on(store, on)
        for i in range(0, len(children), CHILD_BATCH):
            for network in child_networks(store, children[i:i + CHILD_BATCH],
                                          as_of=on).values():
                for adult in network.adults:
                    recorded = any(link.recorded and link.via is None for link in adult.links)
                    evidence = sorted({uid for link in adult.links for uid in link.records}
                                      | {m.uid for m in adult.markers})
                    writer.writerow([
                        network.child.person_id, adult.person.person_id, adult.role,
                        "recorded" if recorded else "inferred",
                        encode(sorted({m.marker for m in adult.markers})), encode(evidence),
                    ])
                    rows += 1
    return rows


def export_persons(store: Store, out: Path) -> int:
    """Every source record with the person it was resolved into (agency, record_id, person_id).

    Records not resolved yet are written with their own uid as person id, as the network
    treats them.
    """
    ensure_network(store)
    rows = 0
    with text_writer(out) as handle, store.connect() as conn:
        writer = csv.writer(handle)
        writer.writerow(("agency", "record_id", "person_id"))
        resolved = {(r.agency, r.record_id): r.person_id for r in conn.execute(
            select(record_persons.c.agency, record_persons.c.record_id,
                   record_persons.c.person_id))}
        for person_id, records in conn.execute(
                select(network_persons.c.person_id, network_persons.c.records)
                .order_by(network_persons.c.person_id)):
            for uid in decode(records):
                agency, record_id = uid.split(":", 1)
                writer.writerow([agency, record_id, resolved.get((agency, record_id), person_id)])
                rows += 1
    return rows
