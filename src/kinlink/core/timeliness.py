"""`kl.timeliness`: children waiting, timeliness statistics, the clocks in force.

Reading the queue or the statistics records nothing; recording a run (its counts and its
data-quality findings) is the explicit `record` job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from kinlink.clock import LOCAL_ZONE
from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource
from kinlink.network.graph import persons_of
from kinlink.store import Store
from kinlink.store.queries import current_rows_of
from kinlink.store.schema.identity import record_persons
from kinlink.timeliness import (
    ClocksConfig,
    QueueItem,
    TimelinessReport,
    TimelinessRun,
    build_queue,
    evaluate_cases,
    load_config,
    record_run,
    timeliness_report,
)
from kinlink.timeliness.evaluate import moment

REFERRALS = Resource("referrals")
_CHUNK = 500  # ids per IN list


@dataclass(frozen=True)
class WaitingQueue:
    """The children waiting as of a moment (local wall-clock time), in priority order."""

    as_of: datetime
    items: list[QueueItem]
    names: dict[str, str] = field(default_factory=dict)  # child key -> name, where known

    def name_of(self, item: QueueItem) -> str | None:
        """The child's name as the records give it (None when no record names them)."""
        return self.names.get(item.child_key)


class Timeliness(Capability):
    """Statutory clocks over the referrals."""

    def _moment(self, as_of: date | datetime | None) -> datetime:
        """The local wall-clock moment to evaluate at (the clocks count local working
        hours); now by the core's clock when not given, a bare date the end of that day."""
        if as_of is None:
            return moment(self.clock.now().astimezone(LOCAL_ZONE).replace(microsecond=0))
        return moment(as_of)

    def config(self) -> ClocksConfig:
        """The clocks and calendar in force (from KINLINK_TIMELINESS_CONFIG or the default)."""
        return load_config(settings=self.settings)

    def clocks(self, actor: Actor) -> ClocksConfig:
        """The clocks and working-day calendar in force, and where they come from."""
        with self.gate(actor, Action.TIMELINESS_CLOCKS, Resource("clocks")):
            return self.config()

    def queue(self, actor: Actor, *, as_of: date | datetime | None = None,
              team: str | None = None, state: str | None = None,
              limit: int | None = None) -> WaitingQueue:
        """Every child waiting, riskiest and longest waiting first (records nothing)."""
        at = self._moment(as_of)
        detail = {k: v for k, v in (("as_of", at.isoformat()), ("team", team),
                                    ("state", state)) if v is not None}
        with self.gate(actor, Action.TIMELINESS_QUEUE, REFERRALS, detail=detail):
            items = build_queue(self.store, as_of=at, team=team, state=state,
                                config=self.config())[:limit]
            names = child_names(self.store, (i.child_key for i in items))
        return WaitingQueue(at, items, names)

    def report(self, actor: Actor, *, date_from: date | None = None,
               date_to: date | None = None, by: str = "team",
               as_of: date | datetime | None = None) -> TimelinessReport:
        """Statistics of the referrals received in the period (default the year to today)."""
        at = self._moment(as_of)
        to = date_to or self.clock.today()
        start = date_from or to - timedelta(days=365)
        with self.gate(actor, Action.TIMELINESS_REPORT, REFERRALS, detail={
                "from": start.isoformat(), "to": to.isoformat(), "by": by,
                "as_of": at.isoformat()}):
            return timeliness_report(self.store, date_from=start, date_to=to, by=by,
                                     as_of=at, config=self.config())

    def record(self, actor: Actor, *, as_of: date | datetime | None = None) -> TimelinessRun:
        """Evaluate every referral and keep the run: its counts and its date findings."""
        at = self._moment(as_of)
        with self.gate(actor, Action.TIMELINESS_RECORD, REFERRALS,
                       detail={"as_of": at.isoformat()}):
            config = self.config()
            evaluated = evaluate_cases(self.store, as_of=at, config=config)
            return record_run(self.store, evaluated, as_of=at, config=config,
                              clock=self.clock)


def child_names(store: Store, keys: Iterable[str]) -> dict[str, str]:
    """The name of each child key of the queue (a person id, or `agency:record_id` for a
    record not resolved yet): from the network's persons, or where the network has not
    been built since, from the child's own current people rows."""
    wanted = set(keys)
    with store.connect() as conn:
        names = {key: " ".join(p for p in (row["first_name"], row["surname"]) if p)
                 for key, row in persons_of(conn, sorted(wanted)).items()}
        missing = wanted - set(names)
        ids = sorted(k for k in missing if ":" not in k)
        records = {(r.agency, r.record_id): r.person_id
                   for at in range(0, len(ids), _CHUNK) for r in conn.execute(
                       select(record_persons.c.person_id, record_persons.c.agency,
                              record_persons.c.record_id)
                       .where(record_persons.c.person_id.in_(ids[at:at + _CHUNK])))}
        for key in missing:
            if ":" in key:  # a record not resolved: `agency:record_id`
                agency, record_id = key.split(":", 1)
                records[(agency, record_id)] = key
        for row in current_rows_of(conn, "people", sorted(records)):
            key = records[(row["agency"], row["record_id"])]
            names.setdefault(key, " ".join(p for p in (row["first_name"], row["surname"]) if p))
    return {key: name for key, name in names.items() if name}
