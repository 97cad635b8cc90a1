"""One clock for the whole application: timezone-aware UTC, and a fixed clock for tests.

The core holds one (`kl.clock`); domain functions take it as a `clock` argument.

Domain code is handed the core's clock (or the instant it read from it) instead of calling
`datetime.now()` itself, so that every timestamp a call writes is the same aware UTC
instant and tests can pin time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/London")
"""Where the agencies work: 'today' is the date on a clock in this zone."""


class Clock(Protocol):
    """Tells the time: `now()` an aware UTC instant, `today()` the local date."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(LOCAL_ZONE).date()


class FixedClock:
    """A clock that says what it is told (tests, replays); `advance` moves it on."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime (e.g. tzinfo=UTC)")
        self.at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.astimezone(LOCAL_ZONE).date()

    def advance(self, by: timedelta) -> None:
        self.at += by


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already (how we store them)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


SYSTEM_CLOCK = SystemClock()
"""The default of domain functions called outside the core (scripts, benchmarks)."""
