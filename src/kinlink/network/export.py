"""CSV exports so anyone can score our links against a truth of their own."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select

from kinlink.errors import InputError
from kinlink.network.detect import CHILD_BATCH
from kinlink.network.graph import children_on, ensure_network
from kinlink.network.view import child_networks
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.network import network_persons

LINK_COLUMNS = ("child_person_id", "adult_person_id", "relationship", "recorded_or_inferred",
                "markers", "evidence", "as_of")


def _writer(out: Path, columns: tuple[str, ...]):  # type: ignore[no-untyped-def]
    try:
        handle = out.open("w", newline="", encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", file=str(out)) from e
    writer = csv.writer(handle)
    writer.writerow(columns)
    return handle, writer


def export_links(store: Store, out: Path, *, as_of: date | None = None) -> int:
    """One row per (child, adult around them); returns the number of rows written.

    `relationship` is the adult's closest role; `recorded_or_inferred` says whether any
    agency recorded a link between them; `markers` the adult's marker types (`;`),
    `evidence` the source record uids behind the links and the markers (`;`), and `as_of`
    the date ages and current links were judged on (today unless given).
    """
    on = as_of or date.today()
    ensure_network(store)
    handle, writer = _writer(out, LINK_COLUMNS)
    rows = 0
    with handle:
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
                        ";".join(sorted({m.marker for m in adult.markers})),
                        ";".join(evidence), on.isoformat(),
                    ])
                    rows += 1
    return rows


def export_persons(store: Store, out: Path) -> int:
    """Every source record with the person it was resolved into (agency, record_id, person_id).

    Records not resolved yet are written with their own uid as person id, as the network
    treats them.
    """
    ensure_network(store)
    handle, writer = _writer(out, ("agency", "record_id", "person_id"))
    rows = 0
    with handle, store.connect() as conn:
        resolved = {(r.agency, r.record_id): r.person_id for r in conn.execute(
            select(record_persons.c.agency, record_persons.c.record_id,
                   record_persons.c.person_id))}
        for person_id, records in conn.execute(
                select(network_persons.c.person_id, network_persons.c.records)
                .order_by(network_persons.c.person_id)):
            for uid in records.split(";"):
                agency, record_id = uid.split(":", 1)
                writer.writerow([agency, record_id, resolved.get((agency, record_id), person_id)])
                rows += 1
    return rows
