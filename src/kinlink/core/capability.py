"""The base of every capability: its core, and the gate each public method goes through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinlink.clock import Clock
from kinlink.core.actors import Actor
from kinlink.core.permissions import AGENCY_SCOPED
from kinlink.store import Store

if TYPE_CHECKING:
    from kinlink.config import Settings
    from kinlink.core.app import Kinlink
    from kinlink.core.gate import Gate


class Capability:
    """A namespace of the core (`kl.network`, `kl.alerts`, ...).

    Subclasses offer public methods that take the `Actor` first, pass `self.gate(...)`
    (authorise + log) and then call domain functions with the core's store and clock.
    """

    def __init__(self, core: Kinlink) -> None:
        self._core = core

    @property
    def store(self) -> Store:
        return self._core.store

    @property
    def clock(self) -> Clock:
        return self._core.clock

    @property
    def settings(self) -> Settings:
        return self._core.settings

    @property
    def gate(self) -> Gate:
        return self._core.gate

    def step(self, message: str) -> None:
        """Tell the progress callback, if any, that a long job reached a new stage."""
        if self._core.progress is not None:
            self._core.progress(message)

    @property
    def shows_progress(self) -> bool:
        """Whether domain work should draw its own progress bars (only for a terminal user)."""
        return self._core.progress is not None

    @staticmethod
    def scoped_agency(actor: Actor, agency: str | None) -> str | None:
        """The agency a listing is limited to: the one asked for, or for a role scoped to
        its agency, that agency when none was asked for (asking for another one is
        refused at the gate)."""
        if agency is None and actor.role in AGENCY_SCOPED:
            return actor.agency
        return agency
