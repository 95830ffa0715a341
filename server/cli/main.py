"""The ``hubindex`` command: parse the command line, run the command, report a failure in one
line. The commands are in modules of their own: ``serve_options`` (``serve``, whose work is
``serve``), ``database`` (migrations, backup, restore), ``users``, ``orgs``, ``images``,
``audit`` and ``keys`` (``secrets``).

Only the command line is imported to parse it: a command imports what it needs when it runs
(the app, SQLAlchemy, Alembic), so ``--help`` and ``--version`` answer at once, and a
command that does not serve loads none of the request path."""

import argparse
import logging.config
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.cli import audit, database, images, keys, orgs, serve_options, users
from server.cli.report import fail
from server.version import VERSION

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

    from server.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from server.errors import HubIndexError
    from server.logs import logging_config
    from server.settings import ConfigurationError, load_settings

    try:
        settings = load_settings()
        if getattr(args, "log_format", None):
            settings = settings.model_copy(update={"log_format": args.log_format})
        logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
        return args.run(args, settings)
    except ConfigurationError as error:
        return fail(f"configuration error: {error}", 2)
    except HubIndexError as error:
        return fail(str(error), 1)
    # An except clause names its classes only when an exception reaches it: SQLAlchemy is
    # imported by the commands that use a database, not for ``config``.
    except _database_url_error() as error:
        return fail(str(error), 1)
    except _database_error() as error:
        return fail(f"database error: {str(error.orig).splitlines()[0]}", 1)


def _database_url_error() -> type[Exception]:
    from server.storage.engines import DatabaseURLError

    return DatabaseURLError


def _database_error() -> "type[DBAPIError]":
    from sqlalchemy.exc import DBAPIError

    return DBAPIError


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="hubindex",
        description="A self-hostable Docker Hub v1 index. Configured by HUBINDEX_* environment"
        " variables (see README); the database is HUBINDEX_DATABASE_URL.",
    )
    command.add_argument("--version", action="version", version=f"hubindex {VERSION}")
    commands = command.add_subparsers(title="commands", required=True, metavar="COMMAND")
    serve_options.add_commands(commands)
    config = commands.add_parser("config", help="print the effective configuration, secrets masked")
    config.set_defaults(run=_config)
    database.add_commands(commands)
    users.add_commands(commands)
    orgs.add_commands(commands)
    images.add_commands(commands)
    audit.add_commands(commands)
    keys.add_commands(commands)
    return command


def _config(_args: argparse.Namespace, settings: "Settings") -> int:
    from server.settings import ENV_PREFIX, masked

    for name, value in masked(settings).items():
        print(f"{ENV_PREFIX}{name.upper()}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
