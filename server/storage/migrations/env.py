"""Alembic environment: runs migrations on the synchronous engine for the configured URL."""

from alembic import context
from sqlalchemy import pool

from server.storage.database import sync_engine
from server.storage.tables import Base

alembic = context.config
engine = sync_engine(alembic.attributes["database_url"], poolclass=pool.NullPool)
try:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite cannot ALTER most things: batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
finally:
    engine.dispose()
