"""What the operator commands do, without argument parsing: ``hubindex users ...``."""

import asyncio
from collections.abc import Awaitable, Callable

from server.composition import AppState
from server.settings import Settings


def create_user(settings: Settings, username: str, email: str, password: str, admin: bool) -> None:
    asyncio.run(_with_state(settings, _create, username, email, password, admin))


def activate_user(settings: Settings, username: str) -> None:
    asyncio.run(_with_state(settings, _activate, username))


async def _create(state: AppState, username: str, email: str, password: str, admin: bool) -> None:
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.create(username, email, password, admin=admin)


async def _activate(state: AppState, username: str) -> None:
    async with state.unit_of_work(writes=True) as services:
        await services.accounts.activate(username)


async def _with_state(
    settings: Settings, work: Callable[..., Awaitable[None]], *args: object
) -> None:
    state = AppState(settings)
    try:
        await work(state, *args)
    finally:
        await state.close()
