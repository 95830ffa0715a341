"""Fresh databases for one benchmark run, on SQLite or PostgreSQL, removed afterwards."""

import secrets
import sys
import tempfile
from itertools import count
from pathlib import Path
from typing import Protocol

from bench import seed
from bench.seed import Seeded


class Databases(Protocol):
    backend: str

    def seeded(self, size: int) -> Seeded:
        """A fresh database of ``size`` repositories (and the benchmark user), for this run."""

    def empty(self) -> str:
        """The URL of a fresh empty database: ``hubindex serve`` migrates it."""

    def close(self) -> None:
        """Remove every database made."""


class SQLiteDatabases:
    """Copies of the cached seeded files (so every run starts from the same bytes)."""

    backend = "sqlite"

    def __init__(self, *, refresh: bool) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="hubindex-bench-")
        self._refresh = refresh
        self._count = count(1)

    @property
    def directory(self) -> Path:
        return Path(self._dir.name)

    def seeded(self, size: int) -> Seeded:
        cached = seed.sqlite_cached(size, refresh=self._refresh)
        url = seed.copy_sqlite(cached, self.directory / f"seeded-{size}.db")
        return Seeded(size, url, cached.seconds, cached.cached)

    def empty(self) -> str:
        return f"sqlite:///{self.directory / f'empty-{next(self._count)}.db'}"

    def close(self) -> None:
        self._dir.cleanup()


class PostgreSQLDatabases:
    """New databases on the server of ``admin_url`` (a user that may create databases),
    seeded by COPY in this run, and dropped in ``close``."""

    backend = "postgresql"

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy.engine import make_url

        self._admin = make_url(admin_url)
        self._prefix = f"hubindex_bench_{secrets.token_hex(3)}"
        self._made: list[str] = []
        self._count = count(1)

    def _create(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self._libpq(self._admin.database), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self._made.append(name)
        return self._admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )

    def _libpq(self, database: str | None) -> str:
        return seed.libpq_url(
            self._admin.set(drivername="postgresql+psycopg", database=database).render_as_string(
                hide_password=False
            )
        )

    def seeded(self, size: int) -> Seeded:
        url = self._create(f"{self._prefix}_{size}")
        print(f"bench: seeding {size:,} repositories (PostgreSQL COPY) ...", file=sys.stderr)
        seconds = seed.seed_postgresql(url, size)
        print(f"bench: seeded {size:,} repositories in {seconds:.1f} s", file=sys.stderr)
        return Seeded(size, url, seconds, cached=False)

    def empty(self) -> str:
        return self._create(f"{self._prefix}_empty{next(self._count)}")

    def close(self) -> None:
        import psycopg

        with psycopg.connect(self._libpq(self._admin.database), autocommit=True) as connection:
            for name in self._made:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._made.clear()
