import dataclasses

import pytest

from server.auth import Access, Grant, RepositoryName
from server.errors import AuthenticationFailed
from server.http.credentials import parse_token
from server.services.tokens import TokenService

REPO = RepositoryName("alice", "app")


class FixedKey:
    def __init__(self, key: bytes) -> None:
        self.key = key

    async def get(self, _session: object) -> bytes:
        return self.key


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _service(key: bytes = b"k" * 32, clock: Clock | None = None) -> TokenService:
    return TokenService(None, FixedKey(key), 60, clock or Clock())  # type: ignore[arg-type]


pytestmark = pytest.mark.anyio


async def test_a_token_round_trips_as_the_client_sends_it_back():
    tokens = _service()
    token = await tokens.issue(REPO, Access.WRITE)
    text = str(token)
    assert text.startswith("signature=")
    assert text.endswith(',repository="alice/app",access=write')
    signature = text.split(",", maxsplit=1)[0].removeprefix("signature=")
    assert not set(signature) & set(",\"' ")
    assert await tokens.verify(parse_token(text)) == Grant(REPO, Access.WRITE)


async def test_a_token_is_reusable_until_it_expires():
    clock = Clock()
    tokens = _service(clock=clock)
    credential = parse_token(str(await tokens.issue(REPO, Access.READ)))
    for _ in range(3):
        assert await tokens.verify(credential) == Grant(REPO, Access.READ)
    clock.now += 60
    with pytest.raises(AuthenticationFailed, match="expired"):
        await tokens.verify(credential)


@pytest.mark.parametrize(
    "edit",
    [
        {"repository": "alice/other"},
        {"repository": "mallory/app"},
        {"access": "delete"},
        {"access": "admin"},
    ],
)
async def test_an_edited_token_is_refused(edit: dict[str, str]):
    tokens = _service()
    credential = parse_token(str(await tokens.issue(REPO, Access.READ)))
    with pytest.raises(AuthenticationFailed):
        await tokens.verify(dataclasses.replace(credential, **edit))


@pytest.mark.parametrize(
    "signature", ["", "garbage", "9999999999.AAAA", "abc.def", "9999999999", "9999999999."]
)
async def test_a_forged_signature_is_refused(signature: str):
    credential = parse_token(f'signature={signature},repository="alice/app",access=read')
    with pytest.raises(AuthenticationFailed):
        await _service().verify(credential)


async def test_a_token_from_another_database_is_refused():
    token = await _service(b"a" * 32).issue(REPO, Access.WRITE)
    with pytest.raises(AuthenticationFailed):
        await _service(b"b" * 32).verify(parse_token(str(token)))


async def test_a_later_expiry_in_a_forged_signature_does_not_verify():
    tokens = _service()
    token = await tokens.issue(REPO, Access.WRITE)
    expires, holder, mac = token.signature.split(".")
    forged = f'signature={int(expires) + 3600}.{holder}.{mac},repository="alice/app",access=write'
    with pytest.raises(AuthenticationFailed):
        await tokens.verify(parse_token(forged))


async def test_a_token_names_its_holder_and_cannot_be_moved_to_another():
    tokens = _service()
    token = await tokens.issue(REPO, Access.WRITE, 7)
    assert await tokens.verify(parse_token(str(token))) == Grant(REPO, Access.WRITE, 7)
    expires, _holder, mac = token.signature.split(".")
    for holder in ("8", "0"):
        moved = f'signature={expires}.{holder}.{mac},repository="alice/app",access=write'
        with pytest.raises(AuthenticationFailed, match="invalid token"):
            await tokens.verify(parse_token(moved))


async def test_an_anonymous_token_has_no_holder():
    tokens = _service()
    token = await tokens.issue(REPO, Access.READ)
    assert await tokens.verify(parse_token(str(token))) == Grant(REPO, Access.READ, None)


async def test_a_token_of_the_earlier_shape_without_a_holder_is_refused():
    """Signed as tokens were before they named a holder: one of a since disabled account
    must not pass for an anonymous one."""
    tokens = _service()
    expires = 1_000_000 + 60
    mac = tokens._mac(b"k" * 32, REPO, Access.WRITE, expires, 0)
    old = f'signature={expires}.{mac},repository="alice/app",access=write'
    with pytest.raises(AuthenticationFailed, match="invalid token"):
        await tokens.verify(parse_token(old))
