"""argon2id password hashes, computed off the event loop (in low-priority threads, one per
core), and remembered briefly when good.

A Docker client sends Basic credentials with every call of a push. Verifying argon2id at
strong parameters costs ~180 ms of CPU here, so a correct password is remembered for a short
time, per process: keyed by an HMAC of username and password under a key that never leaves
the process (the password itself is not kept), and valid only while the account's stored
hash is the one it was checked against — a password change, in any process, ends it. A
wrong password is never remembered.

The calls of a push run in parallel, each with the password: when the memo is empty (at first,
or after it expired) they would all run argon2 at once, seconds of CPU. Concurrent checks of
one password against one hash share a single verification instead.

Logins never wait behind new hashes (registrations, password changes): checks and hashes run
on pools of their own, the hashes' at the lowest priority (server.workers), so the scheduler
gives a login's check the cores first. New hashes are bounded: past ``hashes_waiting`` beyond
those running, a new one is refused at once (Overloaded, 503 with Retry-After) instead of
queueing without end.
"""

import asyncio
import hashlib
import hmac
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from server.errors import Overloaded
from server.workers import LOWEST, WorkerThreads


class VerifiedPasswords:
    """A bounded, expiring memo of (username, password) pairs verified against a hash."""

    def __init__(
        self, *, ttl_seconds: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, tuple[str, float]] = OrderedDict()

    def fingerprint(self, username: str, password: str) -> bytes:
        message = username.encode() + b"\0" + password.encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def matches(self, username: str, password: str, password_hash: str) -> bool:
        if self._ttl <= 0:
            return False
        fingerprint = self.fingerprint(username, password)
        entry = self._entries.get(fingerprint)
        if entry is None:
            return False
        verified_hash, expires = entry
        if expires <= self._clock() or not hmac.compare_digest(verified_hash, password_hash):
            del self._entries[fingerprint]
            return False
        return True

    def remember(self, username: str, password: str, password_hash: str) -> None:
        if self._ttl <= 0:
            return
        fingerprint = self.fingerprint(username, password)
        self._entries[fingerprint] = (password_hash, self._clock() + self._ttl)
        self._entries.move_to_end(fingerprint)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)


class Passwords:
    def __init__(
        self,
        *,
        time_cost: int,
        memory_kib: int,
        parallelism: int,
        remember_seconds: float = 0,
        remember_max: int = 10_000,
        hashes_waiting: int = 32,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Unknown users are checked against this, so that a login takes as long either way.
        self._dummy = self._hasher.hash("not a password of anyone")
        self._verified = VerifiedPasswords(ttl_seconds=remember_seconds, max_entries=remember_max)
        # (fingerprint, hash) -> the verification running for it
        self._running: dict[tuple[bytes, str], asyncio.Future[bool]] = {}
        # One argon2 run per core at most in each pool: each holds memory_kib, and more would
        # only share the cores (server.workers: below the event loop's priority).
        cores = os.cpu_count() or 1
        self._threads = WorkerThreads(cores, "hubindex-argon2")
        # A hash's lanes are threads of their own: with as many lanes as cores, one hash at a
        # time keeps every core busy, and more would only weigh more against the checks.
        hashing = max(1, cores // parallelism)
        self._hashes = WorkerThreads(hashing, "hubindex-hash", niceness=LOWEST)
        self._most_hashes = hashing + hashes_waiting

    async def hash(self, password: str) -> str:
        """A new hash of ``password``; Overloaded when too many are waiting already."""
        if self._hashes.pending >= self._most_hashes:
            raise Overloaded()
        return await self._hashes.run(self._hasher.hash, password)

    def remembered(self, username: str, password: str, password_hash: str | None) -> bool:
        """Whether ``password`` was verified against ``password_hash`` a short while ago:
        :meth:`verify` then answers at once, without argon2."""
        return bool(password_hash) and self._verified.matches(username, password, password_hash)

    async def verify(self, username: str, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` is ``username``'s; with no hash (no such user), False after the
        same work as a wrong password."""
        if self.remembered(username, password, password_hash):
            return True
        key = (self._verified.fingerprint(username, password), password_hash or "")
        running = self._running.get(key)
        if running is None:
            verifying = self._threads.run(self._verify, password_hash, password)
            running = asyncio.ensure_future(verifying)
            self._running[key] = running
            running.add_done_callback(lambda _done: self._running.pop(key, None))
        # Shielded: one caller giving up (a client gone) must not cancel it for the others.
        good = await asyncio.shield(running)
        if good and password_hash:
            self._verified.remember(username, password, password_hash)
        return good

    def close(self) -> None:
        self._threads.close()
        self._hashes.close()

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False
