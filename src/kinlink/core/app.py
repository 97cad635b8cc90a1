"""`Kinlink`: the one object the CLI and the web app open, holding everything a call needs."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from kinlink.audit import AuditLog
from kinlink.clock import Clock, SystemClock
from kinlink.config import Settings, get_settings
from kinlink.core.alerts import Alerts
from kinlink.core.audit import Audit
from kinlink.core.auth import Authentication
from kinlink.core.chronology import Chronology
from kinlink.core.database import Database
from kinlink.core.export import Export
from kinlink.core.gate import Gate
from kinlink.core.ingest import Ingest
from kinlink.core.network import Network
from kinlink.core.quality import Quality
from kinlink.core.resolution import Resolution
from kinlink.core.review import Review
from kinlink.core.timeliness import Timeliness
from kinlink.core.users import Users
from kinlink.errors import StoreError
from kinlink.store import Store, open_store

ProgressCallback = Callable[[str], None]
"""Told the stage a long job has reached ("building the network", ...)."""


class Kinlink:
    """The application core: the store, settings, clock, gate (authoriser and audit log),
    progress callback, and every capability as a namespace.

    >>> kl = Kinlink.open(settings)
    >>> kl.network.child(actor, "P0000001")

    Opening never changes the schema: on a store that is not at the newest migration every
    call fails with one line saying to run `kinlink db upgrade` (`kl.db.upgrade(actor)`).
    """

    def __init__(self, settings: Settings, store: Store, *, clock: Clock | None = None,
                 progress: ProgressCallback | None = None) -> None:
        self.settings = settings
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self.progress = progress
        self.audit_log = AuditLog(store)
        self.gate = Gate(self.audit_log, self.clock)
        self.db = Database(self)
        self.network = Network(self)
        self.alerts = Alerts(self)
        self.chronology = Chronology(self)
        self.review = Review(self)
        self.timeliness = Timeliness(self)
        self.ingest = Ingest(self)
        self.resolution = Resolution(self)
        self.quality = Quality(self)
        self.export = Export(self)
        self.audit = Audit(self)
        self.users = Users(self)
        self.auth = Authentication(self)

    @classmethod
    def open(cls, settings: Settings | None = None, *, clock: Clock | None = None,
             progress: ProgressCallback | None = None, check_schema: bool = True) -> Kinlink:
        """Open the store the settings name (without migrating it).

        `check_schema=False` is only for `kl.db.upgrade`: every other use needs the
        newest schema, and is told in one line how to get it.
        """
        settings = settings or get_settings()
        store = open_store(settings)
        core = cls(settings, store, clock=clock, progress=progress)
        if check_schema and not core.db.is_current():
            store.dispose()
            raise StoreError(f"the store at {store.safe_url} is not at the newest schema: "
                             "run `kinlink db upgrade` first")
        return core

    def close(self) -> None:
        """Release the store's connections."""
        self.store.dispose()

    def __enter__(self) -> Kinlink:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
