"""Referral dates follow the case path, except where truth/errors.csv says a date was wrong.

A messy date is what the timeliness module flags (`kinlink.timeliness.checks`): an event
before the referral, two events out of the path's order, an event after the closure, a
decision, authorisation or conference on a non-working day, a date the path needs left blank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from kinlink.synth.referrals import draw_referrals
from kinlink.timeliness import CasePath, WorkingCalendar
from kinlink.timeliness.cases import EVENT_COLUMNS
from kinlink.timeliness.checks import NEEDS, ORDER, WORKING_DAY_EVENTS

CALENDAR = WorkingCalendar()  # England's bank holidays, as the generator uses


def messy_dates(row: dict[str, Any]) -> Iterator[tuple[str, set[str]]]:
    """Each messy date of a referral row (dates as date or datetime): its rule and the
    columns it involves."""
    path = CasePath.from_row(row)
    referral = path.first("referral")
    assert referral is not None
    for event, moments in path.dates.items():
        column = EVENT_COLUMNS.get(event, "")
        for day in (m.date() for m in moments if event != "nfa"):
            if day < referral.date():
                yield "before-referral", {column, "referral_date"}
            if event in WORKING_DAY_EVENTS and not CALENDAR.is_working_day(day):
                yield "non-working-day", {column}
    for earlier, later in ORDER:
        first = path.first(earlier)
        if first and any(m.date() < first.date() for m in path.dates[later]):
            yield "out-of-order", {EVENT_COLUMNS[earlier], EVENT_COLUMNS[later]}
    closure = path.first("closure")
    for event, moments in path.dates.items():
        if closure and event not in ("closure", "nfa") and any(
                m.date() > closure.date() for m in moments):
            yield "out-of-order", {EVENT_COLUMNS[event], "closure_date"}
    for event, needed in NEEDS:
        if path.first(event) and not path.first(needed):
            yield "missing-date", {EVENT_COLUMNS[needed]}
    after_decision = set(path.dates) - {"referral", "decision", "nfa"}
    if not path.dates["decision"] and (path.nfa or any(path.dates[e] for e in after_decision)):
        yield "missing-date", {"decision_date"}


def _from_extract(row: dict[str, str | None]) -> dict[str, Any]:
    """A referrals.csv row with its dates read (review conference dates stay text)."""
    out: dict[str, Any] = dict(row)
    for column in EVENT_COLUMNS.values():
        text = row.get(column)
        if text and column == "referral_date":
            out[column] = datetime.fromisoformat(text)
        elif text and column != "review_conference_dates":
            out[column] = date.fromisoformat(text)
    out["nfa"] = row["nfa"] == "true"
    return out


@pytest.mark.parametrize("which", ["borough", "noisy_borough"])
def test_every_messy_date_in_the_extract_is_labelled_in_the_truth(
        request: pytest.FixtureRequest, which: str) -> None:
    """Each messy date involves a date that errors.csv logs for that referral."""
    fixture = request.getfixturevalue(which)
    out: Path = fixture[0] if isinstance(fixture, tuple) else fixture
    errors = pl.read_csv(out / "truth" / "errors.csv", infer_schema=False).filter(
        pl.col("field").str.starts_with("referrals."))
    labelled: dict[str, set[str]] = defaultdict(set)
    for column, detail in errors.select("field", "detail").iter_rows():
        labelled[detail.split(":")[0]].add(column.removeprefix("referrals."))
    referrals = pl.read_csv(out / "social-care" / "referrals.csv", infer_schema=False)
    unlabelled, messy = [], 0
    for row in referrals.iter_rows(named=True):
        for rule, columns in messy_dates(_from_extract(row)):
            messy += 1
            if not columns & labelled[row["referral_id"]]:
                unlabelled.append((row["referral_id"], rule, sorted(columns)))
    assert not unlabelled, f"{len(unlabelled)} of {referrals.height} referrals: {unlabelled[:5]}"
    assert messy > 0  # the generator made some, so the check looked at something


def test_referral_paths_are_in_order_before_dates_are_made_messy() -> None:
    """20,000 referrals as drawn (no errors made yet): not one messy date."""
    rng = np.random.default_rng(5)
    n = 20_000
    refs = draw_referrals(rng, np.arange(n), rng.random(n) < 0.3, np.datetime64("2026-11-01"))
    # datetime64 values become date/datetime objects, NaT None.
    columns = {k: v.astype(object).tolist() for k, v in refs.columns.items()}
    rows = [{k: v[i] for k, v in columns.items()} for i in range(len(refs.child))]
    messy = [(i, found) for i, row in enumerate(rows) for found in messy_dates(row)]
    assert not messy, f"{len(messy)} messy dates, e.g. {messy[:5]}"
    # Every stage of the path was drawn, so every order rule was put to the test.
    assert all(any(v is not None for v in columns[c]) for c in EVENT_COLUMNS.values())
