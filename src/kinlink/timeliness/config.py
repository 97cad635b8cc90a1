"""The clocks configuration: one TOML file, shipped with Kinlink and overridable.

`load_config()` reads `KINLINK_TIMELINESS_CONFIG` when set, else the packaged
`clocks.toml`, and validates it; any mistake becomes a `ConfigError` naming the file and key.
"""

from __future__ import annotations

from datetime import date, time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    model_validator,
)

from kinlink.config import Settings, get_settings, read_toml
from kinlink.errors import ConfigError
from kinlink.timeliness.calendar import WorkingCalendar

if TYPE_CHECKING:  # clocks reads this module's models
    from kinlink.timeliness.clocks import ClockState

PACKAGED_CONFIG = Path(__file__).with_name("clocks.toml")

Event = Literal[
    "referral", "decision", "nfa", "assessment_start", "assessment_authorised",
    "strategy_discussion", "s47_start", "icpc_not_required", "icpc", "cp_plan_start",
    "cp_plan_end", "review_conference", "closure",
]
"""The events of the case path (Children in Need census terms) a clock can count between."""

REPEATING_EVENTS: frozenset[str] = frozenset({"review_conference"})
TriageRating = Literal["red", "amber", "green"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CalendarConfig(_Strict):
    """Which days and hours count as working."""

    region: Literal["ENG", "WLS", "SCT", "NIR"] = "ENG"
    closures: tuple[date, ...] = ()
    day_start: time = time(9)
    day_end: time = time(17)

    @model_validator(mode="after")
    def _hours_in_order(self) -> CalendarConfig:
        if self.day_end <= self.day_start:
            raise ValueError("day_end must be after day_start")
        return self


class ClockConfig(_Strict):
    """One statutory clock: from which event to which, and how long it may take."""

    label: str
    start: Event = Field(alias="from")
    start_occurrence: Literal["first", "last"] = Field("first", alias="from_occurrence")
    start_not_after: Event | None = Field(None, alias="from_not_after")
    stop: Event = Field(alias="to")
    working_days: PositiveInt | None = None
    working_hours: PositiveFloat | dict[TriageRating, PositiveFloat] | None = None
    months: PositiveInt | None = None
    then_every_months: PositiveInt | None = None
    implied_by: tuple[Event, ...] = ()
    not_needed_after: tuple[Event, ...] = ()
    only_if: tuple[Event, ...] = ()
    queue: bool | Literal["overdue"] = False
    report: bool = False

    @model_validator(mode="after")
    def _one_limit(self) -> ClockConfig:
        limits = [n for n in ("working_days", "working_hours", "months")
                  if getattr(self, n) is not None]
        if len(limits) != 1:
            raise ValueError("give exactly one of working_days, working_hours, months "
                             f"(found {', '.join(limits) or 'none'})")
        if self.then_every_months is not None and self.stop not in REPEATING_EVENTS:
            raise ValueError("then_every_months needs a repeating `to` event "
                             f"({', '.join(sorted(REPEATING_EVENTS))})")
        if self.start == self.stop:
            raise ValueError("`from` and `to` must be different events")
        return self

    @property
    def unit(self) -> str:
        """What the clock counts in: 'working days', 'working hours' or 'months'."""
        if self.working_days is not None:
            return "working days"
        return "working hours" if self.working_hours is not None else "months"

    def hours_for(self, rating: str | None) -> float | None:
        """The working-hours limit for a triage rating (None: the clock does not apply)."""
        if isinstance(self.working_hours, dict):
            return self.working_hours.get(rating) if rating else None  # type: ignore[call-overload]
        return self.working_hours

    def describe_limit(self) -> str:
        """The limit in words, e.g. '45 working days' or 'red 4, amber 24 working hours'."""
        if self.working_days is not None:
            return _plural(self.working_days, "working day")
        if self.months is not None:
            every = f", then every {self.then_every_months}" if self.then_every_months else ""
            return f"{_plural(self.months, 'month')}{every}"
        if isinstance(self.working_hours, dict):
            parts = ", ".join(f"{k} {v:g}" for k, v in self.working_hours.items())
            return f"{parts} working hours"
        return f"{self.working_hours:g} working hours"


class QueueConfig(_Strict):
    """How `kinlink queue` ranks children and when it sets a referral apart as stale."""

    risk_weights: dict[str, PositiveFloat] = Field(default_factory=lambda: {
        "high": 4.0, "medium": 2.0, "unknown": 2.0, "low": 1.0, "none": 1.0})
    wait_cap_working_days: PositiveInt = 20
    probably_not_recorded_after: PositiveInt = 40

    @model_validator(mode="after")
    def _every_level(self) -> QueueConfig:
        missing = {"high", "medium", "unknown", "low", "none"} - set(self.risk_weights)
        if missing:
            raise ValueError(f"risk_weights needs a weight for {', '.join(sorted(missing))}")
        return self

    def weight(self, level: str) -> float:
        """The ranking weight of a risk level (an unknown level weighs as `unknown`)."""
        return self.risk_weights.get(level, self.risk_weights["unknown"])


def _plural(n: float, noun: str) -> str:
    return f"{n:g} {noun}" if n == 1 else f"{n:g} {noun}s"


class ClocksConfig(_Strict):
    """The whole file: the calendar and the clocks, by name."""

    calendar: CalendarConfig = CalendarConfig()
    queue: QueueConfig = QueueConfig()
    clocks: dict[str, ClockConfig]
    source: str = Field(default=str(PACKAGED_CONFIG), exclude=True)

    @cached_property
    def working_calendar(self) -> WorkingCalendar:
        """The calendar this configuration describes (built once)."""
        c = self.calendar
        return WorkingCalendar(c.region, c.closures, c.day_start, c.day_end)

    @property
    def queue_clocks(self) -> list[str]:
        return [n for n, c in self.clocks.items() if c.queue]

    def queues(self, state: ClockState) -> bool:
        """Whether the queue shows a child waiting on this clock state: a queue clock open
        or overdue, or only overdue for a clock with `queue = "overdue"`."""
        clock = self.clocks.get(state.clock)
        if clock is None or not clock.queue or not state.status.waiting:
            return False
        return clock.queue is True or state.status.value == "overdue"

    @property
    def report_clocks(self) -> list[str]:
        return [n for n, c in self.clocks.items() if c.report]


def _key(location: tuple[int | str, ...]) -> str:
    # pydantic adds the union member's type to locations ("working_hours.float"); drop those.
    parts = [str(p) for p in location if not str(p).startswith(("function-", "float", "dict["))]
    return ".".join(parts) or "(top level)"


def load_config(path: Path | None = None, *, settings: Settings | None = None) -> ClocksConfig:
    """Read and validate the clocks file: `path`, else `KINLINK_TIMELINESS_CONFIG`, else the
    packaged default."""
    if path is None:
        path = (settings or get_settings()).timeliness_config or PACKAGED_CONFIG
    data = read_toml(Path(path), "clocks file")
    try:
        config = ClocksConfig.model_validate({**data, "source": str(path)})
    except ValidationError as e:
        first = e.errors()[0]
        raise ConfigError(f"{path}: key {_key(first['loc'])!r}: {first['msg']}") from e
    if not config.clocks:
        raise ConfigError(f"{path}: key 'clocks': no clocks are configured")
    return config
