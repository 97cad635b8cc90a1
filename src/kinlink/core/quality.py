"""`kl.quality`: the data-quality rules, their scores over time, and the findings of every
area (the records behind each count)."""

from __future__ import annotations

from datetime import date

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource
from kinlink.quality.findings import StoredFinding, list_findings
from kinlink.quality.rules import RULES, Rule
from kinlink.quality.scores import (
    Grouping,
    QualityRun,
    Score,
    TrendPoint,
    get_run,
    matching_run,
    run_quality,
    scores,
    trend,
)

RULES_RESOURCE = Resource("quality")


def _detail(**values: object) -> dict[str, object] | None:
    return {k: v for k, v in values.items() if v is not None} or None


class Quality(Capability):
    """What the checks found wrong with source records, and how each agency and team scores."""

    def findings(self, actor: Actor, *, area: str | None = None, agency: str | None = None,
                 rule: str | None = None, severity: str | None = None,
                 team: str | None = None) -> list[StoredFinding]:
        """Findings matching every filter given, most severe first (`team=""`: the records
        of no team)."""
        agency = self.scoped_agency(actor, agency)
        with self.gate(actor, Action.QUALITY_FINDINGS, Resource("findings", agency,
                                                                agency=agency),
                       detail=_detail(area=area, agency=agency, rule=rule, severity=severity,
                                      team=team)):
            return list_findings(self.store, area=area, agency=agency, rule=rule,
                                 severity=severity, team=team)

    @staticmethod
    def rules() -> tuple[Rule, ...]:
        """The rules, what each flags and what its rate is out of (no records: not logged)."""
        return RULES

    def run(self, actor: Actor, *, as_of: date | None = None,
            reuse: bool = False) -> QualityRun:
        """Judge every record against the rules and keep the scores. With `reuse`, the
        newest run as of the same date is returned instead if the records are unchanged."""
        on = as_of or self.clock.today()
        with self.gate(actor, Action.QUALITY_RUN, RULES_RESOURCE,
                       detail=_detail(as_of=on.isoformat(), reuse=reuse or None)):
            self.step("Judging every record against the data-quality rules")
            found = matching_run(self.store, on) if reuse else None
            return found or run_quality(self.store, as_of=on, clock=self.clock)

    def latest_run(self, actor: Actor, run_id: int | None = None) -> QualityRun:
        """A run (the newest by default): when, as of when, on which extracts."""
        with self.gate(actor, Action.QUALITY_SCORES, RULES_RESOURCE,
                       detail=_detail(run=run_id)):
            return get_run(self.store, run_id)

    def scores(self, actor: Actor, *, run_id: int | None = None, by: Grouping = "agency",
               agency: str | None = None, team: str | None = None,
               rule: str | None = None) -> list[Score]:
        """A run's count, denominator and rate per rule and agency (or team)."""
        agency = self.scoped_agency(actor, agency)
        with self.gate(actor, Action.QUALITY_SCORES, Resource("scores", agency, agency=agency),
                       detail=_detail(run=run_id, by=by, agency=agency, team=team, rule=rule)):
            return scores(self.store, run_id=run_id, by=by, agency=agency, team=team,
                          rule=rule)

    def trend(self, actor: Actor, *, agency: str | None = None, team: str | None = None,
              rule: str | None = None) -> list[TrendPoint]:
        """Every run's scores, oldest first."""
        agency = self.scoped_agency(actor, agency)
        with self.gate(actor, Action.QUALITY_SCORES, Resource("scores", agency, agency=agency),
                       detail=_detail(agency=agency, team=team, rule=rule, trend=True)):
            return trend(self.store, agency=agency, team=team, rule=rule)
