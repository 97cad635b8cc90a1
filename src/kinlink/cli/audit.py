"""`kinlink audit`: checking, searching and exporting the audit log."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, datetime
from enum import StrEnum

import typer
from rich.table import Table

from kinlink.audit import AuditEntry
from kinlink.cli.common import console, core
from kinlink.errors import InputError

audit_app = typer.Typer(help="The audit log of every consultation, disclosure, alteration, "
                        "combination and erasure.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _instant(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as e:
        raise InputError(f"{option} must be a date or time like 2026-11-01 or "
                         f"2026-11-01T09:30, not {value!r}", field=option) from e
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


SINCE = typer.Option(None, "--since", help="From this date or time (UTC), included.")
UNTIL = typer.Option(None, "--until", help="Up to this date or time (UTC), included.")


@audit_app.command("verify")
def verify() -> None:
    """Check the hash chain from the first entry; name the first broken one (exit 1)."""
    kl, actor = core()
    result = kl.audit.verify(actor)
    if not result.ok:
        typer.secho(f"Broken at entry {result.first_broken}: {result.problem} "
                    f"({result.entries} entries before it verified).", err=True, fg="red")
        raise typer.Exit(1)
    console.print(f"The audit log is intact: {result.entries:,} entries verified.")


@audit_app.command("search")
def search(
    user: str | None = typer.Option(None, "--user", help="Only this user's entries."),
    action: str | None = typer.Option(None, "--action", help="e.g. network.view."),
    kind: str | None = typer.Option(None, "--kind", help="consultation, disclosure, "
                                    "alteration, collection, combination, erasure or "
                                    "authentication."),
    resource: str | None = typer.Option(None, "--resource", help="e.g. person:P0000001."),
    since: str | None = SINCE,
    until: str | None = UNTIL,
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many entries."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
) -> None:
    """Entries matching every filter given, oldest first (auditors)."""
    kl, actor = core()
    entries = kl.audit.search(actor, username=user, action=action, kind=kind,
                              resource=resource, since=_instant(since, "since"),
                              until=_instant(until, "until"), limit=limit)
    if fmt is Format.table:
        table = Table("#", "when (UTC)", "who", "role", "kind", "action", "resource",
                      "outcome", "why")
        for e in entries:
            table.add_row(str(e.id), f"{e.at:%Y-%m-%d %H:%M:%S}", e.username, e.role, e.kind,
                          e.action, e.resource, e.outcome, e.reason or "")
        console.print(table)
    else:
        _write(entries, fmt)


@audit_app.command("export")
def export(
    since: str | None = SINCE,
    until: str | None = UNTIL,
    fmt: Format = typer.Option(Format.csv, "--format", help="csv or json (one entry a line)."),
) -> None:
    """Every entry of the period to stdout, with its hashes (auditors)."""
    kl, actor = core()
    _write(kl.audit.export(actor, since=_instant(since, "since"),
                           until=_instant(until, "until")), fmt)


def _write(entries: Iterable[AuditEntry], fmt: Format) -> None:
    if fmt is Format.json:
        for e in entries:
            sys.stdout.write(json.dumps(e.as_row()) + "\n")
        return
    writer = csv.DictWriter(sys.stdout, [f.name for f in fields(AuditEntry)],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(e.as_row() for e in entries)


def register(app: typer.Typer) -> None:
    """Add the `audit` group."""
    app.add_typer(audit_app, name="audit")
