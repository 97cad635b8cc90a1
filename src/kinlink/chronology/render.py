"""Writing a chronology as a terminal table, CSV, HTML (a Jinja2 template) or PDF.

The PDF is the HTML laid out by WeasyPrint (pinned with the report's) in DejaVu fonts from
the system's packages, so it prints the same on any machine with them installed.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.table import Table

from kinlink.chronology.model import About, Chronology, Event
from kinlink.errors import InputError

COLUMNS = ("date", "time", "kind", "about", "relation", "person_id", "person", "agency",
           "record", "source_table", "summary", "date_missing")
"""The CSV's columns, in order."""

_ENV = Environment(loader=PackageLoader("kinlink.chronology", "templates"),
                   autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                   lstrip_blocks=True)


def row_of(event: Event) -> dict[str, str]:
    """An event as text values by column (blank where not known)."""
    return {
        "date": event.on.isoformat() if event.on else "",
        "time": event.at.strftime("%H:%M") if event.at else "",
        "kind": event.kind.value,
        "about": event.subject.about.value,
        "relation": "" if event.subject.about is About.CHILD else event.subject.relation,
        "person_id": event.subject.person_id,
        "person": event.subject.name,
        "agency": event.agency,
        "record": event.record,
        "source_table": event.table,
        "summary": event.summary,
        "date_missing": "true" if event.date_missing else "false",
    }


def to_csv(chronology: Chronology) -> str:
    """The chronology as CSV text with a header row (`COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row_of(e) for e in chronology.events)
    return buffer.getvalue()


def to_html(chronology: Chronology) -> str:
    """The chronology as one self-contained HTML page (no external request)."""
    return _ENV.get_template("chronology.html.j2").render(
        c=chronology, rows=[row_of(e) for e in chronology.events],
        made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def to_pdf(chronology: Chronology) -> bytes:
    """The HTML page laid out as a PDF (A4 landscape)."""
    from weasyprint import HTML  # imported here: it loads Pango, which table/CSV never need

    pdf = HTML(string=to_html(chronology)).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when given no target
    return bytes(pdf)


def print_table(chronology: Chronology, console: Console) -> None:
    """The chronology on the terminal, one row per event."""
    child = chronology.child
    console.print(f"[bold]{child.name}[/] {child.person_id}, born {chronology.dob or 'unknown'}:"
                  f" {len(chronology.events)} events as of {chronology.as_of}", highlight=False)
    table = Table("date", "kind", "about", "agency", "record", "what", show_lines=False)
    for event in chronology.events:
        when = event.on.isoformat() if event.on else "[red]date missing[/]"
        table.add_row(when, event.kind.value, event.subject.label, event.agency, event.record,
                      event.summary)
    console.print(table)
    if chronology.undated:
        console.print(f"[yellow]{len(chronology.undated)} events have no date: listed last.")


def write_file(out: Path, data: str | bytes) -> None:
    """Write the rendered chronology, turning a failure into one clear line."""
    try:
        if isinstance(data, bytes):
            out.write_bytes(data)
        else:
            out.write_text(data, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", file=str(out)) from e
