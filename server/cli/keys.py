"""``hubindex secrets rotate`` and ``reseal``: the key file webhook secrets are sealed with
(server.services.secrets_key; docs/webhooks.md, Secrets at rest)."""

import argparse
from typing import TYPE_CHECKING

from server.cli.report import Commands, say

if TYPE_CHECKING:
    from server.settings import Settings


def add_commands(commands: Commands) -> None:
    keys = commands.add_parser(
        "secrets", help="the key file webhook secrets are sealed with"
    ).add_subparsers(title="commands", required=True, metavar="COMMAND")
    keys.add_parser(
        "rotate",
        help="put a new key first in the key file (the others kept) and seal every webhook"
        " secret again with it; one process only (SQLite, or one machine's key file)",
    ).set_defaults(run=_rotate)
    reseal = keys.add_parser(
        "reseal",
        help="seal every webhook secret again with the key file's first key (after a new key"
        " was put first in every process's key file)",
    )
    reseal.add_argument(
        "--drop-old-keys",
        action="store_true",
        help="then leave only the first key in the key file",
    )
    reseal.set_defaults(run=_reseal)


def _rotate(_args: argparse.Namespace, settings: "Settings") -> int:
    from server.services import secrets_key

    done = secrets_key.rotate(settings)
    say(
        f"sealed {done.secrets} webhook secrets with a new key, now first in {done.path}; the"
        f" keys before it stay there to open what a process still running sealed with them"
        f"{_unopened(done.unopened)}"
    )
    return 0


def _reseal(args: argparse.Namespace, settings: "Settings") -> int:
    from server.services import secrets_key

    done = secrets_key.reseal(settings, drop_old_keys=args.drop_old_keys)
    dropped = f"; dropped {done.keys_dropped} older keys from it" if done.keys_dropped else ""
    say(
        f"sealed {done.secrets} webhook secrets with the first key of {done.path}{dropped}"
        f"{_unopened(done.unopened)}"
    )
    return 0


def _unopened(count: int) -> str:
    if not count:
        return ""
    return (
        f"; {count} secrets no key of the file opens were left as they are (their hooks sign"
        " nothing until made again)"
    )
