"""Opening the operational store and bringing its schema up to date."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from kinlink.config import Settings, get_settings
from kinlink.errors import ConfigError, StoreError, first_line

MIGRATIONS = Path(__file__).parent / "migrations"
DIALECTS = ("sqlite", "postgresql")
"""The databases Kinlink runs on."""
BUSY_SECONDS = 60
"""How long a SQLite writer waits for another to finish before giving up."""
_MIGRATION_LOCK = 7_270_001  # any fixed number: PostgreSQL's advisory lock for migrations


def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # We issue BEGIN ourselves (see `_sqlite_begin`): the driver's own transaction handling
    # does not begin one before CREATE TABLE, so a migration killed half-way left tables
    # behind with no `alembic_version` row, and every later command failed.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the web app read while an ingest writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock when it begins (IMMEDIATE, see `Store.begin`): a
    # deferred transaction that reads and then writes fails at once with "database is
    # locked" when another writer got in between, instead of waiting its turn.
    mode = conn.get_execution_options().get("sqlite_begin", "")
    conn.connection.driver_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]


def check_database_url(url: str) -> str:
    """The URL if it names a database Kinlink runs on; ConfigError (one line) otherwise."""
    try:
        dialect = make_url(url).get_backend_name()
    except ArgumentError as e:
        raise ConfigError(f"KINLINK_DATABASE_URL is not a database URL: {e}") from e
    if dialect not in DIALECTS:
        raise ConfigError(f"KINLINK_DATABASE_URL names a {dialect} database; Kinlink runs on "
                          f"{' or '.join(DIALECTS)} (e.g. postgresql+psycopg://host/db)")
    return url


def _sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file, or say clearly why it cannot be."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    folder = Path(database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create the store's folder {folder}: {e.strerror}; set "
                         "KINLINK_HOME to a folder you can write to") from e
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"cannot write to the store's folder {folder}; set KINLINK_HOME to "
                         "a folder you can write to")


class Store:
    """A handle on the operational store: an engine plus schema management."""

    def __init__(self, url: str) -> None:
        self.url = check_database_url(url)
        if make_url(url).get_backend_name() == "sqlite":
            _sqlite_folder(url)
        try:
            self.engine: Engine = create_engine(url, future=True)
        except (SQLAlchemyError, ImportError) as e:
            raise ConfigError(f"cannot use KINLINK_DATABASE_URL: {e}") from e
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)

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
        All of it is one transaction, taken under a lock (SQLite's write lock, a PostgreSQL
        advisory lock): a process killed half-way leaves the store as it was, and of two
        commands started at once on a new store one migrates while the other waits, then
        finds nothing left to do.
        """
        config = self._alembic_config()
        try:
            with self.begin() as conn:
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": _MIGRATION_LOCK})
                config.attributes["connection"] = conn
                command.upgrade(config, "heads")
        except OperationalError as e:
            raise StoreError(f"cannot reach the store at {self.safe_url}: {first_line(e)}") from e

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
        """A connection inside one transaction: committed on success, rolled back on error.

        On SQLite the transaction holds the write lock from its start (other writers wait
        up to BUSY_SECONDS), so a read-then-write inside it cannot be overtaken.
        """
        try:
            with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    yield conn
        except OperationalError as e:
            raise StoreError(f"store error at {self.safe_url}: {first_line(e)}") from e

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as e:
            raise StoreError(f"store error at {self.safe_url}: {first_line(e)}") from e

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


def lock_for_writing(conn: Connection, table: Table) -> None:
    """Hold off other writers of `table` until this transaction ends, so a read-then-write
    here cannot overwrite what another transaction wrote in between (a lost update).

    SQLite: `Store.begin` already holds the database's one write lock. PostgreSQL: a
    SHARE ROW EXCLUSIVE lock, which readers do not wait for.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE"))


def open_store(settings: Settings | None = None) -> Store:
    """Open the store named by the settings (never migrating it: that is `Store.upgrade`,
    run by `kinlink db upgrade`)."""
    settings = settings or get_settings()
    try:
        store = Store(settings.resolved_database_url)
    except SQLAlchemyError as e:
        raise StoreError(f"cannot open the store: {e}") from e
    return store
