"""The secrets key against the database: made at the first start, checked at every start,
and rotated by the operator (``hubindex secrets``). Synchronous: it runs before a process
serves, and in operator commands.

The database keeps one known text sealed with the key (``secrets_key_check``): a process whose
key file opens it not refuses to start, also before any hook exists, so that two processes of
one PostgreSQL database never seal with keys the other cannot open.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Table, Update, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import NullPool

from server.settings import Settings
from server.storage.engines import sync_engine
from server.storage.tables import SecretsKeyCheck, WebhookDelivery, WebhookHook
from server.webhooks.sealing import (
    SETTING,
    Sealer,
    SecretsKeyError,
    is_plain,
    key_file_path,
    new_key,
    write_keys,
)
from server.webhooks.signing import SECRET_PREFIX

logger = logging.getLogger("hubindex")

CHECK_TEXT = "hubindex secrets key check"
BATCH = 1000  # rows sealed again per transaction
_check = SecretsKeyCheck.__table__
_SEALED_TABLES = (WebhookHook.__table__, WebhookDelivery.__table__)
_CHECK = select(_check.c.sealed).where(_check.c.id == 1)
_SET_CHECK = update(_check).where(_check.c.id == 1)


@dataclass(frozen=True, slots=True)
class Resealed:
    path: Path
    secrets: int
    keys_dropped: int = 0
    unopened: int = 0  # secrets no key of the file opens (left as they are)


def prepare(settings: Settings) -> Sealer:
    """This process's sealer, checked against the database (SecretsKeyError, in words an
    operator can act on, when it does not fit); the key file made if it is missing and the
    database has sealed nothing yet; secrets still stored plain sealed."""
    path = key_file_path(settings)
    engine = sync_engine(settings.database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            stored = connection.scalar(_CHECK)
            sealer = _sealer(path, made_if_missing=stored is None)
            if stored is None:
                stored = _write_check(connection, sealer)
            if not sealer.opens(stored):
                raise SecretsKeyError(_wrong_key(path))
            sealed = _seal_plain(connection, sealer)
    finally:
        engine.dispose()
    if sealed:
        logger.info("sealed %d webhook secrets stored before they were sealed", sealed)
    return sealer


def unchecked(settings: Settings) -> Sealer:
    """The key file's sealer (the file made if missing), not checked against the database."""
    return _sealer(key_file_path(settings), made_if_missing=True)


def rotate(settings: Settings) -> Resealed:
    """A new first key in the key file (the others kept, to open what was sealed with them),
    and every secret sealed again with it."""
    path = key_file_path(settings)
    keys = prepare(settings).keys
    write_keys(path, [new_key(), *keys], replace=True)
    return reseal(settings)


def reseal(settings: Settings, *, drop_old_keys: bool = False) -> Resealed:
    """Every stored secret sealed again with the key file's first key, ``BATCH`` rows a
    transaction (so a server sharing SQLite's write lock waits for none long; a row left
    sealed with an older key meanwhile is still opened by it); ``drop_old_keys``: then only
    that key is left in the file. A secret no key opens is left as it is, and counted."""
    path = key_file_path(settings)
    sealer = prepare(settings)
    engine = sync_engine(settings.database_url, poolclass=NullPool)
    count = unopened = 0
    try:
        for table in _SEALED_TABLES:
            after = -1
            while True:
                with engine.begin() as connection:
                    rows = connection.execute(
                        select(table.c.id, table.c.secret)
                        .where(table.c.id > after)
                        .order_by(table.c.id)
                        .limit(BATCH)
                    ).all()
                    changed = []
                    for id_, old in rows:
                        try:
                            changed.append({"row": id_, "sealed": sealer.reseal(old)})
                        except SecretsKeyError:
                            unopened += 1
                    if changed:
                        connection.execute(_resealing(table), changed)
                count += len(changed)
                if len(rows) < BATCH:
                    break
                after = rows[-1][0]
        with engine.begin() as connection:
            stored = connection.scalar(_CHECK)
            resealed_check = {"sealed": sealer.reseal(stored), "sealed_at": datetime.now(UTC)}
            connection.execute(_SET_CHECK.values(**resealed_check))
    finally:
        engine.dispose()
    dropped = 0
    if drop_old_keys and len(sealer.keys) > 1:
        write_keys(path, sealer.keys[:1], replace=True)
        dropped = len(sealer.keys) - 1
    return Resealed(path, count, dropped, unopened)


def _sealer(path: Path, *, made_if_missing: bool) -> Sealer:
    if path.exists() or not made_if_missing:
        if not path.exists():
            raise SecretsKeyError(
                f"the secrets key file {path} does not exist, and the database's webhook"
                " secrets are sealed with a key: copy there the key file its other processes"
                f" use (or name it with {SETTING})"
            )
        return Sealer.of_file(path)
    try:
        write_keys(path, [new_key()], replace=False)
        logger.info("made the secrets key file %s (keep a copy apart from backups)", path)
    except FileExistsError:
        pass  # another process made it first: use that one
    except OSError as error:
        raise SecretsKeyError(
            f"cannot make the secrets key file {path}: {error.strerror} (name another with"
            f" {SETTING})"
        ) from None
    return Sealer.of_file(path)


def _write_check(connection: Connection, sealer: Sealer) -> str:
    """The check row, sealed with this key unless another process wrote one first; the row
    as it now is."""
    values = {"id": 1, "sealed": sealer.seal(CHECK_TEXT), "sealed_at": datetime.now(UTC)}
    dialect = connection.dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if dialect in ("postgresql", "sqlite"):
        connection.execute(upsert(_check).values(values).on_conflict_do_nothing())
    else:
        connection.execute(insert(_check).values(values))
    return str(connection.scalar(_CHECK))


def _seal_plain(connection: Connection, sealer: Sealer) -> int:
    count = 0
    for table in _SEALED_TABLES:
        plain_ones = table.c.secret.startswith(SECRET_PREFIX, autoescape=True)
        rows = connection.execute(select(table.c.id, table.c.secret).where(plain_ones)).all()
        plain = [{"row": id_, "sealed": sealer.seal(old)} for id_, old in rows if is_plain(old)]
        if plain:
            connection.execute(_resealing(table), plain)
        count += len(plain)
    return count


def _resealing(table: Table) -> Update:
    return update(table).where(table.c.id == bindparam("row")).values(secret=bindparam("sealed"))


def _wrong_key(path: Path) -> str:
    return (
        f"the secrets key file {path} does not open the database's webhook secrets: they"
        " were sealed with another key. Use the key file the database's other processes use"
        f" (or name it with {SETTING}); a key rotated out stays in the file until every"
        " secret is sealed again"
    )
