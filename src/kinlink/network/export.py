"""Exports so anyone can score our links against a truth of their own: rows as they are
read, and a CSV writer for them."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields
from datetime import date
from pathlib import Path

from sqlalchemy import select

from kinlink.errors import InputError
from kinlink.network.detect import CHILD_BATCH
from kinlink.network.graph import children_on
from kinlink.network.view import child_networks
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.network import network_persons


@dataclass(frozen=True)
class LinkRow:
    """One (child, adult within two steps) pair.

    `relationship` is the adult's closest role; `recorded_or_inferred` says whether any
    agency recorded a link between them; `markers` the adult's marker types (`;`), and
    `evidence` the source record uids behind the links and the markers (`;`).
    """

    child_person_id: str
    adult_person_id: str
    relationship: str
    recorded_or_inferred: str
    markers: str
    evidence: str


@dataclass(frozen=True)
class PersonRow:
    """A source record and the person it was resolved into."""

    agency: str
    record_id: str
    person_id: str


def columns(row_type: type[LinkRow] | type[PersonRow]) -> list[str]:
    """The CSV header of a row type."""
    return [f.name for f in fields(row_type)]


def link_rows(store: Store, *, as_of: date) -> Iterator[LinkRow]:
    """One row per (child, adult within two steps) on the date, from the stored graph."""
    children = children_on(store, as_of)
    for i in range(0, len(children), CHILD_BATCH):
        for network in child_networks(store, children[i:i + CHILD_BATCH],
                                      as_of=as_of).values():
            for adult in network.adults:
                recorded = any(link.recorded and link.via is None for link in adult.links)
                evidence = sorted({uid for link in adult.links for uid in link.records}
                                  | {m.uid for m in adult.markers})
                yield LinkRow(network.child.person_id, adult.person.person_id, adult.role,
                              "recorded" if recorded else "inferred",
                              ";".join(sorted({m.marker for m in adult.markers})),
                              ";".join(evidence))


def person_rows(store: Store) -> Iterator[PersonRow]:
    """Every source record with the person it was resolved into.

    Records not resolved yet are given their own uid as person id, as the network
    treats them.
    """
    with store.connect() as conn:
        resolved = {(r.agency, r.record_id): r.person_id for r in conn.execute(
            select(record_persons.c.agency, record_persons.c.record_id,
                   record_persons.c.person_id))}
        for person_id, records in conn.execute(
                select(network_persons.c.person_id, network_persons.c.records)
                .order_by(network_persons.c.person_id)):
            for uid in records.split(";"):
                agency, record_id = uid.split(":", 1)
                yield PersonRow(agency, record_id, resolved.get((agency, record_id), person_id))


def write_rows(out: Path, header: list[str], rows: Iterable[LinkRow | PersonRow]) -> int:
    """Write rows to a CSV file under `header`; returns how many were written."""
    try:
        handle = out.open("w", newline="", encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", file=str(out)) from e
    count = 0
    with handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(astuple(row))
            count += 1
    return count


def export_links(store: Store, out: Path, *, as_of: date) -> int:
    """`link_rows` written to a CSV file; returns the number of rows."""
    return write_rows(out, columns(LinkRow), link_rows(store, as_of=as_of))


def export_persons(store: Store, out: Path) -> int:
    """`person_rows` written to a CSV file; returns the number of rows."""
    return write_rows(out, columns(PersonRow), person_rows(store))
