"""The passwords this process is checking right now, so that guesses sent at once are counted.

The login limits count the failures the database holds (server.services.logins). A guess
becomes one only once argon2 has refused it and its unit has committed, a while after it was
checked against the limits: guesses sent together would all pass that check. So each login is
counted here from before it reads the failures until it ends (a failure once committed), and
its check adds to the database's counts, per account, per address and per pair:

- the distinct other passwords being checked (a push sends one password in many calls at
  once: that is one guess), and
- the failures committed since its read began, which that read may not have seen.

Of guesses that passed the check together, the last one checked counted every other: in the
database, or here. So they are no more than the limit allows. Processes do not see each
other's guesses in flight: with P processes, up to P times the limit can pass at one moment.

Passwords are kept as an HMAC under a key that never leaves the process, and only while
checked; an entry is dropped when the last login holding it ends.
"""

import hashlib
import hmac
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple


class InFlight(NamedTuple):
    """What a login adds to the database's failure counts."""

    of_account: int
    of_address: int
    of_pair: int


NONE_IN_FLIGHT = InFlight(0, 0, 0)


@dataclass
class _Entry:
    holders: int = 0  # the logins holding it: it lives as long as they do
    checking: Counter[bytes] = field(default_factory=Counter)  # fingerprint -> its logins
    failed: int = 0  # failures committed since it was made


class GuessesInFlight:
    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._entries: dict[tuple[str, ...], _Entry] = {}

    def begin(self, username: str, address: str, password: str) -> "Guess":
        """A login about to read its failures; :meth:`Guess.end` it, whatever happens."""
        message = username.encode() + b"\0" + password.encode()
        fingerprint = hmac.new(self._key, message, hashlib.sha256).digest()
        keys = (("account", username), ("address", address), ("pair", username, address))
        return Guess(self, keys, fingerprint)

    def _hold(self, key: tuple[str, ...]) -> _Entry:
        entry = self._entries.setdefault(key, _Entry())
        entry.holders += 1
        return entry

    def _release(self, key: tuple[str, ...], entry: _Entry) -> None:
        entry.holders -= 1
        if not entry.holders:
            del self._entries[key]


class Guess:
    def __init__(
        self, guesses: GuessesInFlight, keys: tuple[tuple[str, ...], ...], fingerprint: bytes
    ) -> None:
        self._guesses = guesses
        self._keys = keys
        self._fingerprint = fingerprint
        self._entries = [guesses._hold(key) for key in keys]
        self._failed_before = [entry.failed for entry in self._entries]
        self._checking = False
        self._ended = False

    def others(self) -> InFlight:
        """The other guesses to count with the database's failures: see the module."""
        counts = (
            len(entry.checking)
            - (self._fingerprint in entry.checking)
            + entry.failed
            - failed_before
            for entry, failed_before in zip(self._entries, self._failed_before, strict=True)
        )
        return InFlight(*counts)

    def check(self) -> None:
        """From now on, other logins count this one."""
        for entry in self._entries:
            entry.checking[self._fingerprint] += 1
        self._checking = True

    def fail(self) -> None:
        """Its failure is committed: the logins reading meanwhile count it. Ends it."""
        for entry in self._entries:
            entry.failed += 1
        self.end()

    def end(self) -> None:
        if self._ended:
            return
        self._ended = True
        for key, entry in zip(self._keys, self._entries, strict=True):
            if self._checking:
                entry.checking[self._fingerprint] -= 1
                if not entry.checking[self._fingerprint]:
                    del entry.checking[self._fingerprint]
            self._guesses._release(key, entry)
