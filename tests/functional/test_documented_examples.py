"""The spec's documented examples are what the server sends: each error example is replayed.

For every example in ``spec/openapi.yaml`` with an ``error`` body (and the exact "already
exists" string), a case below sends the request that produces it on a fresh index and compares
the whole body with the example, and the status with the ones the example is documented under.
The token response headers are replayed the same way (their signature aside: it is made anew
each time), and the readiness answers of ``GET /v1/_ready``. An example the spec gains is
caught by ``test_every_error_example_is_replayed``: it must get a case here, or a line in
``NOT_REPLAYED`` saying why it cannot be produced from outside.

Here, not in tests/docs: the replays need the real server on a real database of each backend,
which the functional fixtures give; the docs tests are about the built pages.
"""

import asyncio
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import psycopg
import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.app import create_app
from server.cli.accounts import create_user
from server.settings import Settings
from tests.conftest import ROOT
from tests.functional.support import WANT_TOKEN, basic, image_id
from tests.harness import Index

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text("utf-8"))
TAKEN = "Username or email already exists"

# The example values the spec shows.
USERNAME, PASSWORD, EMAIL = "foobar", "toto42", "sam@docker.com"
FOOBAR = basic(USERNAME, PASSWORD)
OTHER = "otheruser"
# A client address of the examples' requests, for the limits that count by address.
ADDRESS = {"X-Forwarded-For": "192.0.2.10"}

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

# Error examples no request from outside can produce, each with the reason.
NOT_REPLAYED: dict[str, str] = {}


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def response_example(name: str) -> str:
    return _pointer("components", "responses", name, "content", "application/json", "example")


REGISTER_400 = ("paths", "/v1/users/", "post", "responses", "400", "content", "application/json")
TAKEN_EXAMPLE = _pointer(*REGISTER_400, "examples", "taken", "value")
INVALID_EXAMPLE = _pointer(*REGISTER_400, "examples", "invalid", "value")
ERROR_SCHEMA_EXAMPLE = _pointer("components", "schemas", "Error", "example")


def _resolve(pointer: str) -> Any:
    node: Any = SPEC
    for part in pointer.split("/")[1:]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _is_error(example: Any) -> bool:
    return example == TAKEN or (isinstance(example, dict) and "error" in example)


def _error_examples(node: Any = SPEC, path: tuple[str, ...] = ()) -> Iterator[str]:
    """The pointer of every example with an ``error`` body, or the "already exists" string."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example" and _is_error(value):
                yield _pointer(*path, key)
            elif key == "examples" and isinstance(value, dict):
                for name, example in value.items():
                    if isinstance(example, dict) and _is_error(example.get("value")):
                        yield _pointer(*path, key, name, "value")
            else:
                yield from _error_examples(value, (*path, key))
    elif isinstance(node, list):
        for number, item in enumerate(node):
            yield from _error_examples(item, (*path, str(number)))


def _statuses(pointer: str) -> set[int]:
    """The statuses under which the example at ``pointer`` is documented."""
    parts = pointer.split("/")[1:]
    if parts[0] == "paths":
        return {int(parts[parts.index("responses") + 1])}
    if parts[:2] == ["components", "schemas"]:
        return {int(code) for code in _documented_statuses() if int(code) >= 400}
    ref = f"#/components/responses/{parts[2]}"
    return {int(code) for code, refs in _documented_statuses().items() if ref in refs}


def _documented_statuses() -> dict[str, set[str]]:
    """Each status of every operation, with the response components it refers to."""
    found: dict[str, set[str]] = {}
    for item in SPEC["paths"].values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for code, response in operation["responses"].items():
                found.setdefault(code, set()).add(response.get("$ref", ""))
    return found


# Setting up what the examples name -------------------------------------------------------------


def foobar(index: Index) -> None:
    """The account ``foobar`` (password ``toto42``, email ``sam@docker.com``), active."""
    create_user(index.settings, USERNAME, EMAIL, PASSWORD, False)


def other_user(index: Index) -> None:
    create_user(index.settings, OTHER, "other@docker.com", PASSWORD, False)


def foobar_bar(index: Index, images: list[dict[str, str]] | None = None) -> None:
    """foobar's repository ``foobar/bar``."""
    foobar(index)
    created = index.client.put("/v1/repositories/foobar/bar/", json=images or [], headers=FOOBAR)
    assert created.status_code == 200, created.text


# The replays --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    """The request that produces the examples at ``examples``, on a fresh index."""

    name: str
    examples: tuple[str, ...]
    send: Callable[[Index], httpx.Response]
    settings: tuple[tuple[str, Any], ...] = ()
    # The Settings field of the window whose remaining seconds the message counts down: the
    # example shows the whole window (its default), the answer what is left of it.
    window: str | None = None


def _taken(index: Index) -> httpx.Response:
    foobar(index)
    return index.register(USERNAME, PASSWORD, EMAIL)


def _invalid_email(index: Index) -> httpx.Response:
    return index.register(USERNAME, PASSWORD, "")


def _too_large(index: Index) -> httpx.Response:
    limit = Settings.model_fields["max_body_bytes"].default
    return index.client.put(
        "/v1/repositories/foobar/bar/",
        content=b" " * (limit + 1),
        headers={**FOOBAR, "Content-Type": "application/json"},
    )


def _text_body(index: Index) -> httpx.Response:
    foobar(index)
    return index.client.put(
        "/v1/repositories/foobar/bar/",
        content=b"foobar",
        headers={**FOOBAR, "Content-Type": "text/plain"},
    )


def _too_many_registrations(index: Index) -> httpx.Response:
    for number in range(Settings.model_fields["registrations_per_address"].default):
        email = f"user{number}@docker.com"
        created = index.client.post(
            "/v1/users/",
            json={"username": f"user_{number}", "password": PASSWORD, "email": email},
            headers=ADDRESS,
        )
        assert created.status_code == 201, created.text
    return index.client.post(
        "/v1/users/",
        json={"username": USERNAME, "password": PASSWORD, "email": EMAIL},
        headers=ADDRESS,
    )


def _anonymous_login(index: Index) -> httpx.Response:
    return index.client.get("/v1/users/")


def _too_many_failed_logins(index: Index) -> httpx.Response:
    foobar(index)
    wrong = basic(USERNAME, "wrong-password")
    for _ in range(Settings.model_fields["login_failures_per_account"].default):
        refused = index.client.get("/v1/users/", headers={**wrong, **ADDRESS})
        assert refused.status_code == 401, refused.text
    return index.client.get("/v1/users/", headers={**wrong, **ADDRESS})


def _inactive_login(index: Index) -> httpx.Response:
    registered = index.register(USERNAME, PASSWORD, EMAIL)
    assert registered.status_code == 201, registered.text
    return index.client.get("/v1/users/", headers=FOOBAR)


def _confirm_without_code(index: Index) -> httpx.Response:
    return index.client.get("/v1/users/confirm")


def _confirm_unknown_code(index: Index) -> httpx.Response:
    return index.client.get("/v1/users/confirm", params={"code": "Zm9vYmFy"})


def _update_not_json(index: Index) -> httpx.Response:
    foobar(index)
    return index.client.put(
        "/v1/users/foobar/",
        content=b"foobar",
        headers={**FOOBAR, "Content-Type": "application/json"},
    )


def _update_other_account(index: Index) -> httpx.Response:
    foobar(index)
    other_user(index)
    return index.client.put("/v1/users/otheruser/", json={"password": PASSWORD}, headers=FOOBAR)


def _update_missing_account(index: Index) -> httpx.Response:
    admin = index.admin()
    return index.client.put(
        "/v1/users/foobar/", json={"password": PASSWORD}, headers={"Authorization": admin.basic}
    )


def _email_of_another_account(index: Index) -> httpx.Response:
    foobar(index)
    other_user(index)
    return index.client.put("/v1/users/foobar/", json={"email": "other@docker.com"}, headers=FOOBAR)


def _too_many_new_addresses(index: Index) -> httpx.Response:
    # Spread over two accounts, so that neither reaches the addresses one account may have.
    foobar(index)
    other_user(index)
    limit = Settings.model_fields["new_emails_per_address"].default
    for number in range(limit):
        username = USERNAME if number % 2 else OTHER
        added = index.client.put(
            f"/v1/users/{username}/",
            json={"email": f"new{number}@docker.com"},
            headers={**basic(username, PASSWORD), **ADDRESS},
        )
        assert added.status_code == 204, added.text
    return index.client.put(
        "/v1/users/foobar/", json={"email": "one-more@docker.com"}, headers={**FOOBAR, **ADDRESS}
    )


def _create_in_another_namespace(index: Index) -> httpx.Response:
    foobar(index)
    other_user(index)
    return index.client.put("/v1/repositories/otheruser/bar/", json=[], headers=FOOBAR)


def _one_image_too_many(index: Index) -> httpx.Response:
    limit = Settings.model_fields["max_images_per_repository"].default
    foobar_bar(index, [{"id": image_id()} for _ in range(limit)])
    return index.client.put(
        "/v1/repositories/foobar/bar/images", json=[{"id": image_id()}], headers=FOOBAR
    )


def _bad_repository_name(index: Index) -> httpx.Response:
    foobar(index)
    return index.client.delete("/v1/repositories/foobar/Bar/", headers=FOOBAR)


def _delete_missing_repository(index: Index) -> httpx.Response:
    foobar(index)
    return index.client.delete("/v1/repositories/foobar/bar/", headers=FOOBAR)


def _create_library_repository(index: Index) -> httpx.Response:
    foobar(index)
    return index.client.put("/v1/repositories/bar/", json=[], headers=FOOBAR)


def _token_of_another_repository(index: Index) -> httpx.Response:
    foobar_bar(index)
    pulled = index.client.get("/v1/repositories/foobar/bar/images", headers=WANT_TOKEN)
    assert pulled.status_code == 200, pulled.text
    token = {"Authorization": "Token " + pulled.headers["X-Docker-Token"]}
    return index.client.put("/v1/repositories/foobar/baz/auth", headers=token)


def _signed_token(index: Index, secret: str = PASSWORD) -> str:
    signed = index.client.post("/v2/auth/token", json={"identifier": USERNAME, "secret": secret})
    assert signed.status_code == 200, signed.text
    return str(signed.json()["access_token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _wrong_sign_in(index: Index) -> httpx.Response:
    foobar(index)
    wrong = {"username": USERNAME, "password": PASSWORD + "-wrong"}
    return index.client.post("/v2/users/login", json=wrong, headers=ADDRESS)


def _missing_access_token(index: Index) -> httpx.Response:
    foobar(index)
    uuid = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
    return index.client.get(f"/v2/access-tokens/{uuid}", headers=_bearer(_signed_token(index)))


def _access_tokens_by_an_access_token(index: Index) -> httpx.Response:
    foobar(index)
    created = index.client.post(
        "/v2/access-tokens",
        json={"token_label": "ci", "scopes": ["repo:admin"]},
        headers=_bearer(_signed_token(index)),
    )
    assert created.status_code == 201, created.text
    by_token = _signed_token(index, created.json()["token"])
    return index.client.get("/v2/access-tokens", headers=_bearer(by_token))


def _expired_signed_token(index: Index) -> httpx.Response:
    foobar(index)
    token = _signed_token(index)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expires + 0.1 - time.time()))
    return index.client.get("/v2/access-tokens", headers=_bearer(token))


def _bobby_collaborates(index: Index) -> None:
    """``bobby`` (the sharing examples' collaborator), collaborating on foobar/bar."""
    foobar_bar(index)
    create_user(index.settings, "bobby", "bobby@docker.com", PASSWORD, False)
    added = index.client.post(
        "/v2/repositories/foobar/bar/collaborators",
        json={"user": "bobby"},
        headers=_bearer(_signed_token(index)),
    )
    assert added.status_code == 201, added.text


def _privacy_by_a_collaborator(index: Index) -> httpx.Response:
    _bobby_collaborates(index)
    signed = index.client.post("/v2/auth/token", json={"identifier": "bobby", "secret": PASSWORD})
    assert signed.status_code == 200, signed.text
    bobby = _bearer(signed.json()["access_token"])
    return index.client.post(
        "/v2/repositories/foobar/bar/privacy", json={"is_private": True}, headers=bobby
    )


def _no_such_collaborator(index: Index) -> httpx.Response:
    _bobby_collaborates(index)
    owner = _bearer(_signed_token(index))
    removed = index.client.delete("/v2/repositories/foobar/bar/collaborators/bobby", headers=owner)
    assert removed.status_code == 204, removed.text
    return index.client.delete("/v2/repositories/foobar/bar/collaborators/bobby", headers=owner)


def _no_such_tag(index: Index) -> httpx.Response:
    foobar_bar(index)  # pushed without tags
    return index.client.get("/v2/namespaces/foobar/repositories/bar/tags/latest")


def _orphans_by_a_user(index: Index) -> httpx.Response:
    foobar(index)  # not an administrator
    return index.client.get("/v2/images/orphans", headers=_bearer(_signed_token(index)))


def _repository_created_twice(index: Index) -> httpx.Response:
    foobar_bar(index)
    return index.client.post(
        "/v2/namespaces/foobar/repositories",
        json={"name": "bar"},
        headers=_bearer(_signed_token(index)),
    )


def _acmecorp(index: Index) -> dict[str, str]:
    """The organization ``acmecorp`` of ``otheruser``, made by an administrator; the
    administrator's signed token."""
    other_user(index)
    create_user(index.settings, "administrator", "admin@docker.com", PASSWORD, True)
    signed = index.client.post(
        "/v2/auth/token", json={"identifier": "administrator", "secret": PASSWORD}
    )
    assert signed.status_code == 200, signed.text
    admin = _bearer(signed.json()["access_token"])
    made = index.client.post(
        "/v2/orgs", json={"orgname": "acmecorp", "owner": OTHER}, headers=admin
    )
    assert made.status_code == 201, made.text
    return admin


def _members_of_another_organization(index: Index) -> httpx.Response:
    _acmecorp(index)
    foobar(index)
    return index.client.get("/v2/orgs/acmecorp/members", headers=_bearer(_signed_token(index)))


def _members_of_no_organization(index: Index) -> httpx.Response:
    foobar(index)
    return index.client.get("/v2/orgs/acmecorp/members", headers=_bearer(_signed_token(index)))


def _organization_of_a_taken_name(index: Index) -> httpx.Response:
    admin = _acmecorp(index)
    return index.client.post(
        "/v2/orgs", json={"orgname": "acmecorp", "owner": OTHER}, headers=admin
    )


def _organization_holding_repositories(index: Index) -> httpx.Response:
    admin = _acmecorp(index)
    for name in ("api", "web"):
        made = index.client.put(
            f"/v1/repositories/acmecorp/{name}/", json=[], headers=basic("administrator", PASSWORD)
        )
        assert made.status_code == 200, made.text
    return index.client.delete("/v2/orgs/acmecorp", headers=admin)


def _page_size_zero(index: Index) -> httpx.Response:
    return index.client.get("/v1/search", params={"q": "ubuntu", "n": 0})


def _webhooks_of_another(index: Index) -> httpx.Response:
    """otheruser's public repository otheruser/bar (one that does not exist is a 404)."""
    foobar(index)
    other_user(index)
    other = basic(OTHER, PASSWORD)
    created = index.client.put("/v1/repositories/otheruser/bar/", json=[], headers=other)
    assert created.status_code == 200, created.text
    path = "/v2/repositories/otheruser/bar/webhooks"
    return index.client.get(path, headers=_bearer(_signed_token(index)))


def _missing_webhook(index: Index) -> httpx.Response:
    foobar_bar(index)
    path = "/v2/repositories/foobar/bar/webhooks/3"
    return index.client.get(path, headers=_bearer(_signed_token(index)))


def _one_webhook_too_many(index: Index) -> httpx.Response:
    foobar_bar(index)
    headers = _bearer(_signed_token(index))
    path = "/v2/repositories/foobar/bar/webhooks"
    for number in range(25):
        made = index.client.post(path, json={"name": f"ci-{number}"}, headers=headers)
        assert made.status_code == 201, made.text
    return index.client.post(path, json={"name": "one more"}, headers=headers)


def _hook_to_the_loopback(index: Index) -> httpx.Response:
    foobar_bar(index)
    headers = _bearer(_signed_token(index))
    path = "/v2/repositories/foobar/bar/webhooks"
    made = index.client.post(path, json={"name": "ci"}, headers=headers)
    assert made.status_code == 201, made.text
    hook = {"hook_url": "http://127.0.0.1/hook"}
    return index.client.post(f"{path}/{made.json()['id']}/hooks", json=hook, headers=headers)


REPLAYS = [
    Replay("username taken", (TAKEN_EXAMPLE,), _taken),
    Replay("registration invalid", (INVALID_EXAMPLE,), _invalid_email),
    Replay("body too large", (response_example("PayloadTooLarge"),), _too_large),
    Replay("body of another media type", (response_example("UnsupportedMediaType"),), _text_body),
    Replay(
        "too many registrations",
        (response_example("TooManyAccountChanges"),),
        _too_many_registrations,
        settings=(("registrations_per_address", None),),
        window="account_change_window_seconds",
    ),
    Replay("no credentials", (response_example("Unauthorized"),), _anonymous_login),
    Replay(
        "too many failed logins",
        (response_example("TooManyFailedLogins"),),
        _too_many_failed_logins,
        window="login_failure_window_seconds",
    ),
    Replay("inactive account", (response_example("InactiveAccount"),), _inactive_login),
    Replay(
        "no confirmation code", (response_example("BadConfirmationCode"),), _confirm_without_code
    ),
    Replay(
        "unknown confirmation code",
        (response_example("InvalidConfirmationCode"),),
        _confirm_unknown_code,
    ),
    Replay("malformed JSON", (response_example("BadRequest"),), _update_not_json),
    Replay("another account", (response_example("ForbiddenAccount"),), _update_other_account),
    Replay("no such account", (response_example("UserNotFound"),), _update_missing_account),
    Replay("address in use", (response_example("EmailInUse"),), _email_of_another_account),
    Replay(
        "too many new addresses",
        (response_example("TooManyLoginsOrChanges"),),
        _too_many_new_addresses,
        settings=(("new_emails_per_address", None),),
        window="account_change_window_seconds",
    ),
    Replay("another namespace", (response_example("Forbidden"),), _create_in_another_namespace),
    Replay("repository full", (response_example("RepositoryFull"),), _one_image_too_many),
    Replay("bad repository name", (response_example("BadParameter"),), _bad_repository_name),
    Replay(
        "no such repository",
        (response_example("NotFound"), ERROR_SCHEMA_EXAMPLE),
        _delete_missing_repository,
    ),
    Replay(
        "library repository",
        (response_example("LibraryForAdministrators"),),
        _create_library_repository,
    ),
    Replay(
        "token of another repository",
        (response_example("TokenNotValidHere"),),
        _token_of_another_repository,
    ),
    Replay("page size zero", (response_example("BadSearch"),), _page_size_zero),
    Replay("wrong sign-in", (response_example("WrongCredentials"),), _wrong_sign_in),
    Replay(
        "no such access token",
        (response_example("AccessTokenNotFound"),),
        _missing_access_token,
    ),
    Replay(
        "access tokens by an access token",
        (response_example("NotWithAccessToken"),),
        _access_tokens_by_an_access_token,
    ),
    Replay("webhooks of another's", (response_example("WebhooksForbidden"),), _webhooks_of_another),
    Replay("no such webhook", (response_example("WebhookNotFound"),), _missing_webhook),
    Replay("one webhook too many", (response_example("TooManyWebhooks"),), _one_webhook_too_many),
    Replay("hook to the loopback", (response_example("BadHookUrl"),), _hook_to_the_loopback),
    Replay(
        "an organization of others",
        (response_example("OrgForbidden"),),
        _members_of_another_organization,
    ),
    Replay("no such organization", (response_example("OrgNotFound"),), _members_of_no_organization),
    Replay(
        "organization name taken", (response_example("OrgConflict"),), _organization_of_a_taken_name
    ),
    Replay(
        "expired signed token",
        (response_example("BearerUnauthorized"),),
        _expired_signed_token,
        settings=(("bearer_ttl_seconds", 1),),
    ),
]
REPLAYS += [
    Replay(
        "privacy by a collaborator",
        (response_example("NotRepositoryAdmin"),),
        _privacy_by_a_collaborator,
    ),
    Replay(
        "no such collaborator", (response_example("CollaboratorNotFound"),), _no_such_collaborator
    ),
    Replay(
        "organization holding repositories",
        (response_example("OrgHoldsRepositories"),),
        _organization_holding_repositories,
    ),
]
REPLAYS += [
    Replay(
        "repository created twice",
        (response_example("RepositoryExists"),),
        _repository_created_twice,
    ),
    Replay("no such tag", (response_example("TagNotFound"),), _no_such_tag),
    Replay("orphans by a user", (response_example("NotAdministrator"),), _orphans_by_a_user),
]


def _audit_log_example(path: str) -> str:
    return _pointer(
        "paths", path, "get", "responses", "404", "content", "application/json", "example"
    )


def _audit_log_of_another(suffix: str) -> Callable[[Index], httpx.Response]:
    def send(index: Index) -> httpx.Response:
        _acmecorp(index)
        foobar(index)
        headers = _bearer(_signed_token(index))
        return index.client.get(f"/v2/auditlogs/acmecorp{suffix}", headers=headers)

    return send


REPLAYS += [
    Replay(
        f"audit log of an organization one does not own{suffix}",
        (_audit_log_example(f"/v2/auditlogs/{{account}}{suffix}"),),
        _audit_log_of_another(suffix),
    )
    for suffix in ("", "/actions")
]


def _invitation_of_foobar(index: Index) -> tuple[str, dict[str, str]]:
    """acmecorp's invitation of foobar, made by its owner; the invitation's id, and the
    owner's signed token."""
    _acmecorp(index)
    foobar(index)
    signed = index.client.post("/v2/auth/token", json={"identifier": OTHER, "secret": PASSWORD})
    assert signed.status_code == 200, signed.text
    owner = _bearer(signed.json()["access_token"])
    made = index.client.post(
        "/v2/invites/bulk", json={"org": "acmecorp", "invitees": [USERNAME]}, headers=owner
    )
    assert made.status_code == 202, made.text
    [answer] = made.json()["invitees"]
    return str(answer["invite"]["id"]), owner


def _invitation_accepted_by_another(index: Index) -> httpx.Response:
    ident, owner = _invitation_of_foobar(index)
    return index.client.post(f"/v2/invites/{ident}/accept", headers=owner)


def _no_such_invitation(index: Index) -> httpx.Response:
    foobar(index)
    ident = "e36eca69-4cc8-4f17-9845-ae8c2b832691"
    return index.client.delete(f"/v2/invites/{ident}", headers=_bearer(_signed_token(index)))


def _invitation_accepted_by_a_member(index: Index) -> httpx.Response:
    ident, owner = _invitation_of_foobar(index)
    added = index.client.post(
        "/v2/orgs/acmecorp/members", json={"member": USERNAME, "role": "member"}, headers=owner
    )
    assert added.status_code in (200, 201), added.text
    return index.client.post(f"/v2/invites/{ident}/accept", headers=_bearer(_signed_token(index)))


REPLAYS += [
    Replay(
        "invitation accepted by another account",
        (response_example("InviteForbidden"),),
        _invitation_accepted_by_another,
    ),
    Replay("no such invitation", (response_example("InviteNotFound"),), _no_such_invitation),
    Replay(
        "invitation accepted by a member already",
        (response_example("InviteConflict"),),
        _invitation_accepted_by_a_member,
    ),
]
# Replayed by test_the_database_busy_example_is_what_a_locked_database_answers.
BUSY_EXAMPLE = response_example("DatabaseBusy")


def _settings(replay: Replay) -> dict[str, Any]:
    """The replay's settings; None: the setting's default (which the test index overrides)."""
    return {
        name: Settings.model_fields[name].default if value is None else value
        for name, value in replay.settings
    }


def _assert_documented(response: httpx.Response, pointer: str, expected: Any) -> None:
    assert response.status_code in _statuses(pointer), (response.status_code, response.text)
    assert response.headers["Content-Type"] == "application/json", response.headers
    if isinstance(expected, str):  # Docker clients compare the "already exists" answer's bytes
        assert response.content == json.dumps(expected).encode(), pointer
    else:
        assert response.json() == expected, pointer


def test_every_error_example_is_replayed():
    replayed = [pointer for replay in REPLAYS for pointer in replay.examples] + [BUSY_EXAMPLE]
    assert len(replayed) == len(set(replayed)), "an example is replayed twice"
    documented = set(_error_examples())
    assert documented - set(replayed) - set(NOT_REPLAYED) == set(), "examples without a replay"
    assert set(replayed) | set(NOT_REPLAYED) <= documented, "replays of examples the spec lost"
    assert not set(replayed) & set(NOT_REPLAYED)


@pytest.mark.parametrize("replay", REPLAYS, ids=lambda replay: replay.name)
def test_the_server_answers_the_documented_example(
    make_index: Callable[..., Index], replay: Replay
):
    index = make_index(**_settings(replay))
    started = time.monotonic()
    response = replay.send(index)
    elapsed = time.monotonic() - started
    for pointer in replay.examples:
        expected = _resolve(pointer)
        if replay.window is not None:
            expected = _counted_down(expected, response, replay.window, elapsed)
        _assert_documented(response, pointer, expected)


def _counted_down(example: dict[str, str], response: httpx.Response, window: str, elapsed: float):
    """The example with the seconds the answer has left: the example shows the whole default
    window, the answer what remains of it since the first counted request (at most
    ``elapsed`` ago)."""
    seconds = Settings.model_fields[window].default
    shown = re.fullmatch(r"(.*: try again in )(\d+)( s)", example["error"])
    assert shown, example
    assert int(shown.group(2)) == seconds, "the example shows the whole default window"
    left = int(response.headers["Retry-After"])
    assert seconds - elapsed - 1 <= left <= seconds, (left, seconds, elapsed)
    return {"error": f"{shown.group(1)}{left}{shown.group(3)}"}


@contextmanager
def _database_locked(database_url: str) -> Iterator[None]:
    """The tables of the images held by another process's transaction: on SQLite its write
    lock, on PostgreSQL the images table's."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.rollback()
            other.close()
        return
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as other:
        other.execute("LOCK TABLE images IN ACCESS EXCLUSIVE MODE")
        yield
        other.rollback()


# Slow: the request waits out the write-lock timeout (5 s) before it answers 503.
@pytest.mark.slow
def test_the_database_busy_example_is_what_a_locked_database_answers(
    index: Index, database_url: str
):
    foobar_bar(index)
    with _database_locked(database_url):
        response = index.client.put(
            "/v1/repositories/foobar/bar/images", json=[{"id": image_id()}], headers=FOOBAR
        )
    _assert_documented(response, BUSY_EXAMPLE, _resolve(BUSY_EXAMPLE))
    assert response.headers["Retry-After"] == "1"


# The token headers ------------------------------------------------------------------------------

# The request that hands out each response's token, once foobar/bar and library/bar exist
# (given the administrator's credentials).
TOKEN_REPLAYS: dict[str, Callable[[Index, dict[str, str]], httpx.Response]] = {
    "ImageListing": lambda index, _: index.client.get(
        "/v1/repositories/foobar/bar/images", headers=WANT_TOKEN
    ),
    "RepositoryCreated": lambda index, _: index.client.put(
        "/v1/repositories/foobar/bar/", json=[], headers={**FOOBAR, **WANT_TOKEN}
    ),
    "RepositoryDeleted": lambda index, _: index.client.delete(
        "/v1/repositories/foobar/bar/", headers={**FOOBAR, **WANT_TOKEN}
    ),
    "LibraryImageListing": lambda index, _: index.client.get(
        "/v1/repositories/bar/images", headers=WANT_TOKEN
    ),
    "LibraryRepositoryCreated": lambda index, admin: index.client.put(
        "/v1/repositories/bar/", json=[], headers={**admin, **WANT_TOKEN}
    ),
    "LibraryRepositoryDeleted": lambda index, admin: index.client.delete(
        "/v1/repositories/bar/", headers={**admin, **WANT_TOKEN}
    ),
}
SIGNATURE = re.compile(r"signature=[^,]+")


def _token_header_examples(response: str) -> dict[str, str]:
    headers = SPEC["components"]["responses"][response].get("headers", {})
    found = {}
    for name, header in headers.items():
        component = header["$ref"].rpartition("/")[2] if "$ref" in header else None
        example = (SPEC["components"]["headers"][component] if component else header).get("example")
        if isinstance(example, str) and "signature=" in example:
            found[name] = example
    return found


def test_every_token_header_example_is_replayed():
    handing_out = {name for name in SPEC["components"]["responses"] if _token_header_examples(name)}
    assert handing_out == set(TOKEN_REPLAYS) | set(NOT_REPLAYED_TOKENS)


# Token examples no request from outside can produce, each with the reason.
NOT_REPLAYED_TOKENS: dict[str, str] = {}


@pytest.mark.parametrize("response_name", sorted(TOKEN_REPLAYS))
def test_the_token_headers_are_the_documented_examples(index: Index, response_name: str):
    foobar_bar(index)
    admin = {"Authorization": index.admin().basic}
    created = index.client.put("/v1/repositories/bar/", json=[], headers=admin)
    assert created.status_code == 200, created.text
    response = TOKEN_REPLAYS[response_name](index, admin)
    assert response.status_code < 300, response.text
    examples = _token_header_examples(response_name)
    assert examples, response_name
    for name, example in examples.items():
        signature = SIGNATURE.search(example)
        assert signature, example
        assert SIGNATURE.sub(signature.group(0), response.headers[name]) == example, name


# Readiness ---------------------------------------------------------------------------------------


def _readiness_example(status: str, name: str | None = None) -> Any:
    content = SPEC["paths"]["/v1/_ready"]["get"]["responses"][status]["content"]
    media = content["application/json"]
    return media["example"] if name is None else media["examples"][name]["value"]


def test_the_readiness_examples_are_what_a_migrated_and_a_behind_database_answer(index: Index):
    ready = index.client.get("/v1/_ready")
    assert (ready.status_code, ready.json()) == (200, _readiness_example("200"))

    pending = _readiness_example("503", "pending")
    behind = re.fullmatch(r"pending: the database is at (\w+), .*", pending["migrations"])
    assert behind, pending
    engine = create_engine(index.database_url)
    try:
        with engine.begin() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            connection.execute(
                text("UPDATE alembic_version SET version_num = :at"), {"at": behind.group(1)}
            )
        answer = index.client.get("/v1/_ready")
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
        engine.dispose()
    # A new migration makes this example stale: show the revision before the new head.
    assert (answer.status_code, answer.json()) == (503, pending)


def test_the_unreachable_readiness_example_is_what_a_database_that_does_not_answer_gives(
    tmp_path: Path,
):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'missing' / 'hub.db'}")

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://index") as client:
            return await client.get("/v1/_ready")

    answer = asyncio.run(ask())
    assert (answer.status_code, answer.json()) == (503, _readiness_example("503", "unreachable"))
