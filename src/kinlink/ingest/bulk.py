"""Fast reads and writes of source tables inside the ingest's one transaction.

Ingest moves up to millions of rows, so it bypasses SQLAlchemy's per-row machinery:
SQLite gets `executemany` on the driver connection, PostgreSQL gets `COPY` through
psycopg. Both run on the connection of the caller's transaction, so a failure later in
the extract rolls them back too. Dialect differences live here and nowhere else.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
import psycopg
from sqlalchemy import Connection, Table, select, text

from kinlink.errors import StoreError
from kinlink.ingest.versions import STORED_SCHEMA

CHUNK_ROWS = 50_000
SQLITE_CACHE_KIB = 256 * 1024
_IN_CHUNK = 500  # values per IN (...) list; well under SQLite's variable limit

Progress = Callable[[int], None]


def _is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


@contextmanager
def _driver_errors(action: str) -> Iterator[None]:
    """Re-raise driver errors (which bypass SQLAlchemy here) as `StoreError`."""
    try:
        yield
    except (sqlite3.Error, psycopg.Error) as e:
        raise StoreError(f"{action} failed: {e}") from e


def lock_agency(conn: Connection, agency: str) -> None:
    """Serialise ingests of one agency, so two cannot give a key the same new version.

    SQLite already allows one writer at a time; PostgreSQL takes a transaction-level lock.
    """
    if not _is_sqlite(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:agency))"), {"agency": agency})


@contextmanager
def bulk_session(conn: Connection) -> Iterator[None]:
    """Settings for a large write on this connection, restored afterwards.

    On SQLite a bigger page cache keeps index inserts in memory (the default is 2 MB).
    """
    if not _is_sqlite(conn):
        yield
        return
    driver: Any = conn.connection.driver_connection
    (previous,) = driver.execute("PRAGMA cache_size").fetchone()
    driver.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size = {int(previous)}")


def stored_versions(conn: Connection, table: Table, agency: str) -> pl.DataFrame:
    """Every stored (key, version, row_hash) of the agency in `table`.

    Read through the driver: for a million keys SQLAlchemy's row objects cost more than
    the query itself.
    """
    quote = conn.dialect.identifier_preparer.quote
    driver: Any = conn.connection.driver_connection
    columns = "key, version, row_hash"
    with _driver_errors(f"reading {table.name}"):
        if _is_sqlite(conn):
            rows = driver.execute(f"SELECT {columns} FROM {quote(table.name)} WHERE agency = ?",
                                  (agency,)).fetchall()
            return pl.DataFrame(rows, schema=STORED_SCHEMA, orient="row")
        query = f"SELECT {columns} FROM {quote(table.name)} WHERE agency = {_pg_literal(agency)}"
        with driver.cursor() as cursor, cursor.copy(
                f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
            data = b"".join(bytes(block) for block in copy)
    if not data:
        return pl.DataFrame(schema=STORED_SCHEMA)
    return pl.read_csv(io.BytesIO(data), has_header=False, new_columns=list(STORED_SCHEMA),
                       schema_overrides=STORED_SCHEMA)


def _pg_literal(text_value: str) -> str:
    """A PostgreSQL string literal (COPY takes no bind parameters); agency names are checked
    to be [a-z0-9-] before they get here, this only makes sure."""
    return "'" + text_value.replace("'", "''") + "'"


def stored_values(conn: Connection, table: Table, column: str, agency: str,
                  values: list[str]) -> set[str]:
    """Which of `values` appear in `table.column` for the agency, in any stored version."""
    found: set[str] = set()
    col = table.c[column]
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start: start + _IN_CHUNK]
        query = select(col).where(table.c.agency == agency, col.in_(chunk)).distinct()
        found.update(conn.execute(query).scalars())
    return found


def insert_frame(conn: Connection, table: Table, frame: pl.DataFrame,
                 progress: Progress | None = None) -> None:
    """Append every row of `frame` (columns named as `table`'s) to `table`."""
    if frame.is_empty():
        return
    columns = [table.c[name] for name in frame.columns]  # a KeyError here is a bug of ours
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c.name) for c in columns)
    driver: Any = conn.connection.driver_connection
    with _driver_errors(f"writing {table.name}"):
        if _is_sqlite(conn):
            _insert_sqlite(driver, f"INSERT INTO {quote(table.name)} ({names}) VALUES "
                           f"({', '.join('?' * len(columns))})", frame, progress)
        else:
            _copy_postgres(driver, f"COPY {quote(table.name)} ({names}) FROM STDIN "
                           "(FORMAT csv)", frame, progress)


def _insert_sqlite(driver: sqlite3.Connection, sql: str, frame: pl.DataFrame,
                   progress: Progress | None) -> None:
    # Dates as SQLAlchemy writes them on SQLite, so its readers parse what we store.
    frame = frame.with_columns(
        pl.col(pl.Date).dt.strftime("%Y-%m-%d"),
        pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S%.6f"),
        pl.col(pl.Boolean).cast(pl.Int8),
    )
    cursor = driver.cursor()
    for chunk in frame.iter_slices(CHUNK_ROWS):
        cursor.executemany(sql, chunk.iter_rows())
        if progress:
            progress(chunk.height)
    cursor.close()


def _copy_postgres(driver: psycopg.Connection, sql: str, frame: pl.DataFrame,
                   progress: Progress | None) -> None:
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for chunk in frame.iter_slices(CHUNK_ROWS):
            # Quoting every text value keeps a lone `\.` from reading as end of data;
            # an unquoted empty field is NULL.
            copy.write(chunk.write_csv(include_header=False, quote_style="non_numeric",
                                       datetime_format="%Y-%m-%d %H:%M:%S",
                                       date_format="%Y-%m-%d"))
            if progress:
                progress(chunk.height)
