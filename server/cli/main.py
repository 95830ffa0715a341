"""The ``hubindex`` command: parse the command line, run the command, report a failure in one
line. The commands are in modules of their own: ``serve``, ``database`` (migrations, backup,
restore) and ``users``."""

import argparse
import logging.config
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

from server.cli import database, serve, users
from server.cli.report import fail
from server.errors import HubIndexError
from server.logs import logging_config
from server.settings import ENV_PREFIX, ConfigurationError, Settings, load_settings, masked
from server.storage.engines import DatabaseURLError
from server.version import VERSION


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        if getattr(args, "log_format", None):
            settings = settings.model_copy(update={"log_format": args.log_format})
        logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
        return args.run(args, settings)
    except ConfigurationError as error:
        return fail(f"configuration error: {error}", 2)
    except (HubIndexError, DatabaseURLError) as error:
        return fail(str(error), 1)
    except DBAPIError as error:
        return fail(f"database error: {str(error.orig).splitlines()[0]}", 1)


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="hubindex",
        description="A self-hostable Docker Hub v1 index. Configured by HUBINDEX_* environment"
        " variables (see README); the database is HUBINDEX_DATABASE_URL.",
    )
    command.add_argument("--version", action="version", version=f"hubindex {VERSION}")
    commands = command.add_subparsers(title="commands", required=True, metavar="COMMAND")
    serve.add_commands(commands)
    config = commands.add_parser("config", help="print the effective configuration, secrets masked")
    config.set_defaults(run=_config)
    database.add_commands(commands)
    users.add_commands(commands)
    return command


def _config(_args: argparse.Namespace, settings: Settings) -> int:
    for name, value in masked(settings).items():
        print(f"{ENV_PREFIX}{name.upper()}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
