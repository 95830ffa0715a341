"""Alembic environment: runs migrations on the synchronous engine for the configured URL."""

import warnings
from typing import Any

from alembic import context
from sqlalchemy import exc, pool

from server.storage.engines import sync_engine
from server.storage.tables import Base

# The search indexes of migrations 0003 and 0006, which the models do not declare: SQLite's
# FTS5 tables (and the tables FTS5 keeps them in), the expression and trigram indexes.
SEARCH_OBJECTS = ("repositories_search", "ix_repositories_search_")
# SQLite's reflection cannot read an expression index, and says so; these are left out anyway.
warnings.filterwarnings(
    "ignore",
    "Skipped unsupported reflection of expression-based index ix_repositories_search_",
    exc.SAWarning,
)


def include_object(
    _object: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Whether autogenerate compares this object: not the search indexes the database has."""
    search_index = type_ in ("table", "index") and (name or "").startswith(SEARCH_OBJECTS)
    return not (reflected and compare_to is None and search_index)


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
            include_object=include_object,
            # server.storage.migrations.upgrade hears of each migration applied.
            on_version_apply=alembic.attributes.get("on_version_apply", ()),
        )
        with context.begin_transaction():
            context.run_migrations()
finally:
    engine.dispose()
