"""The management API's signed tokens and personal access tokens: what makes one genuine, and
what ends it. The database is a stub answering the rows the services read."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import jwt
import pytest

from server.auth import Account, Scope
from server.errors import AuthenticationFailed
from server.services.access_tokens import (
    PREFIX,
    Presented,
    TokenRecord,
    derived_key,
    due_for_touch,
    is_access_token,
)
from server.services.bearer import BearerTokens

pytestmark = pytest.mark.anyio

KEY = b"k" * 64
ALICE = Account(7, "alice", False)


class FixedKey:
    async def get(self, _session: object) -> bytes:
        return KEY


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


class Result:
    def __init__(self, row: Any) -> None:
        self._row = row

    def one_or_none(self) -> Any:
        return self._row


class Users:
    """A session whose one user is ``alice``, as the database holds her now."""

    def __init__(self) -> None:
        self.row = SimpleNamespace(
            username="alice", password_hash="$argon2id$one", is_active=True, is_admin=False
        )

    async def execute(self, _statement: object, parameters: dict[str, Any]) -> Result:
        return Result(self.row if parameters["id"] == ALICE.user_id else None)


class Tokens:
    def __init__(self) -> None:
        self.found: Presented | None = None

    async def by_uuid(self, _token: str) -> Presented | None:
        return self.found


def _record(**changes: Any) -> TokenRecord:
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "uuid": "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
        "label": "ci",
        "scope": Scope.READ,
        "is_active": True,
        "expires_at": None,
        "last_used": None,
        "created_at": now,
        "creator_ip": "127.0.0.1",
        "creator_ua": "",
    }
    return TokenRecord(**{**fields, **changes})


def _service(
    users: Users | None = None, tokens: Tokens | None = None, clock: Clock | None = None
) -> tuple[BearerTokens, Users, Tokens, Clock]:
    users, tokens, clock = users or Users(), tokens or Tokens(), clock or Clock()
    service = BearerTokens(users, FixedKey(), tokens, 600, clock)  # type: ignore[arg-type]
    return service, users, tokens, clock


async def test_a_token_names_its_account_and_is_signed_with_a_derived_key():
    service, *_ = _service()
    token = await service.issue(ALICE)
    claims = jwt.decode(token, derived_key(KEY, "bearer"), algorithms=["HS256"])
    assert claims["sub"] == "alice"
    assert claims["uid"] == 7
    assert claims["exp"] - claims["iat"] == 600
    assert "$argon2id" not in token  # the password hash is fingerprinted, never carried
    assert await service.verify(token) == ALICE


async def test_the_signing_key_is_not_the_database_key_itself():
    service, *_ = _service()
    token = await service.issue(ALICE)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, KEY, algorithms=["HS256"])
    assert derived_key(KEY, "bearer") != derived_key(KEY, "access-token")


async def test_an_expired_token_is_refused():
    service, _, _, clock = _service()
    token = await service.issue(ALICE)
    clock.now += 600
    with pytest.raises(AuthenticationFailed, match="expired"):
        await service.verify(token)


@pytest.mark.parametrize(
    "edit",
    [
        {"uid": 8},
        {"sub": "bobby"},
        {"pwd": "0" * 32},
        {"exp": 9_999_999_999},
    ],
)
async def test_an_edited_token_is_refused(edit: dict[str, Any]):
    service, *_ = _service()
    token = await service.issue(ALICE)
    header, _, signature = token.split(".")
    claims = {**jwt.decode(token, options={"verify_signature": False}), **edit}
    payload = jwt.encode(claims, "x" * 32, algorithm="HS256").split(".")[1]
    with pytest.raises(AuthenticationFailed, match="invalid token"):
        await service.verify(f"{header}.{payload}.{signature}")


@pytest.mark.parametrize("algorithm", ["none", "HS512"])
async def test_only_hs256_with_our_key_is_taken(algorithm: str):
    service, *_ = _service()
    claims = jwt.decode(await service.issue(ALICE), options={"verify_signature": False})
    key = None if algorithm == "none" else derived_key(KEY, "bearer") * 2
    token = jwt.encode(claims, key, algorithm=algorithm)  # type: ignore[arg-type]
    with pytest.raises(AuthenticationFailed, match="invalid token"):
        await service.verify(token)


async def test_a_new_password_or_a_disabled_account_ends_it():
    service, users, _, _ = _service()
    token = await service.issue(ALICE)
    users.row.password_hash = "$argon2id$two"
    with pytest.raises(AuthenticationFailed, match="sign in again"):
        await service.verify(token)
    token = await service.issue(ALICE)
    users.row.is_active = False
    with pytest.raises(AuthenticationFailed, match="disabled"):
        await service.verify(token)


async def test_a_token_got_with_an_access_token_carries_its_scope_and_ends_with_it():
    service, _, tokens, _ = _service()
    record = _record()
    tokens.found = Presented(1, record, ALICE.user_id, "alice", True, False)
    from_pat = Account(7, "alice", False, Scope.READ, record.uuid)
    token = await service.issue(from_pat)
    assert await service.verify(token) == from_pat
    tokens.found = Presented(1, _record(is_active=False), 7, "alice", True, False)
    with pytest.raises(AuthenticationFailed, match="inactive"):
        await service.verify(token)
    past = datetime.now(UTC) - timedelta(seconds=1)
    tokens.found = Presented(1, _record(expires_at=past), 7, "alice", True, False)
    with pytest.raises(AuthenticationFailed, match="expired"):
        await service.verify(token)
    tokens.found = Presented(1, record, 8, "bobby", True, False)  # another's: as deleted
    with pytest.raises(AuthenticationFailed, match="deleted"):
        await service.verify(token)
    tokens.found = None
    with pytest.raises(AuthenticationFailed, match="deleted"):
        await service.verify(token)


def test_access_tokens_are_recognised_by_their_prefix():
    assert PREFIX == "hbi_pat_"
    assert is_access_token("hbi_pat_abc")
    assert not is_access_token("a password")


def test_last_used_is_written_at_most_once_a_minute():
    now = datetime.now(UTC)
    assert due_for_touch(_record(last_used=None), now)
    assert not due_for_touch(_record(last_used=now - timedelta(seconds=59)), now)
    assert due_for_touch(_record(last_used=now - timedelta(seconds=60)), now)
