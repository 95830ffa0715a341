"""``hubindex serve``'s command line. What it does is ``server.cli.serve``, imported when it
runs: it brings uvicorn, the migrations and the app, which ``--help`` does not need."""

import argparse
from typing import TYPE_CHECKING

from server.cli.report import Commands

if TYPE_CHECKING:
    from server.settings import Settings


def add_commands(commands: Commands) -> None:
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


def _serve(args: argparse.Namespace, settings: "Settings") -> int:
    from server.cli import serve

    return serve.run(args, settings)
