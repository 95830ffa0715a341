"""What the operator commands do, without argument parsing: ``hubindex users ...``.

Each change is written with its audit event (server.services.audit), in one unit of work: the
actor is ``OPERATOR``, and the event's data names the command and the system user who ran it.
"""

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import TypeVar

from server.composition import AppState, Services
from server.services.accounts import AccountSummary
from server.services.audit import OPERATOR
from server.settings import Settings

T = TypeVar("T")


def operator_data(command: str, **more: str) -> dict[str, str]:
    """What an operator's event says of who ran what: ``hubindex`` and its command, and the
    system user (as the environment or the password database names it)."""
    try:
        system_user = getpass.getuser()
    except (KeyError, OSError):
        system_user = ""
    return {"command": f"hubindex {command}", "system_user": system_user, **more}


async def record_operator_change(
    services: Services, account: str, action: str, command: str, *, name: str = "", **more: str
) -> None:
    """The event of an operator's change, in the change's own unit of work."""
    data = operator_data(command, **more)
    await services.audit.record(account, action, actor=OPERATOR, name=name or account, data=data)


def create_user(
    settings: Settings,
    username: str,
    email: str,
    password: str,
    admin: bool,
    *,
    command: str | None = None,
) -> None:
    """``command``: the operator's command that asked for it, recorded with it; None: a
    caller of its own (the tests' set-up), recorded by nobody."""

    async def create(services: Services) -> None:
        await services.accounts.create(username, email, password, admin=admin)
        if command is not None:
            role = {"role": "admin" if admin else "user"}
            await record_operator_change(services, username, "user.create", command, **role)

    _run(settings, create)


def set_active(settings: Settings, username: str, active: bool, *, command: str) -> None:
    """Enable (activate) or disable an account. Every process serving the database reads the
    account's state with each login and each token, so a disabled one is refused at once."""

    async def change(services: Services) -> None:
        await services.accounts.set_active(username, active)
        action = "user.enable" if active else "user.disable"
        await record_operator_change(services, username, action, command)

    _run(settings, change)


def set_password(settings: Settings, username: str, password: str, *, command: str) -> None:
    async def change(services: Services) -> None:
        await services.accounts.set_password(username, password)
        await record_operator_change(services, username, "user.password.change", command)

    _run(settings, change)


def delete_user(settings: Settings, username: str, *, command: str) -> None:
    """The event goes to the deleted account's log, which administrators still read."""

    async def delete(services: Services) -> None:
        await services.accounts.delete(username)
        await record_operator_change(services, username, "user.delete", command)

    _run(settings, delete)


def summaries(settings: Settings, username: str | None = None) -> list[AccountSummary]:
    return _run(settings, lambda services: services.accounts.summaries(username), writes=False)


def listing(accounts: list[AccountSummary]) -> str:
    """One line an account, in columns: name, state, role, repositories, first address."""
    rows = [("USERNAME", "STATE", "ROLE", "REPOSITORIES", "EMAIL")]
    rows += [
        (
            account.username,
            _state(account),
            "admin" if account.admin else "user",
            str(account.repositories),
            account.emails[0][0] if account.emails else "-",
        )
        for account in accounts
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in rows
    )


def details(account: AccountSummary) -> str:
    lines = [
        f"username: {account.username}",
        f"state: {_state(account)}",
        f"role: {'admin' if account.admin else 'user'}",
        f"created: {account.created_at.isoformat(timespec='seconds')}",
        f"repositories: {account.repositories}",
        *(
            f"email: {address} ({'confirmed' if confirmed else 'unconfirmed'})"
            for address, confirmed in account.emails
        ),
    ]
    return "".join(f"{line}\n" for line in lines)


def _state(account: AccountSummary) -> str:
    """Neither a disabled account nor one whose address was never confirmed may log in."""
    if account.active:
        return "active"
    return "disabled" if any(confirmed for _, confirmed in account.emails) else "unconfirmed"


def run_in_unit(
    settings: Settings, work: Callable[[Services], Awaitable[T]], *, writes: bool = True
) -> T:
    """``work`` in a unit of work of its own, committed when it returns."""
    return _run(settings, work, writes=writes)


def _run(settings: Settings, work: Callable[[Services], Awaitable[T]], *, writes: bool = True) -> T:
    async def run() -> T:
        state = AppState(settings)
        try:
            async with state.unit_of_work(writes=writes) as services:
                return await work(services)
        finally:
            await state.close()

    return asyncio.run(run())
