"""The ``hubindex`` command."""

import argparse
import sys
from collections.abc import Sequence

import uvicorn

from server.settings import ConfigurationError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ConfigurationError as error:
        print(f"hubindex: configuration error: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubindex",
        description="A self-hostable Docker Hub v1 index. Configured by HUBINDEX_* variables.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the index over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=5000, help="port to listen on (5000)")
    serve.set_defaults(run=_serve)
    return parser


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings()  # fail here, with a readable message, not inside uvicorn
    uvicorn.run(
        "server.app:create_app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        log_level=settings.log_level,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
