"""`kl.report`: the inspection report, a disclosure of the partnership's figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource
from kinlink.timeliness import load_config

if TYPE_CHECKING:
    from kinlink.report import Report


class Reports(Capability):
    """The inspection report over every agency's records."""

    def produce(self, actor: Actor, *, as_of: date | None = None,
                quality_run_id: int | None = None, truth: Path | None = None) -> Report:
        """The report as of `as_of` (default today), logged as a disclosure: what it was
        as of, and which data-quality run it shows. Reads only: rebuilding the network and
        running the rules are their own jobs (`kl.network.rebuild`, `kl.quality.run`)."""
        on = as_of or self.clock.today()
        detail = {k: v for k, v in (("as_of", on.isoformat()), ("quality_run", quality_run_id),
                                    ("truth", str(truth) if truth else None)) if v is not None}
        with self.gate(actor, Action.REPORT_PRODUCE, Resource("report", on.isoformat()),
                       detail=detail):
            self.step("Gathering the figures and drawing the charts")
            # Imported here: matplotlib, Jinja2 and WeasyPrint are for this call only, not
            # for every command that opens the core.
            from kinlink.report import produce_report

            return produce_report(self.store, as_of=on, config=load_config(
                settings=self.settings), generated_at=self.clock.now(),
                quality_run_id=quality_run_id, truth=truth)
