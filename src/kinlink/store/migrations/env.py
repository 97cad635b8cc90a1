"""Alembic environment: runs migrations on the engine the `Store` hands over."""

from alembic import context

from kinlink.store.schema import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=engine.dialect.name == "sqlite")
    context.run_migrations()
