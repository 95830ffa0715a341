"""``hubindex db upgrade``, ``backup`` and ``restore``: the database's schema and copies.

Each imports its work (Alembic, SQLAlchemy) when it runs, not when the command line is parsed."""

import argparse
from typing import TYPE_CHECKING

from server.cli.report import Commands, say

if TYPE_CHECKING:
    from server.settings import Settings


def add_commands(commands: Commands) -> None:
    db = commands.add_parser("db", help="the database").add_subparsers(
        title="commands", required=True, metavar="COMMAND"
    )
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(run=_upgrade)

    for name, text, path, run in (
        (
            "backup",
            "copy the SQLite database to a new file, consistently, while it is served"
            " (PostgreSQL: prints the pg_dump command to use)",
            "the file to write; it must not exist",
            _backup,
        ),
        (
            "restore",
            "replace the SQLite database with a backup, then apply pending migrations"
            " (stop hubindex serve first)",
            "a file `hubindex backup` wrote",
            _restore,
        ),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("path", help=path)
        command.set_defaults(run=run)


def _upgrade(_args: argparse.Namespace, settings: "Settings") -> int:
    if not _apply_migrations(settings):
        say("the database is up to date: no migration was pending")
    return 0


def _backup(args: argparse.Namespace, settings: "Settings") -> int:
    from server.cli import backups

    say(backups.backup(settings.database_url, args.path))
    return 0


def _restore(args: argparse.Namespace, settings: "Settings") -> int:
    from server.cli import backups

    say(backups.restore(settings.database_url, args.path))
    _apply_migrations(settings)
    return 0


def _apply_migrations(settings: "Settings") -> list[str]:
    """Pending migrations, then the secrets key checked against the database (and secrets a
    hubindex before 0018 wrote plain, sealed: a migration is not given the key)."""
    from server.services import secrets_key
    from server.storage.migrations import upgrade

    applied = upgrade(settings.database_url)
    for migration in applied:
        say(f"applied migration {migration}")
    secrets_key.prepare(settings)
    return applied
