"""Opening the operational store and bringing its schema up to date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from kinlink.config import Settings, get_settings
from kinlink.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets the web app read while an ingest writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Store:
    """A handle on the operational store: an engine plus schema management."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, future=True)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["engine"] = self.engine
        return config

    def upgrade(self) -> None:
        """Apply every migration not yet applied (a no-op on an up-to-date store).

        Each area's migrations form their own branch from `0001`, so we upgrade to all heads.
        """
        try:
            command.upgrade(self._alembic_config(), "heads")
        except OperationalError as e:
            raise StoreError(f"cannot reach the store at {self.safe_url}: {e.orig}") from e

    def is_current(self) -> bool:
        """Whether every migration has been applied.

        Compared as sets of applied revisions, not of heads: a migration that depends on
        other areas' branches (`depends_on`) absorbs their heads in `alembic_version`.
        """
        script = ScriptDirectory.from_config(self._alembic_config())
        with self.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
        applied = {r.revision for r in script.iterate_revisions(current, "base")}
        return set(script.get_heads()) <= applied

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as e:
            raise StoreError(f"store error at {self.safe_url}: {e.orig}") from e

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as e:
            raise StoreError(f"store error at {self.safe_url}: {e.orig}") from e

    def analyze(self, *tables: Table) -> None:
        """Refresh the query planner's statistics of tables just bulk-written.

        Until autovacuum gets round to it, PostgreSQL plans a freshly filled table with
        default estimates: measured on 3M network edges, it hash-joined the whole table
        for one child's network (680 ms) instead of using the person index (0.2 ms).
        SQLite without statistics takes an equality index as selective, which is what our
        look-ups want, so there it does nothing.
        """
        if self.is_sqlite or not tables:
            return
        with self.begin() as conn:
            conn.execute(text(f"ANALYZE {', '.join(t.name for t in tables)}"))

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings | None = None) -> Store:
    """Open the store named by the settings (never migrating it: that is `Store.upgrade`,
    run by `kinlink db upgrade`)."""
    settings = settings or get_settings()
    try:
        store = Store(settings.resolved_database_url)
    except SQLAlchemyError as e:
        raise StoreError(f"cannot open the store: {e}") from e
    return store
