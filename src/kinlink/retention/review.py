"""Which source records are due for a retention review, and why."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, func, select

from kinlink.dates import age_in_years
from kinlink.network.persons import parse_dob
from kinlink.retention.policy import DEFAULT_POLICY, RetentionGroup, group_of
from kinlink.store import Store
from kinlink.store.queries import current_rows
from kinlink.store.schema.source import SOURCE_TABLES, ingest_runs, people, risk_markers

Record = tuple[str, str]  # (agency, record_id)


@dataclass(frozen=True)
class DueRecord:
    """A source record whose review date has come."""

    agency: str
    record_id: str
    group: str
    last_activity: date  # the last time an agency sent something about it
    review_date: date
    may_dispose: bool  # False while the group's keep-until age is not reached


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _last_sent(conn: Connection) -> dict[Record, date]:
    """When an agency last stored a new version of any row of each record."""
    last: dict[Record, date] = {}
    for table in SOURCE_TABLES.values():
        if "record_id" not in table.c:
            continue
        rows = conn.execute(
            select(table.c.agency, table.c.record_id, func.max(ingest_runs.c.started_at))
            .join(ingest_runs, ingest_runs.c.id == table.c.ingest_run_id)
            .group_by(table.c.agency, table.c.record_id))
        for agency, record_id, at in rows:
            key = (agency, record_id)
            last[key] = max(last.get(key, at.date()), at.date())
    return last


def _markers(conn: Connection) -> tuple[dict[Record, set[str]], dict[Record, date]]:
    """Each record's current markers, and the latest start or end date among them."""
    held: defaultdict[Record, set[str]] = defaultdict(set)
    latest: dict[Record, date] = {}
    current = current_rows(risk_markers).subquery()
    for agency, record_id, marker, start, end in conn.execute(select(
            current.c.agency, current.c.record_id, current.c.marker, current.c.start_date,
            current.c.end_date)):
        held[(agency, record_id)].add(marker)
        for day in (start, end):
            if day is not None:
                latest[(agency, record_id)] = max(latest.get((agency, record_id), day), day)
    return held, latest


def due_for_review(store: Store, on: date,
                   policy: tuple[RetentionGroup, ...] = DEFAULT_POLICY) -> list[DueRecord]:
    """Every person record whose review date (by its group) is on or before `on`."""
    with store.connect() as conn:
        last = _last_sent(conn)
        held, marker_dates = _markers(conn)
        current = current_rows(people).subquery()
        records = conn.execute(select(current.c.agency, current.c.record_id,
                                      current.c.dob)).all()
    due = []
    for agency, record_id, dob in records:
        key = (agency, record_id)
        group = group_of(held.get(key, set()), policy)
        activity = max(d for d in (last.get(key), marker_dates.get(key)) if d is not None)
        review = _add_years(activity, group.review_years)
        if review > on:
            continue
        born = parse_dob(dob)
        keep = group.keep_until_age is not None and (
            born is None or age_in_years(born, on) < group.keep_until_age)
        due.append(DueRecord(agency, record_id, group.name, activity, review, not keep))
    return sorted(due, key=lambda d: (d.review_date, d.agency, d.record_id))
