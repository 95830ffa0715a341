"""Readiness: whether the database answers and has every migration this hubindex needs."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from server.storage.database import DatabaseSession

logger = logging.getLogger(__name__)

_CURRENT = text("SELECT version_num FROM alembic_version")
OK = "ok"


@dataclass(frozen=True, slots=True)
class Readiness:
    database: str
    migrations: str

    @property
    def ready(self) -> bool:
        return self.database == OK and self.migrations == OK


class ReadinessCheck:
    def __init__(self, session: DatabaseSession, needed: Callable[[], frozenset[str]]) -> None:
        self._session = session
        self._needed = needed  # the head revisions of the migrations shipped with hubindex

    async def check(self) -> Readiness:
        """One read of the database's migration state. A caller may be anyone: why the
        database does not answer goes to the log, not into the answer."""
        try:
            current = frozenset(await self._session.scalars(_CURRENT))
        except SQLAlchemyError as error:
            reason = " ".join(str(getattr(error, "orig", error)).split())[:200]
            if _no_table(reason):
                return Readiness(OK, "pending: the database has no migrations")
            logger.warning("readiness: the database does not answer: %s", reason)
            return Readiness("unreachable", "unknown")
        needed = self._needed()
        if current == needed:
            return Readiness(OK, OK)
        at = ", ".join(sorted(current)) or "no revision"
        return Readiness(
            OK, f"pending: the database is at {at}, this hubindex needs {', '.join(sorted(needed))}"
        )


def _no_table(reason: str) -> bool:
    # SQLite's and PostgreSQL's words for a table that does not exist.
    return "no such table" in reason or "does not exist" in reason
