"""`kinlink chronology`: a child's events across agencies, in order."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from kinlink.chronology import EventKind, Filters
from kinlink.chronology.render import print_table, to_csv, to_html, to_pdf, write_file
from kinlink.cli.common import console, core, option_date
from kinlink.errors import InputError


class Format(StrEnum):
    table = "table"
    csv = "csv"
    html = "html"
    pdf = "pdf"


def _kinds(values: list[str]) -> frozenset[EventKind]:
    known = {k.value: k for k in EventKind}
    for value in values:
        if value not in known:
            raise InputError(f"unknown event kind {value!r}; choose from {', '.join(known)}",
                             field="kind")
    return frozenset(known[v] for v in values)


def chronology(
    person_id: str = typer.Argument(..., help="The child's person id (P0000001), or "
                                              "agency:record_id for a record not resolved yet."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv, html or pdf."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file (needed for pdf; "
                                    "csv and html go to standard output without it)."),
    since: str | None = typer.Option(None, "--since", help="Only events on or after this "
                                     "date (YYYY-MM-DD). Events with no date are always kept."),
    until: str | None = typer.Option(None, "--until", help="Only events on or before this date."),
    agency: list[str] = typer.Option([], "--agency", help="Only this agency's events "
                                     "(repeat for several)."),
    kind: list[str] = typer.Option([], "--kind", help="Only events of this kind (repeat for "
                                   "several): " + ", ".join(EventKind) + "."),
    as_of: str | None = typer.Option(None, "--as-of", help="Whose network, as of this date "
                                     "(YYYY-MM-DD); default today."),
) -> None:
    """Every dated event any agency holds about a child and the adults near them, in order."""
    if fmt is Format.pdf and out is None:
        raise InputError("--format pdf needs --out FILE.pdf", field="out")
    filters = Filters(option_date(since, "since"), option_date(until, "until"), frozenset(agency),
                      _kinds(kind))
    kl, actor = core()
    result = kl.chronology.child(actor, person_id, as_of=option_date(as_of, "as-of"),
                                 filters=filters)
    if fmt is Format.table:
        print_table(result, console)
        return
    data: str | bytes = (to_csv(result) if fmt is Format.csv else
                         to_html(result) if fmt is Format.html else to_pdf(result))
    if out is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode())
        return
    write_file(out, data)
    console.print(f"Wrote {len(result.events)} events to {out}")


def register(app: typer.Typer) -> None:
    """Add `chronology` to the `kinlink` command."""
    app.command("chronology")(chronology)
