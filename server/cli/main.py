"""The ``hubindex`` command: serve the index, migrate its database, manage accounts."""

import argparse
import errno
import logging
import logging.config
import os
import resource
import socket
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import uvicorn
from sqlalchemy.exc import DBAPIError

from generated import models
from server.cli import accounts, backups
from server.errors import HubIndexError
from server.handlers.call import BodyRules
from server.http.connections import BoundedHttpToolsProtocol
from server.http.responses import error_response
from server.logs import logging_config
from server.settings import (
    ENV_PREFIX,
    ConfigurationError,
    Settings,
    check_mail_links,
    load_settings,
    masked,
)
from server.spec import freshness, proof
from server.spec.checkout import ROOT, is_checkout
from server.storage.engines import DatabaseURLError, parse_url
from server.storage.migrations import pending, upgrade
from server.version import VERSION

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send


logger = logging.getLogger("hubindex")


class UsageError(Exception):
    """A command-line value is invalid."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if getattr(args, "log_format", None):
            settings = settings.model_copy(update={"log_format": args.log_format})
        logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
        return args.run(args, settings)
    except ConfigurationError as error:
        return _fail(f"configuration error: {error}", 2)
    except (UsageError, HubIndexError, DatabaseURLError) as error:
        return _fail(str(error), 1)
    except DBAPIError as error:
        return _fail(f"database error: {str(error.orig).splitlines()[0]}", 1)


def _fail(message: str, status: int) -> int:
    print(f"hubindex: {message}", file=sys.stderr)
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubindex",
        description="A self-hostable Docker Hub v1 index. Configured by HUBINDEX_* environment"
        " variables (see README); the database is HUBINDEX_DATABASE_URL.",
    )
    parser.add_argument("--version", action="version", version=f"hubindex {VERSION}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the index over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=5000, help="port to listen on (5000)")
    serve.add_argument(
        "--no-migrate",
        action="store_true",
        help="do not apply pending database migrations at start (refuse to start instead)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (1); more than one needs PostgreSQL, where they share the work",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="ADDRESSES",
        help="comma-separated addresses (or *) of the proxies whose X-Forwarded-For and"
        " X-Forwarded-Proto are trusted; the client address, which the login limits count"
        " by, is then the one the proxy names (uvicorn's option; default: 127.0.0.1,::1,"
        " or $FORWARDED_ALLOW_IPS)",
    )
    serve.add_argument(
        "--log-format",
        choices=["text", "json"],
        help="one readable line, or one JSON object, per log event (HUBINDEX_LOG_FORMAT)",
    )
    serve.add_argument(
        "--reload",
        action="store_true",
        help="for development: serve again, in a new process, after each change of server/,"
        " generated/ or the spec (one worker)",
    )
    serve.set_defaults(run=_serve)

    config = commands.add_parser("config", help="print the effective configuration, secrets masked")
    config.set_defaults(run=_config)

    db = commands.add_parser("db", help="the database").add_subparsers(
        title="commands", required=True, metavar="COMMAND"
    )
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(run=_db_upgrade)

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

    users = commands.add_parser("users", help="accounts").add_subparsers(
        title="commands", required=True, metavar="COMMAND"
    )
    create = users.add_parser("create", help="create an active account")
    create.add_argument("name", help="the username")
    create.add_argument("--email", required=True, help="the account's email address")
    create.add_argument(
        "--admin",
        action="store_true",
        help="an administrator: may change library repositories and any namespace",
    )
    create.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    create.set_defaults(run=_users_create)
    activate = users.add_parser("activate", help="activate an account without its mailed code")
    activate.add_argument("name", help="the username")
    activate.set_defaults(run=_users_activate)
    users.add_parser("list", help="every account, one a line").set_defaults(run=_users_list)
    for name, run, text in (
        ("show", _users_show, "an account: addresses, state, role, repositories"),
        ("disable", _users_disable, "refuse the account's logins and tokens, at once"),
        ("enable", _users_enable, "accept a disabled account again (it is active then)"),
        ("delete", _users_delete, "delete an account that owns no repositories"),
    ):
        command = users.add_parser(name, help=text)
        command.add_argument("name", help="the username")
        command.set_defaults(run=run)
    password = users.add_parser("set-password", help="replace an account's password")
    password.add_argument("name", help="the username")
    password.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    password.set_defaults(run=_users_set_password)
    return parser


# What `hubindex serve --reload` watches: what a handler edit and scripts/generate write. Not
# the spec: until it is generated again, the tree made from it before is the one to serve.
RELOAD_DIRS = ("server", "generated")
RELOAD_INCLUDES = ("*.py", "sources.sha256")


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.reload and args.workers > 1:
        raise UsageError("--reload serves with one worker: leave out --workers or --reload")
    _refuse_stale_tree()
    check_mail_links(settings)
    if (
        args.workers > 1
        and parse_url(settings.database_url, asynchronous=False).get_backend_name() == "sqlite"
    ):
        raise UsageError(
            f"--workers {args.workers}: SQLite is served by one process; use --workers 1, or"
            " PostgreSQL (HUBINDEX_DATABASE_URL=postgresql+psycopg://...) for several"
        )
    if args.workers > 1 and settings.metrics_port is not None:
        raise UsageError(
            "HUBINDEX_METRICS_PORT serves one process's metrics: use --workers 1, or run one"
            " hubindex serve per port behind the load balancer"
        )
    _refuse_taken_address(args.host, args.port)
    if args.no_migrate:
        if pending(settings.database_url):
            raise UsageError("the database needs migrations: run `hubindex db upgrade`")
    else:
        for migration in upgrade(settings.database_url):
            logger.info("applied migration %s", migration)
    _fit_open_files(settings.max_connections)
    os.environ[f"{ENV_PREFIX}LOG_FORMAT"] = settings.log_format  # for the app's own factory
    factory = "create_app_for_reload" if args.reload else "create_app_for_uvicorn"
    uvicorn.run(
        f"server.cli.main:{factory}",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        # uvicorn warns about reload options without --reload: None then.
        reload_dirs=[str(ROOT / name) for name in RELOAD_DIRS] if args.reload else None,
        reload_includes=list(RELOAD_INCLUDES) if args.reload else None,
        log_config=logging_config(settings.log_level, settings.log_format),
        access_log=False,  # hubindex writes its own line per request, with the user
        timeout_graceful_shutdown=30,
        forwarded_allow_ips=args.forwarded_allow_ips,  # None: uvicorn's default
        # httptools' protocol with bounded heads, deadlines and connection caps (the
        # HUBINDEX_* settings read in each worker).
        http=BoundedHttpToolsProtocol,
    )
    return 0


# Files a process opens besides its connections: the database, logs, the metrics port, argon2.
SPARE_FILES = 256


def _fit_open_files(max_connections: int) -> None:
    """Raises the process's soft open-file limit to hold HUBINDEX_MAX_CONNECTIONS, or refuses
    to start: past the limit, accept() fails and the connection cap is never reached."""
    needed = max_connections + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise UsageError(
                f"HUBINDEX_MAX_CONNECTIONS={max_connections} needs {needed} open files and the"
                f" hard limit is {hard}: lower it, or raise the limit (ulimit -Hn)"
            )
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def _refuse_taken_address(host: str, port: int) -> None:
    """Bind where uvicorn will (with its SO_REUSEADDR), so that an address in use or not
    this machine's is one line now rather than uvicorn's error and exit status 3 later."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:  # socket.gaierror included
        reason = "it is in use" if error.errno == errno.EADDRINUSE else error.strerror
        raise UsageError(f"cannot listen on {host}:{port}: {reason}") from None
    except OverflowError:
        raise UsageError(f"cannot listen on {host}:{port}: no such port") from None


def create_app_for_uvicorn() -> "ASGIApp":
    """The factory uvicorn calls in each worker process."""
    stale = _stale_tree()
    if stale is not None:
        sys.exit(_fail(stale, 1))
    return _app()


def create_app_for_reload() -> "ASGIApp":
    """The factory ``--reload`` calls again after each change.

    Should the tree be stale by then (the spec edited and not generated again when a handler
    changed), requests are answered 503 with what is stale, until scripts/generate's change
    restarts it: a process that exited would leave them waiting on the reloader's socket.
    """
    stale = _stale_tree()
    if stale is None:
        return _app()
    _fail(stale, 1)
    return _unavailable(stale)


def _app() -> "ASGIApp":
    from server.app import create_app_from_environment  # Connexion: only when serving

    return create_app_from_environment()


def _refuse_stale_tree() -> None:
    stale = _stale_tree()
    if stale is not None:
        raise UsageError(stale)


def _stale_tree() -> str | None:
    """A tree whose glue does not match the spec would answer every request with a 500."""
    stale = freshness.stale()
    if stale is not None:
        if is_checkout():
            return f"generated/ is stale: {stale}; run scripts/generate"
        return f"the installed package is damaged: {stale}; install hubindex again"
    if not is_checkout():
        return None  # the proof reads the handlers' source: only a checkout has it
    misfits = proof.problems(ROOT, proof.generated_files(ROOT / freshness.GENERATED))
    if misfits:
        more = f" (and {len(misfits) - 1} more)" if len(misfits) > 1 else ""
        return f"generated/ does not fit the handlers: {misfits[0]}{more}"
    return None


def _unavailable(message: str) -> "ASGIApp":
    async def app(scope: "Scope", receive: "Receive", send: "Send") -> None:
        if scope["type"] == "http":
            await error_response(503, message)(scope, receive, send)
        elif scope["type"] == "lifespan":
            while (event := await receive())["type"] != "lifespan.shutdown":
                await send({"type": f"{event['type']}.complete"})
            await send({"type": "lifespan.shutdown.complete"})

    return app


def _config(_args: argparse.Namespace, settings: Settings) -> int:
    for name, value in masked(settings).items():
        print(f"{ENV_PREFIX}{name.upper()}={value}")
    return 0


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    applied = upgrade(settings.database_url)
    for migration in applied:
        print(f"hubindex: applied migration {migration}")
    if not applied:
        print("hubindex: the database is up to date: no migration was pending")
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    print(f"hubindex: {backups.backup(settings.database_url, args.path)}")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    print(f"hubindex: {backups.restore(settings.database_url, args.path)}")
    for migration in upgrade(settings.database_url):
        print(f"hubindex: applied migration {migration}")
    return 0


def _users_create(args: argparse.Namespace, settings: Settings) -> int:
    password = sys.stdin.readline().rstrip("\r\n")
    # The rules of a registration over HTTP, in its words, naming the field alone.
    registration = BodyRules(models.RegistrationRules, prefix="").parse(
        {"username": args.name, "email": args.email, "password": password}
    )
    accounts.create_user(
        settings,
        registration.username,
        str(registration.email),
        registration.password.get_secret_value(),
        args.admin,
    )
    role = "administrator" if args.admin else "account"
    print(f"hubindex: created {role} {registration.username}")
    return 0


def _users_activate(args: argparse.Namespace, settings: Settings) -> int:
    accounts.set_active(settings, args.name, True)
    print(f"hubindex: activated {args.name}")
    return 0


def _users_list(_args: argparse.Namespace, settings: Settings) -> int:
    print(accounts.listing(accounts.summaries(settings)), end="")
    return 0


def _users_show(args: argparse.Namespace, settings: Settings) -> int:
    print(accounts.details(accounts.summaries(settings, args.name)[0]), end="")
    return 0


def _users_disable(args: argparse.Namespace, settings: Settings) -> int:
    accounts.set_active(settings, args.name, False)
    print(f"hubindex: disabled {args.name}: its logins and tokens are refused")
    return 0


def _users_enable(args: argparse.Namespace, settings: Settings) -> int:
    accounts.set_active(settings, args.name, True)
    print(f"hubindex: enabled {args.name}")
    return 0


def _users_delete(args: argparse.Namespace, settings: Settings) -> int:
    accounts.delete_user(settings, args.name)
    print(f"hubindex: deleted {args.name}")
    return 0


def _users_set_password(args: argparse.Namespace, settings: Settings) -> int:
    password = sys.stdin.readline().rstrip("\r\n")
    # The rules of a password change over HTTP, in its words.
    checked = BodyRules(models.UserUpdate, prefix="").parse({"password": password})
    assert checked.password is not None
    accounts.set_password(settings, args.name, checked.password.get_secret_value())
    print(f"hubindex: set the password of {args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
