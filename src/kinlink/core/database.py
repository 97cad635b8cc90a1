"""`kl.db`: the store's schema, changed only when asked (`kinlink db upgrade`)."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource, allowed
from kinlink.errors import Forbidden, StoreError

STORE = Resource("store")


class Database(Capability):
    """Schema state and upgrades. Before the first upgrade there is no audit log to write
    to, so an upgrade is authorised first and logged once it is done."""

    def is_current(self) -> bool:
        """Whether the store's schema is at the newest migration."""
        try:
            return self.store.is_current()
        except SQLAlchemyError as e:
            raise StoreError(f"cannot reach the store at {self.store.safe_url}: "
                             f"{getattr(e, 'orig', e)}") from e

    def upgrade(self, actor: Actor) -> bool:
        """Apply every migration not yet applied; True if anything changed."""
        decision = allowed(actor, Action.DB_UPGRADE, STORE)
        if not decision:
            if inspect(self.store.engine).has_table("audit_log"):
                self.gate.log(actor, Action.DB_UPGRADE, STORE, outcome="refused",
                              detail={"why": decision.why})
            raise Forbidden(f"not allowed: {decision.why}")
        if self.is_current():
            return False
        self.store.upgrade()
        self.gate.log(actor, Action.DB_UPGRADE, STORE)
        return True
