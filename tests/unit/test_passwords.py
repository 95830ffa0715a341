import asyncio
import os
import threading

import pytest

from server.errors import Overloaded
from server.services import passwords as passwords_module
from server.services.passwords import Passwords, VerifiedPasswords


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _memo(clock: Clock, ttl: float = 60, size: int = 10) -> VerifiedPasswords:
    return VerifiedPasswords(ttl_seconds=ttl, max_entries=size, clock=clock)


def test_a_remembered_password_matches_only_itself_and_only_that_hash():
    memo = _memo(Clock())
    memo.remember("alice", "right", "$hash-1")
    assert memo.matches("alice", "right", "$hash-1")
    assert not memo.matches("alice", "wrong", "$hash-1")
    assert not memo.matches("alicex", "right", "$hash-1")
    assert not memo.matches("alice", "right", "$hash-2")  # the password changed meanwhile


def test_a_remembered_password_expires():
    clock = Clock()
    memo = _memo(clock)
    memo.remember("alice", "right", "$hash")
    clock.now += 59.9
    assert memo.matches("alice", "right", "$hash")
    clock.now += 0.2
    assert not memo.matches("alice", "right", "$hash")


def test_the_memo_is_bounded_and_forgets_the_oldest():
    memo = _memo(Clock(), size=2)
    for name in ("a", "b", "c"):
        memo.remember(name, "pw", "$h")
    assert not memo.matches("a", "pw", "$h")
    assert memo.matches("b", "pw", "$h")
    assert memo.matches("c", "pw", "$h")


def test_a_zero_ttl_remembers_nothing():
    memo = _memo(Clock(), ttl=0)
    memo.remember("alice", "right", "$hash")
    assert not memo.matches("alice", "right", "$hash")


def test_the_password_is_not_kept_in_memory():
    memo = _memo(Clock())
    memo.remember("alice", "a-very-particular-password", "$hash")
    assert all(b"a-very-particular" not in key for key in memo._entries)


@pytest.mark.anyio
async def test_verify_remembers_good_passwords_and_never_bad_ones(monkeypatch):
    passwords = Passwords(time_cost=1, memory_kib=64, parallelism=1, remember_seconds=60)
    stored = await passwords.hash("right-password")
    calls = 0
    real = passwords._verify

    def counting(password_hash, password):
        nonlocal calls
        calls += 1
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "_verify", counting)
    assert not await passwords.verify("alice", stored, "wrong-password")
    assert not await passwords.verify("alice", stored, "wrong-password")
    assert calls == 2
    assert await passwords.verify("alice", stored, "right-password")
    assert await passwords.verify("alice", stored, "right-password")
    assert calls == 3
    assert not await passwords.verify("alice", None, "right-password")
    assert calls == 4


@pytest.mark.anyio
async def test_concurrent_checks_of_one_password_share_one_verification(monkeypatch):
    passwords = Passwords(time_cost=1, memory_kib=64, parallelism=1, remember_seconds=60)
    stored = await passwords.hash("right-password")
    calls: list[str] = []
    real = passwords._verify

    def counting(password_hash, password):
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "_verify", counting)
    checks = [("right-password", stored)] * 8 + [("wrong-password", stored)] * 8
    results = await asyncio.gather(
        *(passwords.verify("alice", hashed, password) for password, hashed in checks)
    )
    assert results == [True] * 8 + [False] * 8
    assert sorted(calls) == ["right-password", "wrong-password"]
    # Once finished, nothing is shared any more: a wrong password is verified afresh.
    assert not await passwords.verify("alice", stored, "wrong-password")
    assert len(calls) == 3


@pytest.mark.anyio
async def test_a_caller_giving_up_does_not_cancel_the_shared_verification():
    passwords = Passwords(time_cost=1, memory_kib=64, parallelism=1, remember_seconds=60)
    stored = await passwords.hash("right-password")
    impatient = asyncio.ensure_future(passwords.verify("alice", stored, "right-password"))
    patient = asyncio.ensure_future(passwords.verify("alice", stored, "right-password"))
    await asyncio.sleep(0)
    impatient.cancel()
    assert await patient
    assert impatient.cancelled()


def _hold_new_hashes(passwords: Passwords, monkeypatch) -> threading.Event:
    """New hashes wait for the event this returns to be set (a fast hash could otherwise end,
    and make room, before the next is asked for); checks run as they would."""
    release = threading.Event()
    real = passwords._hasher

    class Held:
        def hash(self, password: str) -> str:
            release.wait(timeout=30)
            return real.hash(password)

        def verify(self, password_hash: str, password: str) -> bool:
            return real.verify(password_hash, password)

    monkeypatch.setattr(passwords, "_hasher", Held())
    return release


@pytest.mark.anyio
async def test_new_hashes_past_the_bound_are_refused_after_a_short_wait_and_checks_are_not(
    monkeypatch,
):
    monkeypatch.setattr(passwords_module, "ROOM_WAIT_SECONDS", 0.05)
    passwords = Passwords(time_cost=1, memory_kib=64, parallelism=1, hashes_waiting=2)
    stored = await passwords.hash("right-password")
    release = _hold_new_hashes(passwords, monkeypatch)
    most = (os.cpu_count() or 1) + 2  # parallelism 1: one hash running per core
    hashes = [asyncio.ensure_future(passwords.hash(f"password-{n}")) for n in range(most + 3)]
    try:
        await asyncio.sleep(0.01)
        assert not any(h.done() for h in hashes)  # those past the bound wait for a place
        await asyncio.sleep(0.1)
        refused = [h for h in hashes if h.done() and isinstance(h.exception(), Overloaded)]
        assert refused == hashes[most:]
        assert not any(h.done() for h in hashes[:most])
        # Checks have their own threads: never refused, never queued behind the hashes.
        checks = await asyncio.gather(
            *(passwords.verify(f"user{n}", stored, "right-password") for n in range(most + 3))
        )
        assert checks == [True] * (most + 3)
        release.set()
        assert all(isinstance(h, str) for h in await asyncio.gather(*hashes[:most]))
        assert await passwords.hash("room-again")  # the bound counts what waits now
    finally:
        release.set()
        await asyncio.gather(*hashes, return_exceptions=True)
        passwords.close()


@pytest.mark.anyio
async def test_a_login_check_never_waits_behind_new_hashes(monkeypatch):
    passwords = Passwords(time_cost=1, memory_kib=64, parallelism=1, hashes_waiting=4)
    stored = await passwords.hash("right-password")
    release = _hold_new_hashes(passwords, monkeypatch)
    try:
        # Every hashing thread busy, and hashes waiting behind them.
        hashes = [
            asyncio.ensure_future(passwords.hash(f"p{n}")) for n in range((os.cpu_count() or 1) + 4)
        ]
        await asyncio.sleep(0.1)

        checked = await asyncio.wait_for(passwords.verify("alice", stored, "right-password"), 10)

        assert checked
        assert not any(h.done() for h in hashes)
    finally:
        release.set()
        await asyncio.gather(*hashes)
        passwords.close()


@pytest.mark.anyio
async def test_places_are_handed_on_in_turn_and_waiting_is_bounded(monkeypatch):
    monkeypatch.setattr(passwords_module, "ROOM_WAITERS", 1)
    passwords = Passwords(time_cost=1, memory_kib=64, parallelism=1, hashes_waiting=0)
    places = [await passwords.place() for _ in range(os.cpu_count() or 1)]
    try:
        first = asyncio.ensure_future(passwords.place())
        second = asyncio.ensure_future(passwords.place())
        await asyncio.sleep(0.01)
        assert not first.done()
        assert not second.done()
        # As many wait as there are places: one more is refused at once.
        with pytest.raises(Overloaded):
            await asyncio.wait_for(passwords.place(), 0.5)

        passwords.give_back(places.pop())
        handed = await asyncio.wait_for(first, 1)  # the first to wait, the first served
        assert not second.done()
        assert await passwords.hash("in-a-place", handed)
        places.append(await asyncio.wait_for(second, 1))  # the hash's place, handed on
        with pytest.raises(Overloaded):  # none comes free within the wait: refused
            await passwords.place()
    finally:
        for place in places:
            passwords.give_back(place)
        passwords.close()


@pytest.mark.anyio
async def test_a_new_hash_does_not_begin_while_a_login_is_checked(monkeypatch):
    passwords = Passwords(time_cost=1, memory_kib=64, parallelism=1)
    stored = await passwords.hash("right-password")
    real = passwords._hasher
    checking, release = threading.Event(), threading.Event()
    hashing = threading.Event()

    class Watched:
        def hash(self, password: str) -> str:
            hashing.set()
            return real.hash(password)

        def verify(self, password_hash: str, password: str) -> bool:
            checking.set()
            release.wait(timeout=30)
            return real.verify(password_hash, password)

    monkeypatch.setattr(passwords, "_hasher", Watched())
    try:
        check = asyncio.ensure_future(passwords.verify("alice", stored, "right-password"))
        await asyncio.to_thread(checking.wait, 10)
        new = asyncio.ensure_future(passwords.hash("new-password"))
        await asyncio.sleep(0.3)
        assert not hashing.is_set()

        release.set()
        assert await check
        assert await asyncio.wait_for(new, 10)
        assert hashing.is_set()
    finally:
        release.set()
        passwords.close()
