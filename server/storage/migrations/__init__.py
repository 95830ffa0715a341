"""Alembic migrations, shipped in the package. ``upgrade(url)`` is ``hubindex db upgrade``."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from server.storage.engines import sync_engine

HERE = Path(__file__).resolve().parent


def config(url: str) -> Config:
    """An Alembic configuration for ``url``; no alembic.ini is needed."""
    alembic = Config()
    alembic.set_main_option("script_location", str(HERE))
    alembic.attributes["database_url"] = url
    return alembic


def upgrade(url: str, revision: str = "head") -> None:
    """Apply every pending migration to the database at ``url``."""
    command.upgrade(config(url), revision)


def check(url: str) -> None:
    """Raise when the tables of ``server.storage.tables`` differ from the migrated schema."""
    command.check(config(url))


def pending(url: str) -> bool:
    """Whether the database at ``url`` lacks migrations."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(config(url)).get_heads())
    engine = sync_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current != heads
