"""Webhook secrets at rest, on both backends: sealed in the database under a key file outside
it, still signing deliveries a receiver verifies with the secret it was shown; a process whose
key does not fit refuses to start; secrets stored plain before are sealed by ``hubindex db
upgrade``; ``hubindex secrets rotate`` and ``reseal``."""

import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from server.services import secrets_key
from server.storage.engines import sync_engine
from server.storage.migrations import config
from server.webhooks.sealing import Sealer, new_key, read_keys, write_keys
from server.webhooks.signing import verify
from tests.functional.receiver import Received, Receiver
from tests.functional.support import (
    as_user,
    image_id,
    new_repository,
    put_images,
    token_for,
    with_token,
)
from tests.functional.test_webhooks import ALLOW, bearer, sign_in
from tests.harness import HUBINDEX, Account, Index, hubindex
from tests.security.helpers import query


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def _hooked(index: Index, receiver: Receiver) -> tuple[str, dict[str, str], str, dict]:
    """A repository with one hook to ``receiver``: its path, its owner's headers, the hook's
    path under the API, and the hook as created."""
    return _hooked_by(index, index.account(), receiver)


def _hooked_by(
    index: Index, owner: Account, receiver: Receiver
) -> tuple[str, dict[str, str], str, dict]:
    repository = new_repository(index, owner)
    headers = bearer(sign_in(index, owner))
    webhooks = f"/v2/repositories/{repository.path}/webhooks"
    created = index.client.post(webhooks, json={"name": "ci"}, headers=headers)
    assert created.status_code == 201, created.text
    hooks = f"{webhooks}/{created.json()['id']}/hooks"
    hook = index.client.post(hooks, json={"hook_url": receiver.url}, headers=headers)
    assert hook.status_code == 201, hook.text
    return repository.path, headers, f"{hooks}/{hook.json()['id']}", hook.json()


def _test_delivery(index: Index, receiver: Receiver, headers: dict, hook_path: str) -> Received:
    already = len(receiver.received)
    sent = index.client.post(f"{hook_path}/test", headers=headers)
    assert sent.status_code in (200, 201, 202), sent.text
    return receiver.wait_for(already + 1)[-1]


def _verifies(secret: str, delivery: Received) -> bool:
    timestamp = delivery.header("X-Hubindex-Timestamp")
    signature = delivery.header("X-Hubindex-Signature")
    assert timestamp is not None
    assert signature is not None
    return verify(secret, timestamp, signature, delivery.body, now=time.time())


def _stored(database_url: str, table: str) -> list[str]:
    return [row[0] for row in query(database_url, f"SELECT secret FROM {table}")]


def _execute(database_url: str, sql: str, **parameters: object) -> None:
    engine = sync_engine(database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text(sql), parameters)
    finally:
        engine.dispose()


def _said(result: subprocess.CompletedProcess[str]) -> str:
    """The one ``hubindex:`` line of a command that failed (after the log of what it did)."""
    [said] = [line for line in result.stderr.splitlines() if line.startswith("hubindex:")]
    assert result.stderr.endswith(said + "\n"), result.stderr
    return said


def _keys(path: Path) -> dict[str, str]:
    return {"HUBINDEX_SECRETS_KEY_FILE": str(path)}


def test_a_secret_is_stored_sealed_and_deliveries_verify_with_it(
    make_index: Callable[..., Index], receiver: Receiver, database_url: str, tmp_path: Path
):
    key_file = tmp_path / "keys"
    index = make_index(**ALLOW, secrets_key_file=str(key_file))
    owner = index.account()
    path, headers, hook_path, hook = _hooked_by(index, owner, receiver)
    secret = hook["secret"]
    assert secret.startswith("hbi_whsec_")

    # A push: its delivery row is copied from the hook's row by the push's own statement.
    owner_token = token_for(index, path, "write", as_user(owner))
    pushed = put_images(index, path, with_token(owner_token), [{"id": image_id()}])
    assert pushed.status_code == 204, pushed.text
    [delivery] = receiver.wait_for(1)
    assert delivery.header("X-Hubindex-Event") == "push"
    assert _verifies(secret, delivery)
    assert _verifies(secret, _test_delivery(index, receiver, headers, hook_path))

    stored = _stored(database_url, "webhook_hooks") + _stored(database_url, "webhook_deliveries")
    assert len(stored) == 3
    assert all(secret not in value and not value.startswith("hbi_whsec_") for value in stored)
    assert key_file.stat().st_mode & 0o777 == 0o600
    sealer = Sealer(read_keys(key_file))
    assert {sealer.open(value) for value in stored} == {secret}
    # A dump without the key file opens nothing.
    assert not any(Sealer([new_key()]).opens(value) for value in stored)

    # And the API never shows it again.
    webhook_path = hook_path.rsplit("/hooks/", 1)[0]
    for shown in (
        index.client.get(webhook_path, headers=headers),
        index.client.get(f"/v2/repositories/{path}/webhooks", headers=headers),
        index.client.get(f"{hook_path}/deliveries", headers=headers),
        index.client.patch(hook_path, json={"active": True}, headers=headers),
    ):
        assert shown.status_code == 200, shown.text
        assert secret not in shown.text
        assert set(re.findall(r'"secret":"([^"]*)"', shown.text)) <= {""}  # Hub's field, empty


@pytest.mark.slow  # starts `hubindex serve`
def test_a_process_whose_key_does_not_fit_refuses_to_start_in_one_line(
    make_index: Callable[..., Index], database_url: str, tmp_path: Path
):
    mine = tmp_path / "mine.key"
    make_index(secrets_key_file=str(mine))  # its start seals the database's check with it
    other = tmp_path / "other.key"
    write_keys(other, [new_key()], replace=False)
    missing = tmp_path / "missing.key"

    def serve(key_file: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(HUBINDEX), "serve", "--port", "0"],
            env={**os.environ, "HUBINDEX_DATABASE_URL": database_url, **_keys(key_file)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    refused = serve(other)
    assert refused.returncode == 1, refused.stderr
    assert _said(refused).startswith(
        f"hubindex: the secrets key file {other} does not open the database's webhook secrets"
    )

    absent = serve(missing)
    assert absent.returncode == 1, absent.stderr
    assert _said(absent).startswith(
        f"hubindex: the secrets key file {missing} does not exist, and the database's webhook"
        " secrets are sealed with a key"
    )
    assert not missing.exists()  # a key of its own would seal what no other process opens

    # An app started in-process (as each worker of `serve` starts) refuses the same way.
    with pytest.raises(
        AssertionError, match=r"SecretsKeyError: the secrets key file .* does not open"
    ):
        make_index(secrets_key_file=str(other))
    # The right key still starts.
    assert make_index(secrets_key_file=str(mine)).client.get("/v1/_ping").status_code == 200


def test_secrets_stored_plain_before_are_sealed_by_db_upgrade(
    make_index: Callable[..., Index], receiver: Receiver, database_url: str, tmp_path: Path
):
    key_file = tmp_path / "keys"
    index = make_index(**ALLOW, secrets_key_file=str(key_file))
    _, headers, hook_path, hook = _hooked(index, receiver)
    secret = hook["secret"]
    # As a hubindex before migration 0018 kept it, in the hook and in a waiting delivery.
    _execute(database_url, "UPDATE webhook_hooks SET secret = :secret", secret=secret)
    assert _stored(database_url, "webhook_hooks") == [secret]

    upgraded = hubindex("db", "upgrade", database_url=database_url, environment=_keys(key_file))
    assert upgraded.stdout == "hubindex: the database is up to date: no migration was pending\n"
    [sealed] = _stored(database_url, "webhook_hooks")
    assert secret not in sealed
    assert Sealer(read_keys(key_file)).open(sealed) == secret
    assert _verifies(secret, _test_delivery(index, receiver, headers, hook_path))


def test_migration_0018_keeps_the_rows_and_db_upgrade_seals_what_it_finds_plain(
    make_index: Callable[..., Index], receiver: Receiver, database_url: str, tmp_path: Path
):
    key_file = tmp_path / "keys"
    index = make_index(**ALLOW, secrets_key_file=str(key_file))
    _, headers, hook_path, hook = _hooked(index, receiver)
    secret = hook["secret"]
    assert _verifies(secret, _test_delivery(index, receiver, headers, hook_path))
    index.close()
    # The database as hubindex before 0018 left it: its secrets plain.
    command.downgrade(config(database_url), "0017")
    for table in ("webhook_hooks", "webhook_deliveries"):
        _execute(database_url, f"UPDATE {table} SET secret = :secret", secret=secret)

    upgraded = hubindex("db", "upgrade", database_url=database_url, environment=_keys(key_file))
    assert "hubindex: applied migration 0018: Webhook secrets sealed at rest" in upgraded.stdout
    hooks = _stored(database_url, "webhook_hooks")
    deliveries = _stored(database_url, "webhook_deliveries")
    assert len(hooks) == 1
    assert len(deliveries) == 1  # SQLite: not deleted with a copy of the hooks' table
    sealer = Sealer(read_keys(key_file))
    assert {sealer.open(value) for value in hooks + deliveries} == {secret}
    assert secret not in "".join(hooks + deliveries)

    again = make_index(**ALLOW, secrets_key_file=str(key_file))
    assert _verifies(secret, _test_delivery(again, receiver, headers, hook_path))


def test_rotation_seals_every_secret_with_a_new_key_while_serving(
    make_index: Callable[..., Index], receiver: Receiver, database_url: str, tmp_path: Path
):
    key_file = tmp_path / "keys"
    index = make_index(**ALLOW, secrets_key_file=str(key_file))
    _, headers, hook_path, hook = _hooked(index, receiver)
    secret = hook["secret"]
    assert _verifies(secret, _test_delivery(index, receiver, headers, hook_path))
    [old_key] = read_keys(key_file)
    before = sorted(
        _stored(database_url, "webhook_hooks") + _stored(database_url, "webhook_deliveries")
    )

    rotated = hubindex("secrets", "rotate", database_url=database_url, environment=_keys(key_file))
    assert rotated.stdout.startswith(
        f"hubindex: sealed 2 webhook secrets with a new key, now first in {key_file};"
    )
    new_key_, kept = read_keys(key_file)
    assert kept == old_key
    after = _stored(database_url, "webhook_hooks") + _stored(database_url, "webhook_deliveries")
    assert not set(after) & set(before)
    assert {Sealer([new_key_]).open(value) for value in after} == {secret}
    # The serving process reads the changed key file when it meets what it cannot open.
    assert _verifies(secret, _test_delivery(index, receiver, headers, hook_path))

    dropped = hubindex(
        "secrets", "reseal", "--drop-old-keys", database_url=database_url,
        environment=_keys(key_file),
    )  # fmt: skip
    assert dropped.stdout == (
        f"hubindex: sealed 3 webhook secrets with the first key of {key_file}; dropped 1 older"
        " keys from it\n"
    )
    assert read_keys(key_file) == [new_key_]
    assert key_file.stat().st_mode & 0o777 == 0o600

    old_only = tmp_path / "old.key"
    write_keys(old_only, [old_key], replace=False)
    refused = hubindex(
        "db", "upgrade", database_url=database_url, environment=_keys(old_only), check=False
    )
    assert refused.returncode == 1
    assert "does not open the database's webhook secrets" in refused.stderr


def test_reseal_goes_a_batch_at_a_time_and_leaves_what_no_key_opens(
    make_index: Callable[..., Index],
    receiver: Receiver,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    key_file = tmp_path / "keys"
    index = make_index(**ALLOW, secrets_key_file=str(key_file))
    _, headers, hook_path, hook = _hooked(index, receiver)
    for _ in range(3):
        _test_delivery(index, receiver, headers, hook_path)
    # One delivery sealed by a key no process has any more (dropped too early).
    foreign = Sealer([new_key()]).seal(hook["secret"])
    _execute(
        database_url,
        "UPDATE webhook_deliveries SET secret = :foreign"
        " WHERE id = (SELECT MIN(id) FROM webhook_deliveries)",
        foreign=foreign,
    )
    monkeypatch.setattr(secrets_key, "BATCH", 2)
    write_keys(key_file, [new_key(), *read_keys(key_file)], replace=True)

    done = secrets_key.reseal(index.settings, drop_old_keys=True)
    assert (done.secrets, done.unopened, done.keys_dropped) == (3, 1, 1)
    [only_key] = read_keys(key_file)
    stored = _stored(database_url, "webhook_hooks") + _stored(database_url, "webhook_deliveries")
    assert foreign in stored
    opened = [Sealer([only_key]).opens(value) for value in stored]
    assert opened.count(False) == 1
