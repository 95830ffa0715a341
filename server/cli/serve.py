"""``hubindex serve``: check what would fail at start in one line, then hand over to uvicorn.

Its command line is ``serve_options``, which imports this module only when it serves."""

import argparse
import errno
import logging
import os
import resource
import socket
import sys
from typing import TYPE_CHECKING

import uvicorn

from server.cli.report import fail
from server.errors import UsageError
from server.http.connections import BoundedHttpToolsProtocol
from server.http.responses import error_response
from server.logs import logging_config
from server.services import secrets_key
from server.settings import ENV_PREFIX, Settings, check_mail_links
from server.spec import freshness, proof
from server.spec.checkout import ROOT, is_checkout
from server.storage.engines import parse_url
from server.storage.migrations import pending, upgrade

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("hubindex")

# What `hubindex serve --reload` watches: what a handler edit and scripts/generate write. Not
# the spec: until it is generated again, the tree made from it before is the one to serve.
RELOAD_DIRS = ("server", "generated")
RELOAD_INCLUDES = ("*.py", "sources.sha256")

# Files a process opens besides its connections: the database, logs, the metrics port, argon2.
SPARE_FILES = 256


def run(args: argparse.Namespace, settings: Settings) -> int:
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
    # The key every worker reads again: one that does not fit is one line now, not a worker's
    # traceback (its secrets written plain before hubindex sealed them are sealed here).
    secrets_key.prepare(settings)
    _fit_open_files(settings.max_connections)
    os.environ[f"{ENV_PREFIX}LOG_FORMAT"] = settings.log_format  # for the app's own factory
    factory = "create_app_for_reload" if args.reload else "create_app_for_uvicorn"
    uvicorn.run(
        f"{__name__}:{factory}",
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
        sys.exit(fail(stale, 1))
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
    fail(stale, 1)
    return _unavailable(stale)


# How long a thread may hold the interpreter while another waits for it (Python's default:
# 5 ms). Large bodies are parsed, checked and built on worker threads and large writes encoded
# on one (in slices, server.http.body); each time the event loop's thread comes back from the
# kernel (a socket, epoll) it waits for the interpreter, up to this long, and a request does
# that several times. Measured with the writers' attack of scripts/stress (SQLite, 1,000
# repositories): see docs/performance.md.
SWITCH_INTERVAL_SECONDS = 0.0005


def _app() -> "ASGIApp":
    from server.app import create_app_from_environment  # Connexion: only when serving

    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
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
    tree = proof.generated_files(ROOT / freshness.GENERATED)
    misfits = proof.proven_clean(ROOT, tree, ROOT / proof.CACHE)
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
