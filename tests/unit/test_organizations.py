"""server.services.organizations.permit: who may act on an organization, by role (pure)."""

from datetime import UTC, datetime

import pytest

from server.auth import Account, Scope
from server.errors import AuthenticationFailed, PermissionDenied
from server.services.organizations import (
    OWNERS,
    READERS,
    REPOSITORY_MANAGERS,
    OrgRecord,
    OrgRole,
    Standing,
    permit,
)

ORG = OrgRecord(1, "acmecorp", datetime.now(UTC))
USER = Account(7, "alice", is_admin=False)
ADMIN = Account(8, "root", is_admin=True)


def standing(role: OrgRole | None) -> Standing:
    return Standing(ORG, role)


@pytest.mark.parametrize(
    ("allowed", "role", "permitted"),
    [
        (READERS, OrgRole.MEMBER, True),
        (READERS, None, False),
        (OWNERS, OrgRole.OWNER, True),
        (OWNERS, OrgRole.EDITOR, False),
        (OWNERS, OrgRole.MEMBER, False),
        (REPOSITORY_MANAGERS, OrgRole.EDITOR, True),
        (REPOSITORY_MANAGERS, OrgRole.MEMBER, False),
    ],
)
def test_a_role_permits_what_its_set_names(allowed, role, permitted):
    if permitted:
        assert permit(USER, standing(role), allowed, "act") is USER
    else:
        with pytest.raises(PermissionDenied):
            permit(USER, standing(role), allowed, "act")


def test_an_administrator_needs_no_role():
    assert permit(ADMIN, standing(None), OWNERS, "act") is ADMIN


def test_a_stranger_is_told_it_is_no_member():
    with pytest.raises(PermissionDenied, match="alice is not a member of acmecorp"):
        permit(USER, standing(None), OWNERS, "add members")


def test_anonymous_and_tokens_of_a_repository_are_not_accounts():
    with pytest.raises(AuthenticationFailed):
        permit(None, standing(None), READERS, "list", changes=False)


def test_an_access_token_reads_but_changes_nothing():
    pat = Account(7, "alice", is_admin=True, scope=Scope.ADMIN, token="uuid")
    assert permit(pat, standing(OrgRole.OWNER), READERS, "list", changes=False) is pat
    with pytest.raises(PermissionDenied, match="an access token may not add members"):
        permit(pat, standing(OrgRole.OWNER), OWNERS, "add members")
