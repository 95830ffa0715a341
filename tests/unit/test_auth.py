import pytest

from server.auth import (
    Access,
    Account,
    Grant,
    Identity,
    RepositoryName,
    authorize,
    authorize_account,
)
from server.errors import AuthenticationFailed, PermissionDenied

ALICE = Account(1, "alice", is_admin=False)
ADMIN = Account(2, "root", is_admin=True)
OWN = RepositoryName("alice", "app")
OTHER = RepositoryName("bobby", "app")
LIBRARY = RepositoryName.of(None, "ubuntu")

ALLOWED, UNAUTHENTICATED, DENIED = "allowed", AuthenticationFailed, PermissionDenied

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
    (Grant(OWN, Access.READ), OWN, Access.READ, ALLOWED),
    (Grant(OWN, Access.WRITE), OWN, Access.READ, ALLOWED),
    (Grant(OWN, Access.DELETE), OWN, Access.READ, ALLOWED),
    (Grant(OWN, Access.WRITE), OWN, Access.WRITE, ALLOWED),
    (Grant(OWN, Access.READ), OWN, Access.WRITE, DENIED),
    (Grant(OWN, Access.DELETE), OWN, Access.WRITE, DENIED),
    (Grant(OWN, Access.WRITE), OWN, Access.DELETE, DENIED),
    (Grant(OWN, Access.WRITE), OTHER, Access.READ, DENIED),
    (Grant(OWN, Access.WRITE), OTHER, Access.WRITE, DENIED),
]


@pytest.mark.parametrize(("identity", "repository", "access", "outcome"), CASES)
def test_authorize(identity: Identity, repository: RepositoryName, access: Access, outcome):
    if outcome is ALLOWED:
        authorize(identity, repository, access)
    else:
        with pytest.raises(outcome):
            authorize(identity, repository, access)


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
        (Grant(OWN, Access.WRITE), "alice", UNAUTHENTICATED),
    ],
)
def test_authorize_account(identity: Identity, username: str, outcome):
    if outcome is ALLOWED:
        assert authorize_account(identity, username) == identity
    else:
        with pytest.raises(outcome):
            authorize_account(identity, username)
