"""Build a benchmark database fast: the migrated schema, then bulk inserts.

    scripts/bench seed --size 1000000                       SQLite, into the cache
    scripts/bench seed --size 1000 --out /tmp/bench.db      SQLite, to a file
    scripts/bench seed --size 1000 --postgres-url URL       into an existing, empty database

SQLite: ``executemany`` inside one transaction (journal off while loading). PostgreSQL: ``COPY``
through psycopg. The schema is made by the project's own migrations (``hubindex db upgrade``),
and the benchmark user by the operator command's code, so both stay the server's. The rows go
in before the search indexes' migration, which then builds them from the rows (several times
faster than keeping them up to date row by row).
SQLite databases are cached (see paths.py: ``~/.cache/hubindex-bench``), keyed by size and by
the sources that shape them (``_KEY_SOURCES``: this file, data.py, the tables, the migrations,
and the code that writes the benchmark user): checkouts and worktrees of other code share the
folder, each with seeds of its own key. A seed of another key is removed when it has not been
used for ``STALE_AFTER_SECONDS`` (another checkout may be using it now); each run builds into
a file of its own, renamed into place when complete.
"""

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

from bench import data
from bench.paths import CACHE, ROOT

_BATCH = 50_000
_BEFORE_SEARCH_INDEXES = "0002"  # the migration before 0003_search_index
_KEY_SOURCES = (
    Path(__file__),
    Path(data.__file__),
    ROOT / "server" / "storage" / "tables.py",
    ROOT / "server" / "storage" / "migrations",
    # The benchmark user is made by the operator command's code: its row and password hash.
    ROOT / "server" / "cli" / "accounts.py",
    ROOT / "server" / "services" / "accounts.py",
    ROOT / "server" / "services" / "passwords.py",
)
STALE_AFTER_SECONDS = 24 * 3600  # a seed of another key, unused this long, is removed


@dataclass(frozen=True, slots=True)
class Seeded:
    """A seeded database and what building it cost."""

    size: int
    url: str  # SQLAlchemy URL
    seconds: float  # time to build it (when it came from the cache: when it was built)
    cached: bool  # taken from the cache in this run


def cache_key() -> str:
    """A hash of every source that shapes a seed: its path in the checkout and its bytes."""
    digest = hashlib.sha256()
    for source in _KEY_SOURCES:
        files = sorted(source.rglob("*.py")) if source.is_dir() else [source]
        for file in files:
            digest.update(f"{file.relative_to(ROOT)}".encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:12]


def sqlite_cached(size: int, *, refresh: bool = False, log: bool = True) -> Seeded:
    """The cached SQLite database of ``size`` repositories, seeded first when missing."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = cache_key()
    path = CACHE / f"sqlite-{size}-{key}.db"
    meta = path.with_suffix(".json")
    _remove_stale(size, keep=key)
    if path.exists() and meta.exists() and not refresh:
        built = json.loads(meta.read_text())
        os.utime(meta)  # used now: no other checkout removes it for a day
        return Seeded(size, f"sqlite:///{path}", built["seconds"], cached=True)
    # Files of this process's own: another run may be seeding the same key at once.
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial_meta = meta.with_name(f"{meta.name}.{os.getpid()}.partial")
    if log:
        print(f"bench: seeding {size:,} repositories (SQLite) ...", file=sys.stderr, flush=True)
    try:
        partial.unlink(missing_ok=True)
        seconds = seed_sqlite(partial, size)
        seeded = Seeded(size, f"sqlite:///{path}", seconds, cached=False)
        os.replace(partial, path)
        partial_meta.write_text(json.dumps(asdict(seeded)))
        os.replace(partial_meta, meta)
    finally:
        partial.unlink(missing_ok=True)
        partial_meta.unlink(missing_ok=True)
    if log:
        print(f"bench: seeded {size:,} repositories in {seconds:.1f} s", file=sys.stderr)
    return seeded


def _remove_stale(size: int, *, keep: str) -> None:
    """Remove the seeds of ``size`` and another key, and partial files (of any key), left
    unused for ``STALE_AFTER_SECONDS``: a seed is used when its ``.json`` is touched."""
    now = time.time()
    stale: list[Path] = []
    for file in CACHE.glob(f"sqlite-{size}-*"):
        partial = file.name.endswith(".partial")
        if file.name.startswith(f"sqlite-{size}-{keep}.") and not partial:
            continue
        used = file if partial else file.with_suffix(".json")
        try:
            since = (used if used.exists() else file).stat().st_mtime
        except FileNotFoundError:  # removed meanwhile, by another run
            continue
        if now - since > STALE_AFTER_SECONDS:
            stale.append(file)
    for file in stale:  # after every age was read: a seed's .json dates its .db too
        file.unlink(missing_ok=True)


def copy_sqlite(seeded: Seeded, target: Path) -> str:
    """A fresh copy of a cached SQLite database; its URL."""
    shutil.copyfile(seeded.url.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


def seed_sqlite(path: Path, size: int) -> float:
    """Create ``path`` with the migrated schema and ``size`` repositories; seconds taken."""
    from server.storage.migrations import upgrade

    started = time.perf_counter()
    url = f"sqlite:///{path}"
    upgrade(url, _BEFORE_SEARCH_INDEXES)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("BEGIN")
        for batch in _batches(data.repositories(size)):
            connection.executemany(
                "INSERT INTO repositories (id, namespace, name, description, created_at)"
                " VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)",
                batch,
            )
        _insert_bench_repositories_sqlite(connection, size)
        connection.execute("COMMIT")
    finally:
        connection.close()
    upgrade(url)
    _create_bench_user(url)  # as the current schema has accounts (migration 0012: namespaces)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = DELETE")
    finally:
        connection.close()
    return time.perf_counter() - started


def _insert_bench_repositories_sqlite(connection: sqlite3.Connection, size: int) -> None:
    for repository, images in _bench_repositories(size):
        connection.execute(
            "INSERT INTO repositories (id, namespace, name, description, created_at)"
            " VALUES (?, ?, ?, '', CURRENT_TIMESTAMP)",
            repository,
        )
        connection.executemany(
            "INSERT INTO images (repository_id, image_id, checksum) VALUES (?, ?, ?)", images
        )


def _bench_repositories(
    size: int,
) -> Iterator[tuple[tuple[int, str, str], list[tuple[int, str, str]]]]:
    """The benchmark user's repositories, after the ``size`` others: each one's row (id,
    namespace, name) and its images' rows (repository id, image id, checksum)."""
    for offset, name in enumerate((data.READ_REPOSITORY, data.WRITE_REPOSITORY), start=1):
        repository_id = size + offset
        images = [(repository_id, image, checksum) for image, checksum in data.images(name)]
        yield (repository_id, data.BENCH_USER, name), images


def seed_postgresql(url: str, size: int) -> float:
    """Migrate the empty database at ``url`` and COPY ``size`` repositories in; seconds taken."""
    import psycopg

    from server.storage.migrations import upgrade

    started = time.perf_counter()
    upgrade(url, _BEFORE_SEARCH_INDEXES)
    with psycopg.connect(libpq_url(url)) as connection, connection.cursor() as cursor:
        columns = "repositories (id, namespace, name, description)"
        with cursor.copy(f"COPY {columns} FROM STDIN") as copy:
            for batch in _batches(data.repositories(size)):
                copy.write("".join(f"{i}\t{ns}\t{n}\t{d}\n" for i, ns, n, d in batch))
        for repository, images in _bench_repositories(size):
            cursor.execute(
                "INSERT INTO repositories (id, namespace, name, description)"
                " VALUES (%s, %s, %s, '')",
                repository,
            )
            cursor.executemany(
                "INSERT INTO images (repository_id, image_id, checksum) VALUES (%s, %s, %s)", images
            )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('repositories', 'id'),"
            " (SELECT max(id) FROM repositories))"
        )
    upgrade(url)
    _create_bench_user(url)  # as the current schema has accounts (migration 0012: namespaces)
    # Autovacuum would analyze the new rows soon anyway; do it now, not during a measurement.
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def libpq_url(url: str) -> str:
    """A SQLAlchemy ``postgresql+psycopg://`` URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _create_bench_user(url: str) -> None:
    """The benchmark user, made as ``hubindex users create`` makes it (default argon2 costs)."""
    from server.cli.accounts import create_user
    from server.settings import Settings

    settings = Settings(database_url=url, email_confirmation="off")
    create_user(settings, data.BENCH_USER, data.BENCH_EMAIL, data.BENCH_PASSWORD, False)


def _batches(
    rows: Iterable[tuple[int, str, str, str]],
) -> Iterator[list[tuple[int, str, str, str]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench seed", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="number of repositories")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--out", type=Path, help="SQLite file to write (default: the cache)")
    target.add_argument("--postgres-url", help="an existing empty PostgreSQL database")
    parser.add_argument("--refresh", action="store_true", help="rebuild even if cached")
    args = parser.parse_args(argv)
    if args.size < 1:
        parser.error("--size must be at least 1")
    if args.postgres_url:
        seconds = seed_postgresql(args.postgres_url, args.size)
        where = args.postgres_url
    elif args.out:
        if args.out.exists():
            parser.error(f"{args.out} exists; choose a new file")
        seconds = seed_sqlite(args.out, args.size)
        where = str(args.out)
    else:
        seeded = sqlite_cached(args.size, refresh=args.refresh, log=False)
        seconds, where = seeded.seconds, seeded.url.removeprefix("sqlite:///")
        if seeded.cached:
            print(f"bench seed: cached (built in {seconds:.1f} s): {where}")
            return 0
    print(f"bench seed: {args.size:,} repositories in {seconds:.1f} s: {where}")
    return 0
