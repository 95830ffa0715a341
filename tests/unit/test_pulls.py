"""The pull counter (server.services.pulls): what a batch writes, what a failed batch keeps,
and the bound on the repositories one batch holds."""

import asyncio
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import pytest

from server.auth import RepositoryName
from server.services import pulls
from server.services.pulls import PullCounter

WEB = RepositoryName("alice", "web")
DB = RepositoryName("alice", "db")


class Pages:
    def __init__(self, fail: bool = False) -> None:
        self.written: list[dict[RepositoryName, int]] = []
        self.fail = fail

    async def add_pulls(self, counts: dict[RepositoryName, int]) -> None:
        if self.fail:
            raise ConnectionError("the database is down")
        self.written.append(counts)


def _counter(pages: Pages) -> PullCounter:
    @asynccontextmanager
    async def unit_of_work() -> Any:
        yield SimpleNamespace(pages=pages)

    return PullCounter(unit_of_work)


def test_a_batch_writes_what_was_counted_once() -> None:
    pages = Pages()
    counter = _counter(pages)
    for repository in (WEB, WEB, DB, WEB):
        counter.count(repository)

    asyncio.run(counter.flush())
    asyncio.run(counter.flush())  # nothing more counted: nothing written

    assert pages.written == [{WEB: 3, DB: 1}]


def test_a_batch_the_database_refuses_is_kept_for_the_next() -> None:
    pages = Pages(fail=True)
    counter = _counter(pages)
    counter.count(WEB)

    with pytest.raises(ConnectionError):
        asyncio.run(counter.flush())
    counter.count(WEB)
    pages.fail = False
    asyncio.run(counter.flush())

    assert pages.written == [{WEB: 2}]


def test_a_batch_holds_a_bounded_number_of_repositories(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulls, "MAX_PENDING", 2)
    pages = Pages()
    counter = _counter(pages)
    for name in ("a1", "b1", "c1", "a1"):
        counter.count(RepositoryName("alice", name))

    asyncio.run(counter.flush())

    assert pages.written == [{RepositoryName("alice", "a1"): 2, RepositoryName("alice", "b1"): 1}]


def test_closing_writes_what_is_left() -> None:
    pages = Pages()
    counter = _counter(pages)

    async def run() -> None:
        await counter.start()
        counter.count(DB)
        await counter.close()

    asyncio.run(run())

    assert pages.written == [{DB: 1}]
