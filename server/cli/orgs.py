"""``hubindex orgs create NAME --owner USER``: an organization, made by the operator with its
first owner (server.services.organizations); the same as ``POST /v2/orgs`` by an
administrator, checked by the same rules of the spec."""

import argparse
from typing import TYPE_CHECKING

from server.cli.report import Commands, say

if TYPE_CHECKING:
    from server.composition import Services
    from server.services.organizations import OrgRecord
    from server.settings import Settings


def add_commands(commands: Commands) -> None:
    orgs = commands.add_parser("orgs", help="organizations").add_subparsers(
        title="commands", required=True, metavar="COMMAND"
    )
    create = orgs.add_parser("create", help="create an organization with its first owner")
    create.add_argument("name", help="the organization's name (a namespace, as a username)")
    create.add_argument("--owner", required=True, help="the username of its first owner")
    create.set_defaults(run=_create)


def _create(args: argparse.Namespace, settings: "Settings") -> int:
    from generated import models
    from server.cli.accounts import record_operator_change, run_in_unit
    from server.handlers.call import BodyRules

    creation = BodyRules(models.OrganizationCreation, prefix="").parse(
        {"orgname": args.name, "owner": args.owner}
    )

    async def create(services: "Services") -> "OrgRecord":
        org = await services.organizations.create(creation.orgname, creation.owner)
        await record_operator_change(
            services, org.name, "org.create", "orgs create", owner=creation.owner
        )
        return org

    org = run_in_unit(settings, create)
    say(f"created organization {org.name}, owned by {creation.owner}")
    return 0
