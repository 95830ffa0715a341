"""``hubindex backup`` and ``restore``: SQLite's online backup API; pg_dump for PostgreSQL.

A backup reads the database in one read transaction (WAL mode lets the server write on
meanwhile), so the copy is the database as of one moment. A restore copies a backup over the
database the same way, in one write transaction; the server should be stopped first, since
what it holds in memory (a token signing key, caches) may belong to the database it replaced.
"""

import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from server.errors import BackupError
from server.settings import mask_password
from server.storage.engines import COMMAND_BUSY_TIMEOUT_MS, parse_url


def backup(database_url: str, target: str) -> str:
    """Copy the database to the new file ``target``; what was done, as a sentence."""
    source = _sqlite_target(
        database_url,
        lambda libpq: (
            "PostgreSQL is backed up with its own tool: pg_dump --format=custom"
            f" --file={target} '{libpq}' (restore with pg_restore --clean --dbname=...)"
        ),
    )
    path = Path(target)
    if path.exists():
        raise BackupError(f"{target} exists: name a new file")
    partial = path.with_name(f".{path.name}.partial")
    try:
        _copy(source, partial)
        os.replace(partial, path)
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot back up {source} to {target}: {error}") from None
    return f"backed up {source} to {target} ({path.stat().st_size} bytes)"


def restore(database_url: str, backup_path: str) -> str:
    """Replace the database's content with the backup at ``backup_path``."""
    target = _sqlite_target(
        database_url,
        lambda libpq: (
            "PostgreSQL is restored with its own tool: pg_restore --clean"
            f" --dbname='{libpq}' {backup_path}"
        ),
    )
    try:
        _copy(backup_path, target, hubindex_only=True)
    except (sqlite3.Error, OSError) as error:
        raise BackupError(f"cannot restore {backup_path}: {error}") from None
    return f"restored {target} from {backup_path}"


def _sqlite_target(database_url: str, postgresql: Callable[[str], str]) -> str:
    """The SQLite database's file; for PostgreSQL, ``postgresql(URL as pg_dump takes it)`` is
    the refusal, naming the tool to use instead."""
    url = parse_url(database_url, asynchronous=False)
    if url.get_backend_name() != "sqlite":
        # No SQLAlchemy driver in it, and the password masked.
        libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
        raise BackupError(postgresql(mask_password(libpq)))
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore")
    return url.database


def _copy(origin: str | Path, target: str | Path, *, hubindex_only: bool = False) -> None:
    """Copy the SQLite database ``origin`` over ``target`` (made if missing), consistently."""
    with _connect(origin) as source:
        if hubindex_only:
            _check_is_hubindex(source, origin)
        with _connect(target, create=True) as copy:
            source.backup(copy)


def _check_is_hubindex(connection: sqlite3.Connection, path: str | Path) -> None:
    try:
        connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        raise BackupError(f"{path} is not a hubindex database") from None


def _connect(path: str | Path, *, create: bool = False) -> closing[sqlite3.Connection]:
    """A connection closed at the end of the ``with`` (sqlite3's own would only commit)."""
    if not create and not Path(path).is_file():
        raise BackupError(f"{path}: no such file")
    return closing(sqlite3.connect(path, timeout=COMMAND_BUSY_TIMEOUT_MS / 1000))
