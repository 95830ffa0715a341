import pytest

from server.auth import (
    Access,
    Account,
    Grant,
    Identity,
    Level,
    RepositoryName,
    Scope,
    Standing,
    authorize,
    authorize_account,
    authorize_level,
)
from server.errors import AuthenticationFailed, NotFound, PermissionDenied

ALICE = Account(1, "alice", is_admin=False)
ADMIN = Account(2, "root", is_admin=True)
OWN = RepositoryName("alice", "app")
OTHER = RepositoryName("bobby", "app")
LIBRARY = RepositoryName.of(None, "ubuntu")


def _pat(scope: Scope, account: Account = ALICE) -> Account:
    return Account(account.user_id, account.username, account.is_admin, scope, "uuid")


ALLOWED, UNAUTHENTICATED, DENIED = "allowed", AuthenticationFailed, PermissionDenied
HIDDEN = NotFound


def _granted(identity: Identity, repository: RepositoryName) -> Level:
    """What server.services.permissions reads for these callers: the owner of the namespace
    (not library) and administrators hold admin."""
    holder = identity
    if isinstance(identity, Grant):
        holder = {1: ALICE, 2: ADMIN}.get(identity.holder or 0)
    if not isinstance(holder, Account):
        return Level.NONE
    if holder.is_admin or (
        holder.username == repository.namespace and repository.namespace != "library"
    ):
        return Level.ADMIN
    return Level.NONE


CASES: list[tuple[Identity, RepositoryName, Access, object]] = [
    (None, OWN, Access.READ, ALLOWED),
    (None, OWN, Access.WRITE, UNAUTHENTICATED),
    (None, OWN, Access.DELETE, UNAUTHENTICATED),
    (ALICE, OWN, Access.WRITE, ALLOWED),
    (ALICE, OWN, Access.DELETE, ALLOWED),
    (ALICE, OTHER, Access.READ, ALLOWED),
    (ALICE, OTHER, Access.WRITE, DENIED),
    (ALICE, OTHER, Access.DELETE, DENIED),
    (ALICE, LIBRARY, Access.WRITE, DENIED),
    (ALICE, LIBRARY, Access.DELETE, DENIED),
    (ADMIN, OTHER, Access.WRITE, ALLOWED),
    (ADMIN, LIBRARY, Access.WRITE, ALLOWED),
    (ADMIN, LIBRARY, Access.DELETE, ALLOWED),
    (Grant(OWN, Access.READ, holder=1), OWN, Access.READ, ALLOWED),
    (Grant(OWN, Access.WRITE, holder=1), OWN, Access.READ, ALLOWED),
    (Grant(OWN, Access.DELETE, holder=1), OWN, Access.READ, ALLOWED),
    (Grant(OWN, Access.WRITE, holder=1), OWN, Access.WRITE, ALLOWED),
    (Grant(OWN, Access.READ, holder=1), OWN, Access.WRITE, DENIED),
    (Grant(OWN, Access.DELETE, holder=1), OWN, Access.WRITE, DENIED),
    (Grant(OWN, Access.WRITE, holder=1), OWN, Access.DELETE, DENIED),
    (Grant(OWN, Access.WRITE, holder=1), OTHER, Access.READ, DENIED),
    (Grant(OWN, Access.WRITE, holder=1), OTHER, Access.WRITE, DENIED),
    # A personal access token: its scope, within what its account may.
    (_pat(Scope.PUBLIC_READ), OTHER, Access.READ, ALLOWED),
    (_pat(Scope.PUBLIC_READ), OWN, Access.WRITE, DENIED),
    (_pat(Scope.READ), OWN, Access.READ, ALLOWED),
    (_pat(Scope.READ), OWN, Access.WRITE, DENIED),
    (_pat(Scope.WRITE), OWN, Access.WRITE, ALLOWED),
    (_pat(Scope.WRITE), OWN, Access.DELETE, DENIED),
    (_pat(Scope.WRITE), OTHER, Access.WRITE, DENIED),
    (_pat(Scope.ADMIN), OWN, Access.DELETE, ALLOWED),
    (_pat(Scope.ADMIN), OTHER, Access.DELETE, DENIED),
    (_pat(Scope.ADMIN), LIBRARY, Access.WRITE, DENIED),
    (_pat(Scope.ADMIN, ADMIN), LIBRARY, Access.DELETE, ALLOWED),
    (_pat(Scope.READ, ADMIN), LIBRARY, Access.WRITE, DENIED),
]


@pytest.mark.parametrize(("identity", "repository", "access", "outcome"), CASES)
def test_authorize(identity: Identity, repository: RepositoryName, access: Access, outcome):
    standing = Standing.public(_granted(identity, repository))
    if outcome is ALLOWED:
        authorize(identity, repository, access, standing)
    else:
        with pytest.raises(outcome):
            authorize(identity, repository, access, standing)


BOBBY = Account(3, "bobby", is_admin=False)
PRIVATE = RepositoryName("alice", "secret")


def _private(granted: Level) -> Standing:
    return Standing(exists=True, is_private=True, granted=granted)


# (identity, access, the level its grants give on alice/secret, which is private, outcome)
PRIVATE_CASES: list[tuple[Identity, Access, Level, object]] = [
    (None, Access.READ, Level.NONE, HIDDEN),
    (None, Access.WRITE, Level.NONE, UNAUTHENTICATED),
    (BOBBY, Access.READ, Level.NONE, HIDDEN),
    (BOBBY, Access.WRITE, Level.NONE, DENIED),
    (BOBBY, Access.DELETE, Level.NONE, DENIED),
    # a collaborator
    (BOBBY, Access.READ, Level.WRITE, ALLOWED),
    (BOBBY, Access.WRITE, Level.WRITE, ALLOWED),
    (BOBBY, Access.DELETE, Level.WRITE, DENIED),
    (ALICE, Access.READ, Level.ADMIN, ALLOWED),
    (ALICE, Access.DELETE, Level.ADMIN, ALLOWED),
    (_pat(Scope.PUBLIC_READ), Access.READ, Level.ADMIN, HIDDEN),
    (_pat(Scope.READ), Access.READ, Level.ADMIN, ALLOWED),
    (_pat(Scope.READ), Access.WRITE, Level.ADMIN, DENIED),
    # tokens: as their holders' grants are now
    (Grant(PRIVATE, Access.READ), Access.READ, Level.NONE, HIDDEN),
    (Grant(PRIVATE, Access.READ, holder=3), Access.READ, Level.WRITE, ALLOWED),
    (Grant(PRIVATE, Access.WRITE, holder=3), Access.WRITE, Level.WRITE, ALLOWED),
    (Grant(PRIVATE, Access.WRITE, holder=3), Access.WRITE, Level.NONE, DENIED),
    (Grant(PRIVATE, Access.WRITE, holder=3), Access.READ, Level.NONE, HIDDEN),
    (Grant(PRIVATE, Access.READ, holder=1, scope=Scope.PUBLIC_READ), Access.READ, Level.ADMIN,
     HIDDEN),
    (Grant(PRIVATE, Access.DELETE, holder=1, deleted=True), Access.READ, Level.NONE, ALLOWED),
]  # fmt: skip


@pytest.mark.parametrize(("identity", "access", "granted", "outcome"), PRIVATE_CASES)
def test_authorize_a_private_repository(
    identity: Identity, access: Access, granted: Level, outcome: object
):
    if outcome is ALLOWED:
        authorize(identity, PRIVATE, access, _private(granted))
    else:
        with pytest.raises(outcome):  # type: ignore[call-overload]
            authorize(identity, PRIVATE, access, _private(granted))


def test_a_hidden_repository_is_answered_as_a_missing_one():
    missing = Standing(exists=False, is_private=False, granted=Level.NONE)
    with pytest.raises(NotFound) as hidden:
        authorize(BOBBY, PRIVATE, Access.READ, _private(Level.NONE))
    authorize(BOBBY, PRIVATE, Access.READ, missing)  # the lookup that follows says 404
    with pytest.raises(PermissionDenied) as private_write:
        authorize(BOBBY, PRIVATE, Access.WRITE, _private(Level.NONE))
    with pytest.raises(PermissionDenied) as missing_write:
        authorize(BOBBY, PRIVATE, Access.WRITE, missing)
    assert str(hidden.value) == "repository alice/secret not found"
    assert str(private_write.value) == str(missing_write.value)


@pytest.mark.parametrize(
    ("identity", "standing", "outcome"),
    [
        (ALICE, _private(Level.ADMIN), ALLOWED),
        (ADMIN, _private(Level.ADMIN), ALLOWED),
        (_pat(Scope.ADMIN), _private(Level.ADMIN), ALLOWED),
        (_pat(Scope.WRITE), _private(Level.ADMIN), DENIED),
        (BOBBY, _private(Level.WRITE), DENIED),
        (BOBBY, _private(Level.NONE), HIDDEN),
        (BOBBY, Standing.public(), DENIED),
        (ALICE, Standing(exists=False, is_private=False, granted=Level.ADMIN), HIDDEN),
        (None, Standing.public(), UNAUTHENTICATED),
        (Grant(PRIVATE, Access.DELETE, holder=1), _private(Level.ADMIN), UNAUTHENTICATED),
    ],
)
def test_authorize_level(identity: Identity, standing: Standing, outcome: object):
    if outcome is ALLOWED:
        authorize_level(identity, PRIVATE, standing)
    else:
        with pytest.raises(outcome):  # type: ignore[call-overload]
            authorize_level(identity, PRIVATE, standing)


def test_a_one_segment_name_is_in_library():
    assert RepositoryName.parse("ubuntu") == RepositoryName("library", "ubuntu")
    assert str(RepositoryName.of(None, "ubuntu")) == "library/ubuntu"


@pytest.mark.parametrize(
    ("identity", "username", "outcome"),
    [
        (ALICE, "alice", ALLOWED),
        (ADMIN, "alice", ALLOWED),
        (ALICE, "bobby", DENIED),
        (None, "alice", UNAUTHENTICATED),
        (Grant(OWN, Access.WRITE, holder=1), "alice", UNAUTHENTICATED),
        (_pat(Scope.ADMIN), "alice", DENIED),
        (_pat(Scope.ADMIN, ADMIN), "alice", DENIED),
    ],
)
def test_authorize_account(identity: Identity, username: str, outcome):
    if outcome is ALLOWED:
        assert authorize_account(identity, username) == identity
    else:
        with pytest.raises(outcome):
            authorize_account(identity, username)


def test_the_highest_scope_is_the_tokens():
    assert Scope.highest(["repo:read", "repo:admin", "repo:write"]) is Scope.ADMIN
    assert Scope.highest(["repo:public_read"]) is Scope.PUBLIC_READ
    assert [scope.rank for scope in Scope] == [0, 1, 2, 3]
