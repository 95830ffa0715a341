"""Webhook secrets sealed with the keys of a key file (server.webhooks.sealing)."""

import stat
from pathlib import Path

import pytest

from server.settings import Settings
from server.webhooks.sealing import (
    KEY_FILE_NAME,
    Sealer,
    SecretsKeyError,
    is_plain,
    key_file_path,
    new_key,
    read_keys,
    write_keys,
)
from server.webhooks.signing import new_secret


def test_a_sealed_secret_opens_to_itself_and_shows_nothing_of_it():
    sealer = Sealer([new_key()])
    secret = new_secret()
    sealed = sealer.seal(secret)
    assert secret not in sealed
    assert secret.removeprefix("hbi_whsec_") not in sealed
    assert not is_plain(sealed)
    assert len(sealed) <= 512  # the column's width
    assert sealer.open(sealed) == secret
    assert sealer.seal(secret) != sealed  # a fresh IV each time


def test_another_key_opens_nothing():
    sealed = Sealer([new_key()]).seal(new_secret())
    other = Sealer([new_key()])
    assert not other.opens(sealed)
    with pytest.raises(SecretsKeyError, match="no key of the secrets key file opens"):
        other.open(sealed)
    with pytest.raises(SecretsKeyError):
        other.open("not a token at all")


def test_the_first_key_seals_and_every_key_opens():
    old, new = new_key(), new_key()
    secret = new_secret()
    by_old = Sealer([old]).seal(secret)
    rotated = Sealer([new, old])
    assert rotated.open(by_old) == secret
    resealed = rotated.reseal(by_old)
    assert Sealer([new]).open(resealed) == secret
    assert not Sealer([old]).opens(resealed)
    assert Sealer([new]).open(rotated.reseal(secret)) == secret  # a plain one: sealed


def test_a_key_file_is_written_0600_and_read_back(tmp_path: Path):
    path = tmp_path / "keys"
    keys = [new_key(), new_key()]
    write_keys(path, keys, replace=False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_keys(path) == keys
    with pytest.raises(FileExistsError):
        write_keys(path, [new_key()], replace=False)
    write_keys(path, keys[:1], replace=True)
    assert read_keys(path) == keys[:1]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["keys"]  # nothing left aside


def test_a_sealer_of_a_file_reads_it_again_when_it_changes(tmp_path: Path):
    path = tmp_path / "keys"
    old, new = new_key(), new_key()
    write_keys(path, [old], replace=False)
    sealer = Sealer.of_file(path)
    by_new = Sealer([new]).seal("hbi_whsec_x")
    assert not sealer.opens(by_new)
    write_keys(path, [new, old], replace=True)
    assert sealer.open(by_new) == "hbi_whsec_x"
    assert Sealer([new]).open(sealer.seal("hbi_whsec_y")) == "hbi_whsec_y"
    path.write_text("garbage\n")  # a broken file leaves the keys read before in use
    assert sealer.open(by_new) == "hbi_whsec_x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "holds no key"),
        ("# only a comment\n\n", "holds no key"),
        ("not-a-key\n", "line 1: not a key"),
    ],
)
def test_a_bad_key_file_is_named_with_what_is_wrong(tmp_path: Path, text: str, message: str):
    path = tmp_path / "keys"
    path.write_text(text)
    with pytest.raises(SecretsKeyError, match=message):
        read_keys(path)


def test_a_missing_key_file_is_named(tmp_path: Path):
    with pytest.raises(SecretsKeyError, match="does not exist"):
        read_keys(tmp_path / "none")


def test_a_key_file_that_cannot_be_read_is_named(tmp_path: Path):
    with pytest.raises(SecretsKeyError, match=r"cannot read the secrets key file .*: Is a dir"):
        read_keys(tmp_path)  # a directory: as a file without read permission, for root too


def test_the_key_file_is_beside_the_sqlite_file_unless_named(tmp_path: Path):
    def path_of(**settings: str | None) -> Path:
        return key_file_path(Settings(_env_file=None, **settings))  # type: ignore[call-arg]

    sqlite = f"sqlite:///{tmp_path}/data/hubindex.db"
    assert path_of(database_url=sqlite, secrets_key_file=None) == tmp_path / "data" / KEY_FILE_NAME
    assert path_of(database_url="sqlite:///hubindex.db", secrets_key_file=None) == Path(
        KEY_FILE_NAME
    )
    postgres = "postgresql+psycopg://postgres@127.0.0.1/hub"
    assert path_of(database_url=postgres, secrets_key_file=None) == Path(KEY_FILE_NAME)
    assert path_of(database_url=sqlite, secrets_key_file="/etc/hub/keys") == Path("/etc/hub/keys")
