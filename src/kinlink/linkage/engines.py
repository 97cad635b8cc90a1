"""Running Splink on DuckDB (default, in process) or Spark (local mode or a cluster).

Spark is imported only when asked for, so DuckDB users need no JVM.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import Linker, SettingsCreator

from kinlink.config import ENGINES, get_settings
from kinlink.errors import ConfigError, InputError

DEFAULT_SPARK_MASTER = "local[2]"
_DUCKDB_MEMORY_LIMIT = "2000MB"  # the 1M-record target is < 4 GB for the whole process


def check_engine(engine: str | None) -> str:
    """The engine name (None: KINLINK_ENGINE's, default duckdb), or InputError if it is not
    one we run on."""
    if engine is None:
        return get_settings().engine
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    return engine


@contextmanager
def linker_for(records: pa.Table, settings: SettingsCreator | dict[str, Any], *,
               engine: str = "duckdb", spark_master: str | None = None) -> Iterator[Linker]:
    """A Splink linker over `records` on the chosen engine, cleaned up afterwards."""
    check_engine(engine)
    if engine == "duckdb":
        con = duckdb.connect()
        configure(con)
        con.execute("SET preserve_insertion_order = false")
        try:
            from splink import DuckDBAPI

            db_api: Any = DuckDBAPI(connection=con)
            yield Linker(db_api.register(records, table_name="records"), settings,
                         log_level=logging.WARNING)
        finally:
            con.close()
    else:
        from splink import SparkAPI

        master = spark_master or DEFAULT_SPARK_MASTER
        # On one machine, keeping intermediate tables in memory beats Splink's default
        # of writing them out; a cluster needs the written copies to cut long lineages.
        db_api = SparkAPI(spark_session=spark_session(master),
                          break_lineage_method="persist" if _is_local(master) else None)
        linker = Linker(db_api.register(records), settings, log_level=logging.WARNING)
        try:
            yield linker
        finally:
            linker.table_management.delete_tables_created_by_splink_from_db()


def configure(con: duckdb.DuckDBPyConnection) -> None:
    """Hold an in-process DuckDB to its share of the memory target, spilling what does
    not fit to a temporary folder (an in-memory database has none of its own)."""
    con.execute(f"SET memory_limit = '{_DUCKDB_MEMORY_LIMIT}'")
    # DuckDB makes the folder when it first spills and removes it when it closes
    spill = Path(tempfile.gettempdir()) / f"kinlink-duckdb-{os.getpid()}"
    con.execute(f"SET temp_directory = '{spill}'")


@lru_cache(maxsize=2)
def spark_session(master: str) -> Any:
    """A Spark session on `master` that has Splink's similarity functions loaded.

    Without the jar, predictions fail with "Cannot resolve routine JARO_WINKLER".
    """
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as e:
        raise ConfigError("the Spark engine needs pyspark: pip install 'kinlink[spark]'") from e
    session = (
        SparkSession.builder.master(master)
        .appName("kinlink-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "4" if _is_local(master) else "200")
        .config("spark.default.parallelism", "4" if _is_local(master) else "200")
        .config("spark.driver.memory", "2g")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="kinlink-spark-"))
    return session


def _is_local(master: str) -> bool:
    return master.startswith("local")


def to_arrow(table: Any) -> pa.Table:
    """A Splink result table as a pyarrow Table."""
    result = table.as_pyarrow_table()
    return result.read_all() if isinstance(result, pa.RecordBatchReader) else result
