"""`kinlink quality ...`: run the data-quality rules, show scores, trends and the records
behind a count."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import typer
from rich.table import Table

from kinlink.cli.common import Format, console, core, err_console, print_csv, print_json
from kinlink.core.quality import Quality
from kinlink.errors import InputError
from kinlink.quality.rules import RULES_BY_NAME
from kinlink.quality.scores import AREA, Grouping, Score
from kinlink.timeliness.stats import NO_TEAM

quality_app = typer.Typer(
    help="Data-quality rules by agency and team: run them, show the scores and their trend, "
    "list the records behind a count.", no_args_is_help=True, rich_markup_mode=None)


class By(StrEnum):
    agency = "agency"
    team = "team"


AGENCY = typer.Option(None, "--agency", help="Only this agency.")
TEAM = typer.Option(None, "--team", help="Only this team (any case); implies --by team. "
                    f"'{NO_TEAM}' is the records no referral places in a team.")
FORMAT = typer.Option(Format.table, "--format", help="table, csv or json.")


def _team_filter(team: str | None) -> str | None:
    return "" if team == NO_TEAM else team


def _rate(score: Score) -> str:
    return "-" if score.rate is None else f"{score.rate:.1%}"


def _scores_table(found: list[Score], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("Rule", "Agency", "Team", "Flagged", "Out of", "Rate"):
        table.add_column(column, justify="right" if column in ("Flagged", "Out of", "Rate")
                         else "left")
    for s in found:
        table.add_row(s.label, s.agency, "" if s.team is None else (s.team or NO_TEAM),
                      f"{s.count:,}", f"{s.denominator:,}", _rate(s))
    return table


@quality_app.command("run")
def run_command(
    as_of: datetime | None = typer.Option(None, "--as-of", formats=["%Y-%m-%d"],
                                          help="Judge the records as of this date; "
                                          "default today."),
) -> None:
    """Run every rule, keep the scores (for trends) and record the records behind them."""
    kl, actor = core()
    with err_console.status("Judging every record against the data-quality rules..."):
        run = kl.quality.run(actor, as_of=as_of.date() if as_of else None)
    found = kl.quality.scores(actor, run_id=run.id)
    console.print(_scores_table([s for s in found if s.count], f"Run {run.id} as of "
                                f"{run.as_of}: rules that flagged records"))
    console.print(f"{run.findings:,} record(s) flagged; `kinlink quality show` gives every "
                  "score, `kinlink quality records RULE` the records behind one.",
                  soft_wrap=True)
    if run.network_build_id is None:
        console.print("The network was never built, so the rules about children judged no "
                      "child: run `kinlink alerts recompute` first.", style="yellow")


@quality_app.command("show")
def show_command(
    agency: str | None = AGENCY,
    team: str | None = TEAM,
    by: By = typer.Option(By.agency, "--by", help="One row per agency, or per agency and team."),
    rule: str | None = typer.Option(None, "--rule", help="Only this rule."),
    run_id: int | None = typer.Option(None, "--run", help="This run; default the newest."),
    output: Format = FORMAT,
) -> None:
    """Each rule's count, denominator and rate, per agency (or per team)."""
    grouping: Grouping = "team" if team is not None or by is By.team else "agency"
    kl, actor = core()
    run = kl.quality.latest_run(actor, run_id)
    found = kl.quality.scores(actor, run_id=run.id, by=grouping, agency=agency,
                              team=_team_filter(team), rule=rule)
    if output is Format.csv:
        print_csv([x.as_row() for x in found])
    elif output is Format.json:
        print_json({"run": run.id, "as_of": run.as_of, "scores": [x.as_row() for x in found]})
    else:
        console.print(_scores_table(found, f"Data quality, run {run.id} as of {run.as_of}"))


@quality_app.command("records")
def records_command(
    rule: str = typer.Argument(..., help="The rule (see `kinlink quality rules`)."),
    agency: str | None = AGENCY,
    team: str | None = TEAM,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show the first N only."),
    output: Format = FORMAT,
) -> None:
    """The records behind a rule's count in the newest run, with the reason for each."""
    if rule not in RULES_BY_NAME:
        raise InputError(f"unknown rule {rule!r}; choose from {', '.join(RULES_BY_NAME)}",
                         field="rule")
    kl, actor = core()
    found = kl.quality.findings(actor, area=AREA, rule=rule, agency=agency,
                                team=_team_filter(team))[:limit]
    rows: list[dict[str, str]] = [
        {"agency": f.agency, "team": f.team or "", "table": f.table_name,
         "record": f.record_key, "severity": f.severity, "reason": f.reason,
         "run": str(f.run_id)} for f in found]
    if output is Format.csv:
        print_csv(rows)
    elif output is Format.json:
        print_json(rows)
    else:
        table = Table(title=f"{RULES_BY_NAME[rule].label}: {len(rows):,} record(s)",
                      title_justify="left")
        for column in ("agency", "team", "table", "record", "reason"):
            table.add_column(column.capitalize())
        for row in rows:
            table.add_row(row["agency"], row["team"] or NO_TEAM, row["table"], row["record"],
                          row["reason"])
        console.print(table)


@quality_app.command("trend")
def trend_command(
    agency: str | None = AGENCY,
    team: str | None = TEAM,
    rule: str | None = typer.Option(None, "--rule", help="Only this rule."),
    output: Format = FORMAT,
) -> None:
    """Every run's scores, oldest first, so improvement shows."""
    kl, actor = core()
    points = kl.quality.trend(actor, agency=agency, team=_team_filter(team), rule=rule)
    rows = [{"run": p.run_id, "as_of": p.as_of.isoformat(), **p.score.as_row()}
            for p in points]
    if output is Format.csv:
        print_csv(rows)
    elif output is Format.json:
        print_json(rows)
    else:
        table = Table(title="Data quality over the runs", title_justify="left")
        for column in ("Run", "As of", "Rule", "Agency", "Team", "Flagged", "Out of", "Rate"):
            table.add_column(column)
        for p in points:
            s = p.score
            table.add_row(str(p.run_id), p.as_of.isoformat(), s.label, s.agency,
                          "" if s.team is None else (s.team or NO_TEAM), f"{s.count:,}",
                          f"{s.denominator:,}", _rate(s))
        console.print(table)


@quality_app.command("rules")
def rules_command() -> None:
    """What each rule flags and what its rate is out of."""
    table = Table(title="Data-quality rules", title_justify="left")
    for column in ("Rule", "What it flags", "Out of", "Severity"):
        table.add_column(column)
    for r in Quality.rules():
        table.add_row(r.name, r.label, r.denominator, r.severity)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `kinlink quality` to the `kinlink` command."""
    app.add_typer(quality_app, name="quality")
