"""``hubindex db upgrade``, ``backup`` and ``restore``: the database's schema and copies."""

import argparse

from server.cli import backups
from server.cli.report import Commands, say
from server.settings import Settings
from server.storage.migrations import upgrade


def add_commands(commands: Commands) -> None:
    db = commands.add_parser("db", help="the database").add_subparsers(
        title="commands", required=True, metavar="COMMAND"
    )
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(run=_upgrade)

    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database to a new file, consistently, while it is served"
        " (PostgreSQL: prints the pg_dump command to use)",
    )
    backup.add_argument("path", help="the file to write; it must not exist")
    backup.set_defaults(run=_backup)
    restore = commands.add_parser(
        "restore",
        help="replace the SQLite database with a backup, then apply pending migrations"
        " (stop hubindex serve first)",
    )
    restore.add_argument("path", help="a file `hubindex backup` wrote")
    restore.set_defaults(run=_restore)


def _upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    if not _apply_migrations(settings):
        say("the database is up to date: no migration was pending")
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    say(backups.backup(settings.database_url, args.path))
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    say(backups.restore(settings.database_url, args.path))
    _apply_migrations(settings)
    return 0


def _apply_migrations(settings: Settings) -> list[str]:
    applied = upgrade(settings.database_url)
    for migration in applied:
        say(f"applied migration {migration}")
    return applied
