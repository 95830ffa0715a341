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
gives a login's check the cores first; and a new hash does not start while a check runs (it
waits for the checks to end, up to ``HASH_YIELDS_SECONDS``), so that a login shares the cores
at most with a hash that had begun before it. New hashes are bounded: ``hashes_waiting`` may
wait beyond those running; one more waits for a place up to ``ROOM_WAIT_SECONDS`` (as long as
the Retry-After it would be told), then is refused (Overloaded, 503 with Retry-After), as is
one that finds ``ROOM_WAITERS`` times the bound waiting for a place already. Holding those
refusals back is what bounds a flood's cost: a client that sends the next registration as soon
as one is refused gets at most one refusal a second per connection, instead of keeping the
event loop (and itself) busy with refusals the logins' checks then share the cores with.
"""

import asyncio
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from server.errors import Overloaded
from server.workers import LOWEST, WorkerThreads

# How long a new hash waits for a place among those ``hashes_waiting`` before it is refused.
ROOM_WAIT_SECONDS = 1.0
# How many may wait for a place at once, as a multiple of the places: past it, refused at once.
ROOM_WAITERS = 4
# How long a new hash waits for the logins' checks running to end before it starts anyway.
HASH_YIELDS_SECONDS = 2.0


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


@dataclass(slots=True)
class HashPlace:
    """A place among the hashes, kept for one (Passwords.place)."""

    used: bool = False


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
        # Places kept for hashes to come (place()), and those waiting for one, in turn.
        self._places = 0
        self._waiting_for_room: deque[asyncio.Future[None]] = deque()
        # The checks running in their threads; a new hash starts when there are none.
        self._checks = threading.Condition()
        self._checks_running = 0

    async def place(self) -> "HashPlace":
        """A place among the hashes (those running and ``hashes_waiting`` more), kept for a
        :meth:`hash` to come: at once, or when one is given up, first come first served; or
        Overloaded, after ``ROOM_WAIT_SECONDS`` without one, or at once when too many wait
        already. Hand it to :meth:`hash`, or :meth:`give_back` it."""
        if self._hashes.pending + self._places < self._most_hashes:
            self._places += 1
            return HashPlace()
        if len(self._waiting_for_room) >= ROOM_WAITERS * self._most_hashes:
            raise Overloaded()
        handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting_for_room.append(handed)
        try:
            await asyncio.wait_for(asyncio.shield(handed), ROOM_WAIT_SECONDS)
        except BaseException as error:
            if handed.done() and not handed.cancelled():
                self._give_back()  # handed one just as the wait ended
            else:
                handed.cancel()
            if isinstance(error, TimeoutError):
                raise Overloaded() from None
            raise
        return HashPlace()

    def give_back(self, place: "HashPlace") -> None:
        """A place from :meth:`place` that no hash will use (the registration was refused)."""
        if not place.used:
            place.used = True
            self._give_back()

    async def hash(self, password: str, place: "HashPlace | None" = None) -> str:
        """A new hash of ``password``, in ``place`` (or one found first, :meth:`place`)."""
        if place is None:
            place = await self.place()
        if place.used:
            raise RuntimeError("a hash's place is used once")
        place.used = True
        self._places -= 1  # the hashing threads count it from here (pending)
        try:
            return await self._hashes.run(self._hash, password)
        finally:
            self._hand_on()

    def _give_back(self) -> None:
        self._places -= 1
        self._hand_on()

    def _hand_on(self) -> None:
        """A place came free: to the first still waiting, if any."""
        while self._waiting_for_room:
            waiter = self._waiting_for_room.popleft()
            if not waiter.done():
                self._places += 1
                waiter.set_result(None)
                return

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

    def _hash(self, password: str) -> str:
        """In a hashing thread: not begun while a login's check runs (up to a bound, so that
        hashes still end under a steady stream of logins)."""
        with self._checks:
            self._checks.wait_for(lambda: not self._checks_running, HASH_YIELDS_SECONDS)
        return self._hasher.hash(password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        with self._checks:
            self._checks_running += 1
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False
        finally:
            with self._checks:
                self._checks_running -= 1
                if not self._checks_running:
                    self._checks.notify_all()
