"""What the operator commands do, without argument parsing: ``hubindex users ...``."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from server.composition import AppState, Services
from server.services.accounts import AccountSummary
from server.settings import Settings

T = TypeVar("T")


def create_user(settings: Settings, username: str, email: str, password: str, admin: bool) -> None:
    _run(
        settings,
        lambda services: services.accounts.create(username, email, password, admin=admin),
    )


def set_active(settings: Settings, username: str, active: bool) -> None:
    """Enable (activate) or disable an account. Every process serving the database reads the
    account's state with each login and each token, so a disabled one is refused at once."""
    _run(settings, lambda services: services.accounts.set_active(username, active))


def set_password(settings: Settings, username: str, password: str) -> None:
    _run(settings, lambda services: services.accounts.set_password(username, password))


def delete_user(settings: Settings, username: str) -> None:
    _run(settings, lambda services: services.accounts.delete(username))


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
