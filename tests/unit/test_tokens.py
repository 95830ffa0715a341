import dataclasses

import pytest

from server.auth import Access, Grant, RepositoryName, Scope
from server.errors import AccountInactive, AuthenticationFailed, NotFound
from server.http.credentials import parse_token
from server.services.tokens import Standing, TokenService, _stamp

REPO = RepositoryName("alice", "app")
KEY = b"k" * 32
INSTANCE = 41


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


class World(TokenService):
    """A token service over a database of a few lines: repository instances by name, active
    accounts' password hashes by id, and tombstones."""

    def __init__(self, key: bytes = KEY, clock: Clock | None = None) -> None:
        super().__init__(None, FixedKey(key), 60, clock or Clock())  # type: ignore[arg-type]
        self.instances = {REPO: INSTANCE}
        self.passwords = {7: "hash-of-7", 8: "hash-of-8"}
        self.tombstones: set[tuple[RepositoryName, int]] = set()
        # active access tokens: uuid -> (digest, expiry in Unix seconds or None)
        self.access_tokens: dict[str, tuple[str, int | None]] = {"pat-1": ("d1", None)}

    async def standing(self, repository: RepositoryName, holder: int, via: str = "-") -> Standing:
        instance = self.instances.get(repository)
        if not holder:
            return Standing(instance, "-")
        password = self.passwords.get(holder)
        if password is None:
            return Standing(instance, None)
        if via == "-":
            return Standing(instance, _stamp(KEY, password))
        found = self.access_tokens.get(via)
        if found is None:  # deleted or inactive
            return Standing(instance, None)
        digest, until = found
        return Standing(instance, _stamp(KEY, f"{password}\n{digest}"), Scope.READ, until)

    async def _tombstone(self, repository: RepositoryName, instance: int) -> bool:
        return (repository, instance) in self.tombstones


pytestmark = pytest.mark.anyio


async def test_a_token_round_trips_as_the_client_sends_it_back():
    tokens = World()
    token = await tokens.issue(REPO, Access.WRITE, 7)
    text = str(token)
    assert text.startswith("signature=")
    assert text.endswith(',repository="alice/app",access=write')
    signature = text.split(",", maxsplit=1)[0].removeprefix("signature=")
    assert not set(signature) & set(",\"' ")
    assert await tokens.verify(parse_token(text)) == Grant(REPO, Access.WRITE, 7, INSTANCE)


async def test_a_token_is_reusable_until_it_expires():
    clock = Clock()
    tokens = World(clock=clock)
    credential = parse_token(str(await tokens.issue(REPO, Access.READ)))
    for _ in range(3):
        assert await tokens.verify(credential) == Grant(REPO, Access.READ, None, INSTANCE)
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
    tokens = World()
    credential = parse_token(str(await tokens.issue(REPO, Access.READ)))
    with pytest.raises(AuthenticationFailed):
        await tokens.verify(dataclasses.replace(credential, **edit))


@pytest.mark.parametrize(
    "signature",
    ["", "garbage", "9999999999.AAAA", "abc.def", "9999999999", "9999999999.", "1.2.3.4.5.6"],
)
async def test_a_forged_signature_is_refused(signature: str):
    credential = parse_token(f'signature={signature},repository="alice/app",access=read')
    with pytest.raises(AuthenticationFailed):
        await World().verify(credential)


async def test_a_token_from_another_database_is_refused():
    token = await World(b"a" * 32).issue(REPO, Access.WRITE, 7)
    with pytest.raises(AuthenticationFailed):
        await World(b"b" * 32).verify(parse_token(str(token)))


@pytest.mark.parametrize(
    "field", [0, 1, 2, 3, 4], ids=["expiry", "holder", "via", "instance", "stamp"]
)
async def test_no_field_of_the_signature_can_be_edited(field: int):
    tokens = World()
    token = await tokens.issue(REPO, Access.WRITE, 7)
    parts = token.signature.split(".")
    edits = {0: str(int(parts[0]) + 3600), 1: "8", 2: "pat-1", 3: "42", 4: "AAAAAAAAAAA"}
    parts[field] = edits[field]
    forged = f'signature={".".join(parts)},repository="alice/app",access=write'
    with pytest.raises(AuthenticationFailed, match="invalid token"):
        await tokens.verify(parse_token(forged))


async def test_a_token_names_its_holder_and_cannot_be_moved_to_another():
    tokens = World()
    token = await tokens.issue(REPO, Access.WRITE, 7)
    expires, _holder, via, instance, stamp, mac = token.signature.split(".")
    for holder in ("8", "0"):
        moved = f"signature={expires}.{holder}.{via}.{instance}.{stamp}.{mac}"
        with pytest.raises(AuthenticationFailed, match="invalid token"):
            await tokens.verify(parse_token(f'{moved},repository="alice/app",access=write'))


async def test_an_anonymous_token_has_no_holder():
    tokens = World()
    token = await tokens.issue(REPO, Access.READ)
    assert await tokens.verify(parse_token(str(token))) == Grant(REPO, Access.READ, None, INSTANCE)


async def test_anonymous_and_an_account_get_different_tokens_in_the_same_second():
    tokens = World()
    anonymous = await tokens.issue(REPO, Access.READ)
    owner = await tokens.issue(REPO, Access.READ, 7)
    stranger = await tokens.issue(REPO, Access.READ, 8)
    assert len({anonymous.signature, owner.signature, stranger.signature}) == 3


async def test_a_password_change_ends_the_holders_tokens():
    tokens = World()
    credential = parse_token(str(await tokens.issue(REPO, Access.WRITE, 7)))
    tokens.passwords[7] = "a new hash"
    with pytest.raises(AuthenticationFailed, match="password changed"):
        await tokens.verify(credential)
    other = parse_token(str(await tokens.issue(REPO, Access.WRITE, 7)))
    assert (await tokens.verify(other)).holder == 7


async def test_a_disabled_holders_tokens_stop():
    tokens = World()
    credential = parse_token(str(await tokens.issue(REPO, Access.READ, 7)))
    del tokens.passwords[7]
    with pytest.raises(AccountInactive):
        await tokens.verify(credential)


async def test_a_token_does_not_work_for_a_later_repository_of_the_same_name():
    tokens = World()
    credential = parse_token(str(await tokens.issue(REPO, Access.WRITE, 7)))
    tokens.instances[REPO] = INSTANCE + 1
    with pytest.raises(AuthenticationFailed, match="earlier repository"):
        await tokens.verify(credential)


async def test_a_token_of_a_deleted_repository_finds_it_missing():
    tokens = World()
    credential = parse_token(str(await tokens.issue(REPO, Access.WRITE, 7)))
    del tokens.instances[REPO]
    with pytest.raises(NotFound):
        await tokens.verify(credential)


async def test_a_delete_token_reads_its_tombstone_after_the_deletion():
    tokens = World()
    del tokens.instances[REPO]
    tokens.tombstones.add((REPO, INSTANCE))
    token = await tokens.issue(REPO, Access.DELETE, 7, instance=INSTANCE)
    credential = parse_token(str(token))
    deleted = Grant(REPO, Access.DELETE, 7, INSTANCE, deleted=True)
    assert await tokens.verify(credential) == deleted
    tokens.instances[REPO] = INSTANCE + 1  # created again: the token still reads the tombstone
    assert await tokens.verify(credential) == deleted
    tokens.tombstones.clear()
    with pytest.raises(AuthenticationFailed, match="earlier repository"):
        await tokens.verify(credential)


async def test_a_write_token_of_a_deleted_repository_does_not_read_the_tombstone():
    tokens = World()
    credential = parse_token(str(await tokens.issue(REPO, Access.WRITE, 7)))
    del tokens.instances[REPO]
    tokens.tombstones.add((REPO, INSTANCE))
    with pytest.raises(NotFound):
        await tokens.verify(credential)


async def test_no_token_for_a_repository_that_does_not_exist():
    with pytest.raises(NotFound):
        await World().issue(RepositoryName("alice", "none"), Access.READ)


async def test_a_request_that_may_write_reads_the_standing_fresh():
    tokens = World()
    credential = parse_token(str(await tokens.issue(REPO, Access.WRITE, 7)))
    asked: list[bool] = []

    async def cached(key, compute, *, decides=False):
        asked.append(decides)
        return await compute()

    await tokens.verify(credential, cached=cached, writes=True)
    await tokens.verify(credential, cached=cached, writes=False)
    assert asked == [True, False]


async def test_a_stamp_tells_nothing_of_the_hash_without_the_key():
    assert _stamp(b"a" * 32, "hash") != _stamp(b"b" * 32, "hash")
    assert _stamp(KEY, "hash") != _stamp(KEY, "hash2")
    assert len(_stamp(KEY, "hash")) == 11


async def test_a_token_got_with_an_access_token_ends_with_it():
    tokens = World()
    credential = parse_token(str(await tokens.issue(REPO, Access.WRITE, 7, via="pat-1")))
    assert await tokens.verify(credential) == Grant(
        REPO, Access.WRITE, 7, INSTANCE, scope=Scope.READ, token="pat-1"
    )
    del tokens.access_tokens["pat-1"]
    with pytest.raises(AuthenticationFailed, match="deleted or inactive"):
        await tokens.verify(credential)
    tokens.access_tokens["pat-1"] = ("d1", None)  # activated again
    assert (await tokens.verify(credential)).token == "pat-1"
    tokens.access_tokens["pat-1"] = ("another digest", None)  # another token of that uuid
    with pytest.raises(AuthenticationFailed):
        await tokens.verify(credential)


async def test_a_token_never_outlives_its_access_token():
    clock = Clock()
    tokens = World(clock=clock)
    tokens.access_tokens["pat-1"] = ("d1", int(clock.now) + 10)
    credential = parse_token(str(await tokens.issue(REPO, Access.READ, 7, via="pat-1")))
    assert credential.signature.split(".")[0] == str(int(clock.now) + 10)
    clock.now += 10
    with pytest.raises(AuthenticationFailed, match="expired"):
        await tokens.verify(credential)


async def test_the_access_token_a_token_names_cannot_be_edited():
    tokens = World()
    tokens.access_tokens["pat-2"] = ("d1", None)
    credential = parse_token(str(await tokens.issue(REPO, Access.WRITE, 7, via="pat-1")))
    fields = credential.signature.split(".")
    for via in ("pat-2", "-"):
        edited = ".".join([*fields[:2], via, *fields[3:]])
        with pytest.raises(AuthenticationFailed):
            await tokens.verify(dataclasses.replace(credential, signature=edited))


async def test_a_token_of_the_form_before_access_tokens_still_verifies():
    tokens = World()
    token = await tokens.issue(REPO, Access.WRITE, 7)
    expires, holder, _via, instance, stamp, _mac = token.signature.split(".")
    fields = f"{expires}.{holder}.{instance}.{stamp}"
    older = f"{fields}.{_mac_of(REPO, Access.WRITE, fields)}"
    credential = parse_token(f'signature={older},repository="alice/app",access=write')
    assert await tokens.verify(credential) == Grant(REPO, Access.WRITE, 7, INSTANCE)


def _mac_of(repository: RepositoryName, access: Access, fields: str) -> str:
    from server.services.tokens import _mac

    return _mac(KEY, repository, access, fields)
