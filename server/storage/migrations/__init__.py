"""Alembic migrations, shipped in the package. ``upgrade(url)`` is ``hubindex db upgrade``."""

import functools
from pathlib import Path
from typing import Any

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


def upgrade(url: str, revision: str = "head") -> list[str]:
    """Apply every pending migration to the database at ``url``; what was applied, oldest
    first, each as ``revision: what it does``."""
    applied: list[str] = []

    def record(*, step: Any, **_context: Any) -> None:
        script = step.up_revision
        doc = (script.doc or "").strip().splitlines()[0] if script is not None else ""
        applied.append(f"{step.up_revision_id}: {doc}" if doc else str(step.up_revision_id))

    alembic = config(url)
    alembic.attributes["on_version_apply"] = record
    command.upgrade(alembic, revision)
    return applied


@functools.cache
def heads() -> frozenset[str]:
    """The head revisions of the migrations shipped with hubindex (read once a process)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(config("sqlite://")).get_heads())


def check(url: str) -> None:
    """Raise when the tables of ``server.storage.tables`` differ from the migrated schema."""
    command.check(config(url))


def pending(url: str) -> bool:
    """Whether the database at ``url`` lacks migrations."""
    from alembic.runtime.migration import MigrationContext

    engine = sync_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current != heads()
