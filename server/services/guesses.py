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

Passwords are kept as a MAC under a key that never leaves the process, and only while
checked; an entry is dropped when the last login holding it ends.
"""

import hashlib
import secrets
from typing import NamedTuple


class InFlight(NamedTuple):
    """What a login adds to the database's failure counts."""

    of_account: int
    of_address: int
    of_pair: int


NONE_IN_FLIGHT = InFlight(0, 0, 0)

_Key = tuple[str, ...]


class _Entry:
    __slots__ = ("checking", "failed", "holders")

    def __init__(self) -> None:
        self.holders = 0  # the logins holding it: it lives as long as they do
        self.checking: dict[bytes, int] = {}  # fingerprint -> the logins checking it
        self.failed = 0  # failures committed since it was made


class GuessesInFlight:
    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._entries: dict[_Key, _Entry] = {}

    def begin(self, username: str, address: str, password: str) -> "Guess":
        """A login about to read its failures; :meth:`Guess.end` it, whatever happens."""
        message = username.encode() + b"\0" + password.encode()
        # A keyed BLAKE2b is a MAC, and twice as quick as HMAC-SHA256: this runs every login.
        fingerprint = hashlib.blake2b(message, key=self._key, digest_size=16).digest()
        keys = (("account", username), ("address", address), ("pair", username, address))
        entries = []
        for key in keys:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
            entry.holders += 1
            entries.append(entry)
        return Guess(self._entries, keys, entries, fingerprint)


class Guess:
    __slots__ = ("_all", "_entries", "_failed_before", "_fingerprint", "_keys", "_state")

    def __init__(
        self,
        entries_of_all: dict[_Key, _Entry],
        keys: tuple[_Key, ...],
        entries: list[_Entry],
        fingerprint: bytes,
    ) -> None:
        self._all = entries_of_all
        self._keys = keys
        self._entries = entries
        self._fingerprint = fingerprint
        self._failed_before = [entry.failed for entry in entries]
        self._state = "reading"  # then "checking", then "ended"

    def others(self) -> InFlight:
        """The other guesses to count with the database's failures: see the module."""
        fingerprint, before = self._fingerprint, self._failed_before
        counts = [
            len(entry.checking) - (fingerprint in entry.checking) + entry.failed - before[i]
            for i, entry in enumerate(self._entries)
        ]
        return InFlight._make(counts)

    def check(self) -> None:
        """From now on, other logins count this one."""
        fingerprint = self._fingerprint
        for entry in self._entries:
            entry.checking[fingerprint] = entry.checking.get(fingerprint, 0) + 1
        self._state = "checking"

    def fail(self) -> None:
        """Its failure is committed: the logins reading meanwhile count it. Ends it."""
        for entry in self._entries:
            entry.failed += 1
        self.end()

    def end(self) -> None:
        if self._state == "ended":
            return
        checking, self._state = self._state == "checking", "ended"
        fingerprint = self._fingerprint
        for key, entry in zip(self._keys, self._entries, strict=True):
            if checking:
                left = entry.checking[fingerprint] - 1
                if left:
                    entry.checking[fingerprint] = left
                else:
                    del entry.checking[fingerprint]
            entry.holders -= 1
            if not entry.holders:
                del self._all[key]
