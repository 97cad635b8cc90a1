"""Alembic environment: runs migrations on the connection (or engine) the `Store` hands over."""

from alembic import context
from sqlalchemy import Connection

from kinlink.store.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    context.run_migrations()


# `Store.upgrade` hands over a connection already in its locked transaction.
given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    with context.config.attributes["engine"].begin() as connection:
        _run(connection)
