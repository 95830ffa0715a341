"""The operator's ``hubindex`` commands record their changes in the audit log, on both
backends: the real command runs, and ``GET /v2/auditlogs/{account}`` shows the event, its
actor ``hubindex-operator``, and what ran it; a command refused records nothing."""

import getpass

from server.services.audit import OPERATOR
from tests.functional.orgs_support import org_name, sign_in
from tests.functional.support import new_repository
from tests.functional.test_audit import actions, log
from tests.harness import Index, hubindex, new_account


def _operator_events(index: Index, account: str, headers: dict[str, str]) -> list[dict]:
    return [event for event in log(index, account, headers) if event["actor"] == OPERATOR]


def _ran(event: dict, command: str) -> None:
    assert event["actor"] == OPERATOR
    assert event["data"]["command"] == f"hubindex {command}"
    assert event["data"]["system_user"] == getpass.getuser()


def test_the_account_commands_record_their_changes_with_the_operator_as_actor(index: Index):
    admin = index.admin()
    headers = sign_in(index, admin)
    account = new_account()
    url = index.database_url
    hubindex(
        "users", "create", account.username, "--email", account.email, "--password-stdin",
        database_url=url, stdin=f"{account.password}\n",
    )  # fmt: skip
    hubindex("users", "disable", account.username, database_url=url)
    hubindex("users", "enable", account.username, database_url=url)
    hubindex("users", "activate", account.username, database_url=url)
    hubindex(
        "users", "set-password", account.username, "--password-stdin",
        database_url=url, stdin="another-password\n",
    )  # fmt: skip

    events = _operator_events(index, account.username, headers)
    assert actions(events) == [
        "user.password.change",
        "user.enable",
        "user.enable",
        "user.disable",
        "user.create",
    ]
    for event, command in zip(
        events,
        ["users set-password", "users enable", "users enable", "users disable", "users create"],
        strict=True,
    ):
        _ran(event, command)
        assert event["account"] == account.username
        assert event["name"] == account.username
    assert events[-1]["data"]["role"] == "user"
    assert events[0]["action_description"] == f"Password Set: {account.username}"
    # The password is nowhere in the log.
    assert "another-password" not in str(events)
    # The actor filter finds them: no account can be named so.
    by_operator = log(index, account.username, headers, actor=OPERATOR)
    assert actions(by_operator) == actions(events)

    # The account reads its own log, the operator's events in it.
    own = sign_in(index, account.__class__(account.username, "another-password", account.email))
    assert "user.disable" in actions(log(index, account.username, own))

    hubindex("users", "delete", account.username, database_url=url)
    # The deleted account's log, which administrators still read, ends with its deletion.
    [deleted, *_] = log(index, account.username, headers)
    assert deleted["action"] == "user.delete"
    _ran(deleted, "users delete")


def test_an_administrator_made_by_the_operator_is_recorded_so(index: Index):
    admin = index.admin()
    made = new_account()
    hubindex(
        "users", "create", made.username, "--email", made.email, "--admin", "--password-stdin",
        database_url=index.database_url, stdin=f"{made.password}\n",
    )  # fmt: skip
    [event] = _operator_events(index, made.username, sign_in(index, admin))
    assert event["action"] == "user.create"
    assert event["data"]["role"] == "admin"


def test_orgs_create_records_the_creation_in_the_organizations_log(index: Index):
    owner = index.account()
    name = org_name()
    hubindex("orgs", "create", name, "--owner", owner.username, database_url=index.database_url)
    # Its owner reads it.
    [event] = [e for e in log(index, name, sign_in(index, owner)) if e["action"] == "org.create"]
    _ran(event, "orgs create")
    assert event["account"] == name
    assert event["name"] == name
    assert event["data"]["owner"] == owner.username


def test_a_refused_command_records_nothing(index: Index):
    admin = index.admin()
    headers = sign_in(index, admin)
    owner = index.account()
    new_repository(index, owner)
    url = index.database_url
    # An account that owns repositories is not deleted: no event either.
    refused = hubindex("users", "delete", owner.username, database_url=url, check=False)
    assert refused.returncode == 1
    missing = hubindex("users", "disable", "no_such_user", database_url=url, check=False)
    assert missing.returncode == 1
    taken = hubindex(
        "orgs", "create", owner.username, "--owner", owner.username,
        database_url=url, check=False,
    )  # fmt: skip
    assert taken.returncode == 1
    assert _operator_events(index, owner.username, headers) == []
    assert log(index, "no_such_user", headers) == []
