"""The hottest statements, run on the database's own driver.

SQLAlchemy's execution machinery (execution contexts, events, result objects) costs several
times what SQLite itself does for a short statement: a login's read and an image's upsert took
~90 µs of a PUT's ~240 through it, and ~10 through sqlite3. A statement marked with
:func:`prepared` is compiled once per dialect; on SQLite, ``InlineSession`` runs it on the
DB-API connection of its unit of work, in that unit's transaction, converting parameters and
results with the type processors SQLAlchemy itself would use. On PostgreSQL it runs on
psycopg's (server.storage.postgres), in its unit's transaction likewise, as a
statement PostgreSQL has prepared.

Only for Core statements over tables whose results are read by position, with ``.one()``,
``.first()``, ``.all()``, ``.scalar()`` or ``.rowcount``.
"""

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler

OPTION = "hubindex_prepared"
PLAIN_READ = "hubindex_plain_read"

StatementT = TypeVar("StatementT", bound=Executable)
_Processor = Callable[[Any], Any] | None


def prepared(statement: StatementT) -> StatementT:
    """``statement``, marked to run on SQLite's driver (see the module's docstring)."""
    return statement.execution_options(**{OPTION: True})  # type: ignore[return-value]


def plain_read(statement: StatementT) -> StatementT:
    """``statement``, marked as a read that takes no lock: a writing unit of work on PostgreSQL
    runs it before its transaction begins (server.storage.postgres), so that a unit that
    then writes nothing costs no BEGIN and no COMMIT. At READ COMMITTED a statement sees the
    latest commits in a transaction or out of one alike."""
    return statement.execution_options(**{PLAIN_READ: True})  # type: ignore[return-value]


def is_prepared(statement: Any) -> bool:
    return isinstance(statement, Executable) and bool(statement.get_execution_options().get(OPTION))


@dataclass(frozen=True, slots=True)
class Rows:
    """What a prepared statement answers: its rows as tuples, and the rows it changed."""

    rows: list[tuple[Any, ...]]
    rowcount: int

    def all(self) -> list[tuple[Any, ...]]:
        return self.rows

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def one(self) -> tuple[Any, ...]:
        if not self.rows:
            raise NoResultFound("No row was found when one was required")
        if len(self.rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self.rows[0]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


class Plan:
    """A statement compiled for one dialect: its SQL, and how to convert what goes in and out."""

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler) or compiled.positiontup is None:
            raise TypeError(f"{dialect.name} compiles no positional SQL of {statement!r}")
        self._compiled = compiled
        self._sql = compiled.string
        self._names = tuple(compiled.positiontup)
        self._binds = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self._names
        )
        columns = getattr(statement, "selected_columns", ())
        self._results: tuple[_Processor, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        self._converts = any(self._results)
        self._binds_convert = any(self._binds)

    @property
    def sql(self) -> str:
        return self._sql

    def run(self, driver: sqlite3.Connection, parameters: Any) -> Rows:
        try:
            if isinstance(parameters, list):
                cursor = driver.executemany(self._sql, [self.arguments(p) for p in parameters])
            else:
                cursor = driver.execute(self._sql, self.arguments(parameters))
            rows = cursor.fetchall() if cursor.description else []
        except sqlite3.Error as error:
            raise DBAPIError.instance(self._sql, parameters, error, sqlite3.Error) from error
        return Rows(self.converted(rows), cursor.rowcount)

    def converted(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """``rows`` as the driver answered them, with the result types' conversions."""
        if self._converts:
            return [self._converted(row) for row in rows]
        return rows

    def arguments(self, parameters: dict[str, Any] | None) -> Sequence[Any]:
        values = self._compiled.construct_params(parameters)
        if not self._binds_convert:
            return list(map(values.__getitem__, self._names))
        return [
            value if process is None else process(value)
            for process, value in zip(
                self._binds, map(values.__getitem__, self._names), strict=True
            )
        ]

    def _converted(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            value if process is None else process(value)
            for process, value in zip(self._results, row, strict=True)
        )
