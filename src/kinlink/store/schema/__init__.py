"""All tables of the operational store, one module per area, on one shared `metadata`.

Alembic migrations in `kinlink/store/migrations/versions/` create them; a test checks
that the migrated database and this metadata agree.
"""

from kinlink.store.schema import identity, source
from kinlink.store.schema import resolution  # noqa: F401  (registers its tables)
from kinlink.store.schema import network  # noqa: F401  (registers its tables)
from kinlink.store.schema import quality, timeliness  # noqa: F401  (registers their tables)
from kinlink.store.schema import linkage  # noqa: F401  (registers its tables)
from kinlink.store.schema.base import metadata

__all__ = ["identity", "metadata", "source"]
