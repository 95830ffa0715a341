import asyncio
import os
import threading

import pytest

from server.errors import Overloaded
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
async def test_new_hashes_past_the_bound_are_refused_at_once_and_checks_are_not(monkeypatch):
    passwords = Passwords(time_cost=1, memory_kib=64, parallelism=1, hashes_waiting=2)
    stored = await passwords.hash("right-password")
    release = _hold_new_hashes(passwords, monkeypatch)
    most = (os.cpu_count() or 1) + 2  # parallelism 1: one hash running per core
    hashes = [asyncio.ensure_future(passwords.hash(f"password-{n}")) for n in range(most + 3)]
    try:
        await asyncio.sleep(0.05)
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
