"""All tables of the operational store, one module per area, on one shared `metadata`.

Alembic migrations in `kinlink/store/migrations/versions/` create them; a test checks
that the migrated database and this metadata agree.
"""

from kinlink.store.schema import (  # noqa: F401  (registers their tables)
    accounts,
    audit,
    chronology,
    identity,
    linkage,
    network,
    quality,
    resolution,
    source,
    timeliness,
)
from kinlink.store.schema.base import metadata

__all__ = ["identity", "metadata", "source"]
