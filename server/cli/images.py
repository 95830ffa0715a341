"""``hubindex images orphans``: the image ids no repository lists any more, with when each was
last listed (server.services.orphans), one a line, the longest unlisted first: what a
registry's layers can be removed by. The same as ``GET /v2/images/orphans`` by an
administrator."""

import argparse
from typing import TYPE_CHECKING

from server.cli.report import Commands

if TYPE_CHECKING:
    from server.composition import Services
    from server.settings import Settings

# Orphans read per statement: the report of a million is never held in memory at once.
BATCH = 1000


def add_commands(commands: Commands) -> None:
    images = commands.add_parser("images", help="image ids").add_subparsers(
        title="commands", required=True, metavar="COMMAND"
    )
    orphans = images.add_parser(
        "orphans",
        help="image ids no repository lists any more: ID<TAB>LAST_LISTED (UTC), oldest first",
    )
    orphans.set_defaults(run=_orphans)


def _orphans(_args: argparse.Namespace, settings: "Settings") -> int:
    from server.cli.accounts import run_in_unit

    async def report(services: "Services") -> None:
        page = 1
        while True:
            found = await services.orphans.page(page, BATCH)
            for orphan in found.orphans:
                print(f"{orphan.image_id}\t{orphan.last_listed.isoformat()}")
            if page * BATCH >= found.count or not found.orphans:
                return
            page += 1

    run_in_unit(settings, report, writes=False)
    return 0
