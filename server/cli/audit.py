"""``hubindex audit export ACCOUNT [--from WHEN] [--to WHEN]``: an account's audit log
(server.services.audit) as JSON lines on stdout, oldest first, each event as the API answers
it; read a batch at a time, so a long log is never held whole."""

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from server.cli.report import Commands

if TYPE_CHECKING:
    from server.settings import Settings


def add_commands(commands: Commands) -> None:
    audit = commands.add_parser("audit", help="the audit log").add_subparsers(
        title="commands", required=True, metavar="COMMAND"
    )
    export = audit.add_parser("export", help="print an account's audit log as JSON lines")
    export.add_argument("account", help="the user, organization or `library` whose log it is")
    export.add_argument(
        "--from", dest="start", type=_moment, help="only events at or after (ISO 8601, UTC)"
    )
    export.add_argument(
        "--to", dest="end", type=_moment, help="only events at or before (ISO 8601, UTC)"
    )
    export.set_defaults(run=_export)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date or time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _export(args: argparse.Namespace, settings: "Settings") -> int:
    from server.cli.accounts import run_in_unit
    from server.composition import Services
    from server.services.audit import describe

    async def export(services: Services) -> int:
        count = 0
        async for event in services.audit.export(args.account, start=args.start, end=args.end):
            line = {
                "account": event.account,
                "action": event.action,
                "name": event.name,
                "actor": event.actor,
                "data": event.data,
                "timestamp": event.timestamp.isoformat().replace("+00:00", "Z"),
                "action_description": describe(event),
            }
            sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
            count += 1
        return count

    count = run_in_unit(settings, export, writes=False)
    print(f"hubindex: exported {count} events of {args.account}", file=sys.stderr)
    return 0
