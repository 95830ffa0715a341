"""``hubindex users ...``: the account commands, one table row each.

Each row names the command, its help, its options beyond the username, and what it does: a
function of the parsed arguments and the settings that returns what to print: one
``hubindex:`` line, or a report (a table, an account). The work itself
(the accounts service, in a unit of work of its own) is ``server.cli.accounts``, imported with
the rules it checks when a command runs, not when the command line is parsed.
"""

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.cli.report import Command, Commands, say

if TYPE_CHECKING:
    from server.settings import Settings

# An option: its flags and add_argument's keywords.
Option = tuple[tuple[str, ...], dict[str, Any]]

PASSWORD_STDIN: Option = (
    ("--password-stdin",),
    {
        "action": "store_true",
        "required": True,
        "help": "read the password from the first line of standard input",
    },
)
EMAIL: Option = (("--email",), {"required": True, "help": "the account's email address"})
ADMIN: Option = (
    ("--admin",),
    {
        "action": "store_true",
        "help": "an administrator: may change library repositories and any namespace",
    },
)


@dataclass(frozen=True)
class UsersCommand:
    name: str
    help: str
    # What it prints, given the arguments and the settings: ``hubindex: ...`` lines, or a table.
    does: Callable[[argparse.Namespace, "Settings"], str]
    options: tuple[Option, ...] = ()
    aliases: tuple[str, ...] = ()  # other names of the same command
    takes_username: bool = True
    report: bool = False  # its output is a table or an account, not one ``hubindex:`` line


def _create(args: argparse.Namespace, settings: "Settings") -> str:
    from generated import models
    from server.cli import accounts
    from server.handlers.call import BodyRules

    # The rules of a registration over HTTP, in its words, naming the field alone.
    registration = BodyRules(models.RegistrationRules, prefix="").parse(
        {"username": args.name, "email": args.email, "password": _password()}
    )
    accounts.create_user(
        settings,
        registration.username,
        str(registration.email),
        registration.password.get_secret_value(),
        args.admin,
        command="users create",
    )
    return f"created {'administrator' if args.admin else 'account'} {registration.username}"


def _set_password(args: argparse.Namespace, settings: "Settings") -> str:
    from generated import models
    from server.cli import accounts
    from server.handlers.call import BodyRules

    # The rules of a password change over HTTP, in its words.
    checked = BodyRules(models.UserUpdate, prefix="").parse({"password": _password()})
    assert checked.password is not None
    accounts.set_password(
        settings, args.name, checked.password.get_secret_value(), command="users set-password"
    )
    return f"set the password of {args.name}"


def _enable(args: argparse.Namespace, settings: "Settings") -> str:
    from server.cli import accounts

    accounts.set_active(settings, args.name, True, command="users enable")
    return f"enabled {args.name}"


def _disable(args: argparse.Namespace, settings: "Settings") -> str:
    from server.cli import accounts

    accounts.set_active(settings, args.name, False, command="users disable")
    return f"disabled {args.name}: its logins and tokens are refused"


def _delete(args: argparse.Namespace, settings: "Settings") -> str:
    from server.cli import accounts

    accounts.delete_user(settings, args.name, command="users delete")
    return f"deleted {args.name}"


def _list(_args: argparse.Namespace, settings: "Settings") -> str:
    from server.cli import accounts

    return accounts.listing(accounts.summaries(settings))


def _show(args: argparse.Namespace, settings: "Settings") -> str:
    from server.cli import accounts

    return accounts.details(accounts.summaries(settings, args.name)[0])


def _password() -> str:
    return sys.stdin.readline().rstrip("\r\n")


COMMANDS = (
    UsersCommand("create", "create an active account", _create, (EMAIL, ADMIN, PASSWORD_STDIN)),
    UsersCommand(
        "list",
        "every account, one a line",
        _list,
        takes_username=False,
        report=True,
    ),
    UsersCommand(
        "show",
        "an account: addresses, state, role, repositories",
        _show,
        report=True,
    ),
    UsersCommand("disable", "refuse the account's logins and tokens, at once", _disable),
    UsersCommand(
        "enable",
        "accept a disabled account again, or activate one without its mailed code",
        _enable,
        aliases=("activate",),
    ),
    UsersCommand("delete", "delete an account that owns no repositories", _delete),
    UsersCommand("set-password", "replace an account's password", _set_password, (PASSWORD_STDIN,)),
)


def add_commands(commands: Commands) -> None:
    users = commands.add_parser("users", help="accounts").add_subparsers(
        title="commands", required=True, metavar="COMMAND"
    )
    for command in COMMANDS:
        parser = users.add_parser(command.name, aliases=list(command.aliases), help=command.help)
        if command.takes_username:
            parser.add_argument("name", help="the username")
        for flags, options in command.options:
            parser.add_argument(*flags, **options)
        parser.set_defaults(run=_runner(command))


def _runner(command: UsersCommand) -> Command:
    def run(args: argparse.Namespace, settings: "Settings") -> int:
        output = command.does(args, settings)
        if command.report:
            print(output, end="")
        else:
            say(output)
        return 0

    return run
