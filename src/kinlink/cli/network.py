"""`kinlink network`, `kinlink alerts` and `kinlink export`: each child's network and alerts."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from kinlink.cli.common import console, core, err_console, option_date
from kinlink.errors import InputError
from kinlink.network import draw_network
from kinlink.network.export import LinkRow, PersonRow, columns, write_rows
from kinlink.network.graph import NetworkStatus
from kinlink.network.view import Adult, ChildNetwork, Marker


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


AS_OF_HELP = "The date to look at the network on (YYYY-MM-DD); default today."


def _as_of(value: str | None) -> date | None:
    return option_date(value, "as-of")


def _marker_line(m: Marker) -> str:
    when = f"from {m.start_date}" if m.start_date else "start unknown"
    when += "" if m.current else f" to {m.end_date}"
    seen = "linked to the child" if m.visible else "NOT linked to the child by any agency"
    return f"[bold]{m.marker}[/] ({m.agency} {m.record_id}, {when}; {seen})\n    {m.identity}"


def _adult_lines(adult: Adult) -> list[str]:
    lines = [f"[bold]{adult.person.name}[/] {adult.person.person_id}, "
             f"age {adult.person.age if adult.person.age is not None else 'unknown'}: "
             f"[cyan]{adult.role}[/]"]
    for link in adult.links:
        how = "recorded" if link.recorded else "inferred"
        via = f" via {link.via}" if link.via else ""
        detail = f": {link.detail}" if link.detail else ""
        lines.append(f"  link: {link.relation}{via}, {link.source} ({how} by "
                     f"{', '.join(link.agencies)}; records {', '.join(link.records)}; "
                     f"confidence {link.confidence:.2f}){detail}")
    lines.extend(f"  marker: {_marker_line(m)}" for m in adult.markers)
    return lines


def _print_network(network: ChildNetwork) -> None:
    child, risk = network.child, network.risk
    age = child.age if child.age is not None else "unknown"
    colour = {"high": "red", "medium": "yellow", "low": "green"}.get(risk.level, "white")
    console.print(f"[bold]{child.name}[/] {child.person_id}, age {age} on "
                  f"{network.as_of}; records {', '.join(child.records)}")
    if not network.is_child:
        console.print("[yellow]Not a child on this date: the view is still built around them.")
    console.print(f"Risk: [{colour}]{risk.level}[/] (score {risk.score:.2f}); "
                  f"{risk.adults} adults within two steps, {risk.adults_with_markers} with markers")
    for m in network.own_markers:
        console.print(f"Own marker: {_marker_line(m)}")
    console.rule("Adults")
    for adult in network.adults:
        for line in _adult_lines(adult):
            console.print(line, highlight=False)
    if not network.adults:
        console.print("No adult found around this person.")
    if network.children:
        console.rule("Other children")
        for other in network.children:
            console.print(f"{other.person.name} {other.person.person_id}, age {other.person.age}"
                          f": {other.role}", highlight=False)


def _warn_if_stale(status: NetworkStatus) -> None:
    if status.stale:
        built = f"{status.built_at:%Y-%m-%d %H:%M} UTC" if status.built_at else "never"
        err_console.print(f"[yellow]Warning:[/yellow] records changed since the network was "
                          f"built ({built}): run `kinlink alerts recompute` to rebuild it.",
                          highlight=False)


def network(
    person_id: str = typer.Argument(..., help="Person id (P0000001), or agency:record_id "
                                              "for a record not resolved yet."),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
    picture: Path | None = typer.Option(None, "--picture", help="Also draw the network to "
                                        "this .svg or .png file."),
    as_json: bool = typer.Option(False, "--json", help="Print the network as JSON."),
    reason: str | None = typer.Option(None, "--reason", help="Why you are opening it "
                                      "(required for a restricted person; kept in the "
                                      "audit log)."),
) -> None:
    """Show a child's adults, their risk markers and the evidence behind every link.

    Reads the network as last built; if records changed since, says so (rebuilding is
    `kinlink alerts recompute`)."""
    if picture is not None and picture.suffix.lower() not in (".svg", ".png"):
        raise InputError("the picture must be a .svg or .png file", file=str(picture))
    kl, actor = core()
    view = kl.network.child(actor, person_id, as_of=_as_of(as_of), reason=reason)
    _warn_if_stale(view.status)
    if as_json:
        sys.stdout.write(json.dumps(view.network.to_dict(), indent=2) + "\n")
    else:
        _print_network(view.network)
    if picture is not None:
        console.print(f"Picture written to {draw_network(view.network, picture)}")


ALERT_COLUMNS = ("id", "type", "status", "person_id", "other_person_id", "agency", "summary",
                 "first_detected_at", "last_detected_at")

alerts_app = typer.Typer(help="Alerts pointing at children whose risk the records hide: "
                         "list, recompute, acknowledge, resolve.", no_args_is_help=False)


def _write_alerts(rows: list[dict[str, Any]], fmt: Format) -> None:
    if fmt is Format.json:
        sys.stdout.write(json.dumps(rows, indent=2, default=str) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(ALERT_COLUMNS)
        writer.writerows([row[c] for c in ALERT_COLUMNS] for row in rows)
    else:
        table = Table("id", "type", "status", "agency", "summary", show_lines=False)
        for row in rows:
            table.add_row(str(row["id"]), row["type"], row["status"], row["agency"] or "",
                          row["summary"])
        console.print(table)
        if not rows:
            console.print("No alert matches.")


@alerts_app.callback(invoke_without_command=True)
def alerts(
    ctx: typer.Context,
    type: str | None = typer.Option(None, "--type", help="unlinked-risk, split-identity, "
                                    "wrong-place, breach or second-look."),
    agency: str | None = typer.Option(None, "--agency", help="Only this agency's alerts."),
    status: str | None = typer.Option(None, "--status", help="open, acknowledged or resolved."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
    limit: int = typer.Option(100, "--limit", min=1, help="At most this many alerts."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many first."),
) -> None:
    """List alerts as last recomputed (says so if records changed since)."""
    if ctx.invoked_subcommand is not None:
        return
    kl, actor = core()
    _warn_if_stale(kl.network.status(actor))
    _write_alerts([asdict(a) for a in kl.alerts.list(actor, type=type, agency=agency,
                                                     status=status, limit=limit,
                                                     offset=offset)], fmt)


@alerts_app.command("recompute")
def alerts_recompute(as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP)) -> None:
    """Rebuild the network and bring the stored alerts in line (after ingest or resolve)."""
    kl, actor = core(progress=True)
    summary = kl.network.rebuild(actor, as_of=_as_of(as_of))
    network_part = summary.network
    console.print(f"Network: {network_part['persons']} persons, {network_part['edges']} edges, "
                  f"{network_part['markers']} markers ({network_part['seconds']} s)")
    console.print("Found: " + ", ".join(f"{k} {v}" for k, v in summary.found.items()))
    console.print(f"Alerts: {summary.new} new, {summary.refreshed} unchanged, "
                  f"{summary.reopened} reopened, {summary.closed} closed, "
                  f"{summary.carried_over} carried over")


@alerts_app.command("show")
def alerts_show(alert_id: int = typer.Argument(..., help="The alert's id.")) -> None:
    """Show one alert with its evidence and the history of its status."""
    kl, actor = core()
    sys.stdout.write(json.dumps(asdict(kl.alerts.get(actor, alert_id)), indent=2, default=str)
                     + "\n")


def _change(alert_id: int, status: str, reason: str) -> None:
    kl, actor = core()
    alert = kl.alerts.change(actor, alert_id, status, reason=reason)
    console.print(f"Alert {alert_id} is now {alert.status} (by {actor.username}).")


REASON = typer.Option(..., "--reason", help="Why (kept in the alert's history).")
ALERT_ID = typer.Argument(..., help="The alert's id.")


@alerts_app.command("ack")
def alerts_ack(alert_id: int = ALERT_ID, reason: str = REASON) -> None:
    """Acknowledge an alert: someone is dealing with it."""
    _change(alert_id, "acknowledged", reason)


@alerts_app.command("resolve")
def alerts_resolve(alert_id: int = ALERT_ID, reason: str = REASON) -> None:
    """Resolve an alert: it has been dealt with."""
    _change(alert_id, "resolved", reason)


@alerts_app.command("reopen")
def alerts_reopen(alert_id: int = ALERT_ID, reason: str = REASON) -> None:
    """Reopen an acknowledged or resolved alert."""
    _change(alert_id, "open", reason)


export_app = typer.Typer(help="Export the network as CSV, to score it against a truth.",
                         no_args_is_help=True)
OUT = typer.Option(..., "--out", help="The CSV file to write.")


@export_app.command("links")
def export_links_command(out: Path = OUT,
                         as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP)
                         ) -> None:
    """One row per (child, adult within two steps): relationship, recorded or inferred,
    markers and evidence record ids."""
    kl, actor = core()
    rows = write_rows(out, columns(LinkRow), kl.export.links(actor, as_of=_as_of(as_of)))
    console.print(f"Wrote {rows} links to {out}")


@export_app.command("persons")
def export_persons_command(out: Path = OUT) -> None:
    """One row per source record: agency, record_id and the person it was resolved into."""
    kl, actor = core()
    rows = write_rows(out, columns(PersonRow), kl.export.persons(actor))
    console.print(f"Wrote {rows} records to {out}")


def register(app: typer.Typer) -> None:
    """Add `network`, `alerts` and `export` to the `kinlink` command."""
    app.command("network")(network)
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(export_app, name="export")
