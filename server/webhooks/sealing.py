"""Webhook secrets sealed at rest, under keys kept in a file outside the database.

A hook's secret must be readable again (every delivery is signed with it), so it cannot be
hashed as an access token is. It is sealed with Fernet (AES-128-CBC and HMAC-SHA256, from
``cryptography``) under the first key of the secrets key file; every key of the file opens
(MultiFernet), so that a key can be rotated in while secrets sealed with the one before are
still read. The database's own signing key (server.services.tokens) is in the same dump as
the secrets, which is why it is not used here.

The key file: one Fernet key (urlsafe base64 of 32 bytes) a line, the first one sealing;
blank lines and lines starting with ``#`` are ignored. Written with mode 0600.
"""

import logging
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.engine import make_url

from server.errors import CommandError
from server.settings import ENV_PREFIX, Settings
from server.webhooks.signing import SECRET_PREFIX

logger = logging.getLogger("hubindex")

KEY_FILE_NAME = "hubindex-secrets.key"
SETTING = f"{ENV_PREFIX}SECRETS_KEY_FILE"


class SecretsKeyError(CommandError):
    """The secrets key file is missing, unreadable, malformed, or opens nothing it should."""


class Sealer:
    """Seals with the first key, opens with any. One read from a key file reads it again when
    the file has changed since (a rotation, on this machine or copied to it): before each seal,
    and when no key opens a secret."""

    def __init__(self, keys: Sequence[bytes], *, path: Path | None = None) -> None:
        self._path = path
        self._read_at = _changed_at(path)
        self._use(keys)

    @classmethod
    def of_file(cls, path: Path) -> "Sealer":
        return cls(read_keys(path), path=path)

    def _use(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise SecretsKeyError("the secrets key file holds no key")
        self.keys = tuple(keys)
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def _read_again(self) -> bool:
        """Whether the key file changed since it was read, and its keys are now in use (a file
        that cannot be read is left aside: the keys read before stay)."""
        if self._path is None or _changed_at(self._path) == self._read_at:
            return False
        try:
            keys = read_keys(self._path)
        except SecretsKeyError as error:
            logger.warning("%s: the keys read before stay in use", error)
            return False
        self._read_at = _changed_at(self._path)
        self._use(keys)
        return True

    def seal(self, secret: str) -> str:
        self._read_again()
        return self._fernet.encrypt(secret.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        """The secret; SecretsKeyError if no key of this sealer sealed it."""
        try:
            return self._open(sealed)
        except SecretsKeyError:
            if not self._read_again():
                raise
        return self._open(sealed)

    def _open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise SecretsKeyError("no key of the secrets key file opens this secret") from None

    def opens(self, sealed: str) -> bool:
        try:
            self._open(sealed)
        except SecretsKeyError:
            return False
        return True

    def reseal(self, sealed: str) -> str:
        """``sealed`` sealed again with the first key (a plain secret: sealed)."""
        if is_plain(sealed):
            return self.seal(sealed)
        try:
            return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SecretsKeyError("no key of the secrets key file opens this secret") from None


def _changed_at(path: Path | None) -> tuple[int, int] | None:
    """What tells a key file written again (each write replaces the file: a new inode)."""
    try:
        found = None if path is None else path.stat()
    except OSError:
        return None
    return None if found is None else (found.st_ino, found.st_mtime_ns)


def is_plain(stored: str) -> bool:
    """Whether a stored secret is one written before secrets were sealed (hubindex < 0018)."""
    return stored.startswith(SECRET_PREFIX)


def new_key() -> bytes:
    return Fernet.generate_key()


def key_file_path(settings: Settings) -> Path:
    """HUBINDEX_SECRETS_KEY_FILE; unset: beside the SQLite file, or for PostgreSQL in the
    working directory."""
    if settings.secrets_key_file:
        return Path(settings.secrets_key_file)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent / KEY_FILE_NAME
    return Path(KEY_FILE_NAME)


def read_keys(path: Path) -> list[bytes]:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise SecretsKeyError(f"the secrets key file {path} does not exist") from None
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or "not a text file of keys"
        raise SecretsKeyError(f"cannot read the secrets key file {path}: {reason}") from None
    keys = []
    for number, written in enumerate(text.splitlines(), start=1):
        line = written.strip()
        if not line or line.startswith("#"):
            continue
        try:
            Fernet(line.encode())
        except ValueError:
            raise SecretsKeyError(
                f"{path}, line {number}: not a key (each line: 32 bytes in urlsafe base64, as"
                " `hubindex secrets rotate` writes them)"
            ) from None
        keys.append(line.encode())
    if not keys:
        raise SecretsKeyError(f"the secrets key file {path} holds no key")
    return keys


def write_keys(path: Path, keys: Sequence[bytes], *, replace: bool) -> None:
    """Write ``keys`` to ``path`` with mode 0600: a new file (FileExistsError if there is
    one, unless ``replace``). Written aside first, so that no reader sees half of it."""
    header = (
        "# hubindex webhook secrets keys: the first seals, every one opens. Keep a copy apart"
        " from the database's backups.\n"
    )
    text = header + "".join(f"{key.decode()}\n" for key in keys)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(aside, path)
        else:
            os.link(aside, path)  # FileExistsError if another process made it first
    finally:
        aside.unlink(missing_ok=True)
