"""`kinlink queue`, `kinlink timeliness` and `kinlink clocks`: waiting times and clocks."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from kinlink.cli.common import console, core, err_console
from kinlink.core import Actor, Kinlink
from kinlink.timeliness import REGIONS, ClocksConfig, QueueItem, TimelinessReport
from kinlink.timeliness.stats import AGE_BANDS

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class QueueState(StrEnum):
    open = "open"
    overdue = "overdue"
    not_recorded = "probably-not-recorded"


class By(StrEnum):
    team = "team"
    month = "month"


def _as_of(value: datetime | None) -> date | datetime | None:
    # A bare date (typed without a time) means the end of that day.
    if value is not None and value.time() == datetime.min.time():
        return value.date()
    return value


RECORD = typer.Option(False, "--record", help="Also keep this evaluation as a run: its "
                      "counts and its data-quality findings on dates (a write; without it "
                      "nothing is stored).")


def _record(kl: Kinlink, actor: Actor, at: date | datetime | None) -> None:
    run = kl.timeliness.record(actor, as_of=at)
    err_console.print(f"Run {run.id} recorded: {run.referrals} referrals, {run.findings} "
                      "date finding(s).", highlight=False)


def _print_csv(rows: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    typer.echo(out.getvalue(), nl=False)


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def _due(item: QueueItem) -> str:
    due = item.clock.due_at
    if due is None:
        return ""
    return f"{due:%d %b %y %H:%M}" if item.clock.unit == "working hours" else f"{due:%d %b %y}"


def _queue_table(items: list[QueueItem], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("#", "Child", "Referral", "Waiting for", "Waited", "Due", "State", "Risk",
                   "Flags"):
        table.add_column(column, justify="right" if column in ("#", "Waited") else "left",
                         no_wrap=column in ("Child", "State"))
    for i in items:
        others = f" +{len(i.also_waiting_for)}" if i.also_waiting_for else ""
        state = (f"[red]overdue {i.overdue_days:.1f}[/red]" if i.status == "overdue"
                 else "open")
        state = "not recorded?" if i.not_recorded else state
        table.add_row(
            str(i.rank), i.child_key + ("" if i.child_resolved else "*"),
            f"{i.referral_id} {i.team or ''}", i.clock.name + others, str(i.waited_days),
            _due(i), state, f"{i.risk.level} ({i.risk.source})",
            str(len(i.flags)) if i.flags else "")
    return table


def queue(
    team: str | None = typer.Option(None, "--team", help="Only this team's referrals."),
    state: QueueState | None = typer.Option(
        None, "--state", help="Only children whose most urgent clock is open or overdue, or "
        "the referrals set apart as probably not recorded."),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=DATE_FORMATS,
        help="Evaluate the clocks at this date (end of day) or time; default now, which "
        "adds to every wait the time since the extract was taken."),
    output: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show the first N only."),
    record: bool = RECORD,
) -> None:
    """Every child waiting for a decision, an assessment or a conference, riskiest and
    longest waiting first."""
    at = _as_of(as_of)
    kl, actor = core()
    with err_console.status("Evaluating every referral's clocks and risk..."):
        result = kl.timeliness.queue(actor, as_of=at, team=team,
                                     state=state.value if state else None, limit=limit)
        if record:
            _record(kl, actor, at)
    items = result.items
    when = f"as of {result.as_of:%Y-%m-%d %H:%M}" + (
        " (today: no --as-of given, so every wait includes the time since the extract)"
        if as_of is None else "")
    if output in (Format.csv, Format.json) and as_of is None:
        err_console.print(f"Queue {when}.", soft_wrap=True)  # stdout stays pure data
    if output is Format.csv:
        _print_csv([i.as_row() for i in items])
    elif output is Format.json:
        _print_json([i.as_row() for i in items])
    else:
        waiting = [i for i in items if not i.not_recorded]
        stale = [i for i in items if i.not_recorded]
        if waiting:
            console.print(_queue_table(waiting, "Children waiting (* not yet resolved to a "
                                                "person)"))
        if stale:
            console.print(_queue_table(stale, "Probably not recorded: long overdue with "
                                              "nothing recorded since (see Flags)"))
        sources = {s: sum(1 for i in items if i.risk.source == s) for s in ("network",
                                                                              "referral")}
        console.print(
            f"{len(waiting)} waiting, {sum(1 for i in waiting if i.status == 'overdue')} "
            f"overdue, {len(stale)} probably not recorded, {when}. Risk from the network "
            f"for {sources['network']}, from the referral for {sources['referral']}. Days "
            "are working days; the Flags column counts a referral's date findings (--format "
            "csv shows them).", soft_wrap=True)


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:g}" + ("h" if unit == "working hours" else "")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _stats_rows(report: TimelinessReport) -> list[dict[str, Any]]:
    rows = []
    for group in [*report.groups, report.total]:
        row: dict[str, Any] = {report.by: group.group, "referrals": group.referrals}
        for name, f in group.clocks.items():
            row |= {f"{name}_completed": f.completed, f"{name}_median": f.median,
                    f"{name}_p90": f.p90, f"{name}_in_time": f.in_time,
                    f"{name}_share_in_time": None if f.share_in_time is None
                    else round(f.share_in_time, 4),
                    f"{name}_waiting": f.waiting, f"{name}_overdue": f.overdue}
        rows.append(row)
    return rows


def _stats_tables(report: TimelinessReport, config: ClocksConfig) -> list[Table]:
    """One table per reported clock: a row per group and a total."""
    tables = []
    for name in report.clocks:
        clock = config.clocks[name]
        table = Table(title=f"{clock.label}, within {clock.describe_limit()}: referrals "
                            f"{report.date_from} to {report.date_to}, as of "
                            f"{report.as_of:%Y-%m-%d}", title_justify="left")
        table.add_column(report.by.capitalize())
        for column in ("Referrals", "Done", "Median", "90th pct", "In time", "Waiting",
                       "Overdue"):
            table.add_column(column, justify="right")
        for group in [*report.groups, report.total]:
            f = group.clocks[name]
            table.add_row(group.group, str(group.referrals), str(f.completed),
                          _figure(f.median, f.unit), _figure(f.p90, f.unit),
                          _share(f.share_in_time), str(f.waiting), str(f.overdue),
                          style="bold" if group is report.total else None)
        tables.append(table)
    return tables


def timeliness(
    date_from: datetime | None = typer.Option(
        None, "--from", formats=DATE_FORMATS[:1],
        help="First referral date of the period; default a year before --to."),
    date_to: datetime | None = typer.Option(
        None, "--to", formats=DATE_FORMATS[:1], help="Last referral date; default today."),
    by: By = typer.Option(By.team, "--by", help="Group by team or by month of referral."),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=DATE_FORMATS,
        help="Evaluate the clocks at this date (end of day) or time; default now."),
    chart_dir: Path | None = typer.Option(
        None, "--chart-dir", file_okay=False,
        help="Also write PNG charts (waiting times, share in time by month and by team) here."),
    output: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
    record: bool = RECORD,
) -> None:
    """Median and 90th percentile working days to decision and to assessment, share within
    timescale, and children waiting now by age band."""
    at = _as_of(as_of)
    kl, actor = core()
    with err_console.status("Evaluating every referral's clocks..."):
        report = kl.timeliness.report(actor, date_from=date_from.date() if date_from else None,
                                      date_to=date_to.date() if date_to else None,
                                      by=by.value, as_of=at)
        if record:
            _record(kl, actor, at)
    config = kl.timeliness.config()
    charts = []
    if chart_dir is not None:
        from kinlink.timeliness.charts import write_charts  # matplotlib only when asked

        charts = write_charts(report, config, chart_dir)
    if output is Format.csv:
        _print_csv(_stats_rows(report))
    elif output is Format.json:
        _print_json({"from": report.date_from, "to": report.date_to, "by": by.value,
                     "as_of": report.as_of,
                     "groups": _stats_rows(report), "waiting_by_age": report.waiting_by_age,
                     "charts": [str(p) for p in charts]})
    else:
        for table in _stats_tables(report, config):
            console.print(table)
        ages = Table(title="Children waiting now, by age", title_justify="left")
        for band in AGE_BANDS:
            ages.add_column(band, justify="right")
        ages.add_row(*(str(report.waiting_by_age[b]) for b in AGE_BANDS))
        console.print(ages)
        for path in charts:
            console.print(f"Chart written: {path}")


def clocks(
    output: Format = typer.Option(Format.table, "--format", help="table or json."),
) -> None:
    """Show the clocks and working-day calendar in force, and the file they come from."""
    kl, actor = core()
    config = kl.timeliness.clocks(actor)
    if output is not Format.table:
        _print_json(config.model_dump(mode="json", by_alias=True) | {"source": config.source})
        return
    cal = config.calendar
    console.print(f"Clocks from {config.source}", soft_wrap=True)
    console.print(f"Working days: Monday to Friday except {REGIONS[cal.region]} bank holidays"
                  + (f" and {len(cal.closures)} local closure day(s)" if cal.closures else "")
                  + f"; working hours {cal.day_start:%H:%M}-{cal.day_end:%H:%M}.",
                  soft_wrap=True)
    for name, clock in config.clocks.items():
        uses = [u for u, on in (("queue", clock.queue), ("reported", clock.report)) if on]
        console.print(f"[bold]{name}[/bold]: {clock.label}, from {clock.start} to "
                      f"{clock.stop}, within {clock.describe_limit()}"
                      + (f" ({', '.join(uses)})" if uses else ""), highlight=False,
                      soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the timeliness commands to the `kinlink` app."""
    app.command("queue")(queue)
    app.command("timeliness")(timeliness)
    app.command("clocks")(clocks)
