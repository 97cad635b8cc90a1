"""Settings, read from environment variables prefixed `KINLINK_`."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from kinlink.errors import ConfigError

DEFAULT_HOME = Path("var")


class Settings(BaseSettings):
    """Where Kinlink keeps its data and how it runs.

    Every field can be set as `KINLINK_<FIELD>`, e.g. `KINLINK_DATABASE_URL`.
    """

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    home: Path = DEFAULT_HOME
    """Folder for the embedded database, trained models and charts."""

    database_url: str | None = None
    """SQLAlchemy URL of the operational store; default: SQLite file `<home>/kinlink.db`."""

    engine: str = "duckdb"
    """Linkage compute engine: `duckdb` or `spark`."""

    spark_master: str = "local[2]"
    """Spark master URL when `engine` is `spark`."""

    timeliness_config: Path | None = None
    """TOML file overriding the statutory clocks and working-day calendar."""

    second_look_config: Path | None = None
    """TOML file overriding the second-look prompt rules (days, windows, marker lists)."""

    cli_user: str | None = None
    """The local user the `kinlink` command acts as. Unset: a built-in administrator on the
    embedded SQLite store (and on PostgreSQL only while it has no users yet)."""

    @property
    def resolved_database_url(self) -> str:
        """The store's URL, defaulting to the SQLite file under `home`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'kinlink.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings`)."""
    return Settings()


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A configuration file's TOML (`what` names it in messages); any failure to find,
    read or parse it is one `ConfigError` line naming the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: {what} not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the {what}: {e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
