"""Helpers shared by the storage suite."""

import asyncio
from collections.abc import Callable


async def eventually(condition: Callable[[], bool], within: float = 5) -> bool:
    """Whether ``condition`` holds within ``within`` seconds. For what arrives a moment after
    the step that causes it: another connection's announcement (usually before its commit call
    returns, now and then a millisecond or two after), a reconnection after a loss. The
    deadline only bounds a failing test."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True
