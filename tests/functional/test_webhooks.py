"""Webhooks on push and delete (``/v2/repositories/{ns}/{repo}/webhooks``), on both backends:
managing them, signed deliveries through the outbox, retries, the delivery log, test
deliveries, automatic disabling, and the address guard."""

import time
from collections.abc import Callable, Iterator

import pytest

from server.webhooks.signing import verify
from tests.functional.receiver import Receiver
from tests.functional.support import (
    as_user,
    assert_error,
    create_repository,
    delete_repository,
    image_id,
    new_repository,
    put_images,
    token_for,
    with_token,
)
from tests.harness import Account, Index
from tests.security.helpers import query

ALLOW = {"webhooks_allow_private_addresses": True}
# Retries within a second, so that the tests of retries do not wait.
QUICK = {**ALLOW, "webhooks_retry_max_seconds": 1.0}


def sign_in(index: Index, account: Account, secret: str | None = None) -> str:
    response = index.client.post(
        "/v2/auth/token",
        json={"identifier": account.username, "secret": secret or account.password},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def _webhook(index: Index, path: str, headers: dict[str, str], url: str) -> tuple[int, dict]:
    created = index.client.post(
        f"/v2/repositories/{path}/webhooks", json={"name": "ci"}, headers=headers
    )
    assert created.status_code == 201, created.text
    webhook_id = created.json()["id"]
    hook = index.client.post(
        f"/v2/repositories/{path}/webhooks/{webhook_id}/hooks",
        json={"hook_url": url},
        headers=headers,
    )
    assert hook.status_code == 201, hook.text
    return webhook_id, hook.json()


def _deliveries(index: Index, path: str, headers: dict, webhook_id: int, hook_id: int) -> dict:
    response = index.client.get(
        f"/v2/repositories/{path}/webhooks/{webhook_id}/hooks/{hook_id}/deliveries",
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_push_is_delivered_signed_with_hubs_payload(
    make_index: Callable[..., Index], receiver: Receiver
):
    index = make_index(**ALLOW)
    owner = index.account()
    repository = new_repository(index, owner)
    headers = bearer(sign_in(index, owner))
    webhook_id, hook = _webhook(index, repository.path, headers, receiver.url)
    assert hook["secret"].startswith("hbi_whsec_")
    assert hook["hook_url"] == receiver.url
    assert hook["active"] is True

    # As the Docker client records a push: with the write token, naming its tag.
    token = token_for(index, repository.path, "write", as_user(owner))
    pushed = put_images(
        index, repository.path, with_token(token), [{"id": repository.images[0], "Tag": "v1"}]
    )
    assert pushed.status_code == 204, pushed.text

    [delivery] = receiver.wait_for(1)
    timestamp = delivery.header("X-Hubindex-Timestamp")
    signature = delivery.header("X-Hubindex-Signature")
    assert timestamp is not None
    assert signature is not None
    assert verify(hook["secret"], timestamp, signature, delivery.body, now=time.time())
    assert not verify(hook["secret"] + "x", timestamp, signature, delivery.body, now=time.time())
    assert not verify(hook["secret"], timestamp, signature, delivery.body, now=time.time() + 600)
    assert delivery.header("X-Hubindex-Event") == "push"
    body = delivery.json
    assert body["event"] == "push"
    assert body["push_data"]["tag"] == "v1"
    assert body["push_data"]["pusher"] == owner.username
    assert body["repository"]["repo_name"] == repository.path
    assert body["repository"]["namespace"] == owner.username
    assert body["repository"]["name"] == repository.path.split("/")[1]

    _until(lambda: _deliveries(index, repository.path, headers, webhook_id, hook["id"])["count"])
    log = _deliveries(index, repository.path, headers, webhook_id, hook["id"])
    [entry] = log["results"]
    assert entry["id"] == int(delivery.header("X-Hubindex-Delivery") or 0)
    _until(
        lambda: (
            _deliveries(index, repository.path, headers, webhook_id, hook["id"])["results"][0][
                "outcome"
            ]
            == "delivered"
        )
    )
    entry = _deliveries(index, repository.path, headers, webhook_id, hook["id"])["results"][0]
    assert entry["attempts"] == 1
    assert entry["last_status"] == 200
    assert entry["event"] == "push"
    assert entry["next_attempt_at"] is None

    # The secret is shown once: never in a listing.
    listing = index.client.get(f"/v2/repositories/{repository.path}/webhooks", headers=headers)
    assert listing.status_code == 200, listing.text
    [listed] = listing.json()["results"]
    assert listed["hooks"][0]["secret"] == ""
    assert listing.json()["count"] == 1


def test_a_docker_push_names_the_tag_its_creation_named(
    make_index: Callable[..., Index], receiver: Receiver
):
    # The Docker 1.x client names its tags when it creates the repository, then ends its push
    # with an image list that names none: the delivery names the tag the creation did.
    index = make_index(**ALLOW)
    owner = index.account()
    repository = new_repository(index, owner)
    _webhook(index, repository.path, bearer(sign_in(index, owner)), receiver.url)
    image = repository.images[0]
    created = create_repository(
        index, repository.path, as_user(owner), [{"id": image, "Tag": "v2"}]
    )
    assert created.status_code == 200, created.text
    pushed = put_images(index, repository.path, as_user(owner), [])
    assert pushed.status_code == 204, pushed.text

    [delivery] = receiver.wait_for(1)
    assert delivery.json["push_data"]["tag"] == "v2"


def test_a_rolled_back_push_is_never_delivered(
    make_index: Callable[..., Index], receiver: Receiver
):
    index = make_index(max_images_per_repository=1, **ALLOW)
    owner = index.account()
    repository = new_repository(index, owner)
    _webhook(index, repository.path, bearer(sign_in(index, owner)), receiver.url)

    refused = put_images(
        index, repository.path, as_user(owner), [{"id": image_id()}, {"id": image_id()}]
    )
    assert refused.status_code == 409, refused.text
    accepted = put_images(index, repository.path, as_user(owner), [{"id": repository.images[0]}])
    assert accepted.status_code == 204, accepted.text

    # The accepted push arrives; the refused one was never written to the outbox.
    receiver.wait_for(1)
    rows = query(index.database_url, "SELECT event FROM webhook_deliveries")
    assert rows == [("push",)]
    time.sleep(0.3)
    assert len(receiver.received) == 1


def test_a_deletion_is_delivered_though_its_hooks_go_with_it(
    make_index: Callable[..., Index], receiver: Receiver
):
    index = make_index(**ALLOW)
    owner = index.account()
    repository = new_repository(index, owner)
    _webhook(index, repository.path, bearer(sign_in(index, owner)), receiver.url)

    deleted = delete_repository(index, repository.path, as_user(owner))
    assert deleted.status_code == 202, deleted.text

    [delivery] = receiver.wait_for(1)
    assert delivery.json["event"] == "delete"
    assert delivery.json["repository"]["repo_name"] == repository.path
    assert query(index.database_url, "SELECT count(*) FROM webhook_hooks") == [(0,)]


def test_a_failing_hook_is_retried_until_it_answers(
    make_index: Callable[..., Index], receiver: Receiver
):
    index = make_index(**QUICK)
    owner = index.account()
    repository = new_repository(index, owner)
    headers = bearer(sign_in(index, owner))
    webhook_id, hook = _webhook(index, repository.path, headers, receiver.url)
    receiver.status = 503

    assert put_images(index, repository.path, as_user(owner), []).status_code == 204
    _until(
        lambda: (
            _deliveries(index, repository.path, headers, webhook_id, hook["id"])["results"][0][
                "attempts"
            ]
            >= 2
        )
    )
    entry = _deliveries(index, repository.path, headers, webhook_id, hook["id"])["results"][0]
    assert entry["outcome"] == "pending"
    assert entry["last_status"] == 503
    assert entry["last_error"] == "answered 503"
    receiver.status = 200

    [delivery] = receiver.wait_for(1)
    assert delivery.json["event"] == "push"
    _until(
        lambda: (
            _deliveries(index, repository.path, headers, webhook_id, hook["id"])["results"][0][
                "outcome"
            ]
            == "delivered"
        )
    )


def test_a_hook_failing_again_and_again_is_disabled_and_can_be_enabled(
    make_index: Callable[..., Index], receiver: Receiver
):
    index = make_index(webhooks_max_attempts=1, webhooks_disable_after=2, **QUICK)
    owner = index.account()
    repository = new_repository(index, owner)
    headers = bearer(sign_in(index, owner))
    webhook_id, hook = _webhook(index, repository.path, headers, receiver.url)
    hook_path = f"/v2/repositories/{repository.path}/webhooks/{webhook_id}"
    receiver.status = 500

    for _ in range(2):
        assert put_images(index, repository.path, as_user(owner), []).status_code == 204
    _until(lambda: index.client.get(hook_path, headers=headers).json()["active"] is False)
    [disabled] = index.client.get(hook_path, headers=headers).json()["hooks"]
    assert disabled["active"] is False
    assert disabled["disabled_reason"] == "disabled after 2 deliveries in a row failed"
    log = _deliveries(index, repository.path, headers, webhook_id, hook["id"])
    assert [entry["outcome"] for entry in log["results"]] == ["failed", "failed"]

    # Disabled: a push queues nothing for it.
    assert put_images(index, repository.path, as_user(owner), []).status_code == 204
    assert _deliveries(index, repository.path, headers, webhook_id, hook["id"])["count"] == 2

    receiver.status = 200
    enabled = index.client.patch(
        f"{hook_path}/hooks/{hook['id']}", json={"active": True}, headers=headers
    )
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["active"] is True
    assert enabled.json()["disabled_reason"] is None
    assert put_images(index, repository.path, as_user(owner), []).status_code == 204
    assert receiver.wait_for(1)[0].json["event"] == "push"


def test_a_test_delivery_is_sent_and_logged(make_index: Callable[..., Index], receiver: Receiver):
    index = make_index(**ALLOW)
    owner = index.account()
    repository = new_repository(index, owner)
    headers = bearer(sign_in(index, owner))
    webhook_id, hook = _webhook(index, repository.path, headers, receiver.url)

    response = index.client.post(
        f"/v2/repositories/{repository.path}/webhooks/{webhook_id}/hooks/{hook['id']}/test",
        headers=headers,
    )

    assert response.status_code == 202, response.text
    assert response.json()["event"] == "test"
    assert response.json()["outcome"] == "pending"
    [delivery] = receiver.wait_for(1)
    assert delivery.json["event"] == "test"
    assert delivery.json["push_data"]["tag"] == "test"
    assert delivery.header("X-Hubindex-Delivery") == str(response.json()["id"])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_a_hook_to_a_private_address_is_refused(make_index: Callable[..., Index], url: str):
    index = make_index()
    owner = index.account()
    repository = new_repository(index, owner)
    headers = bearer(sign_in(index, owner))
    created = index.client.post(
        f"/v2/repositories/{repository.path}/webhooks", json={"name": "ci"}, headers=headers
    )
    assert created.status_code == 201, created.text

    response = index.client.post(
        f"/v2/repositories/{repository.path}/webhooks/{created.json()['id']}/hooks",
        json={"hook_url": url},
        headers=headers,
    )

    assert_error(response, 400)
    message = response.json()["error"]
    assert message.startswith("body.hook_url: "), message
    assert "webhooks may only call public addresses" in message, message


def test_the_address_is_checked_again_at_delivery(
    make_index: Callable[..., Index], receiver: Receiver
):
    """A hook made while private addresses were allowed (or whose name resolved to a public
    address then) is never called at a private one: the check runs on each delivery's own
    resolution."""
    allowed = make_index(**ALLOW)
    owner = allowed.account()
    repository = new_repository(allowed, owner)
    headers = bearer(sign_in(allowed, owner))
    webhook_id, hook = _webhook(allowed, repository.path, headers, receiver.url)
    allowed.stop()
    index = make_index()

    assert put_images(index, repository.path, as_user(owner), []).status_code == 204

    _until(
        lambda: bool(
            _deliveries(index, repository.path, headers, webhook_id, hook["id"])["results"][0][
                "last_error"
            ]
        )
    )
    entry = _deliveries(index, repository.path, headers, webhook_id, hook["id"])["results"][0]
    assert "127.0.0.1 is a loopback address" in entry["last_error"]
    assert entry["last_status"] is None
    assert receiver.received == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/webhooks", {"name": ""}, "body.name"),
        ("/webhooks", {"name": "x" * 101}, "body.name"),
        ("/webhooks", {"name": "ci", "expect_final_callback": "yes"}, "body.expect_final_callback"),
        ("/webhooks", {}, "body"),
        ("/webhooks/{id}/hooks", {"hook_url": "ftp://example.com/"}, "body.hook_url"),
        ("/webhooks/{id}/hooks", {"hook_url": "not a url"}, "body.hook_url"),
        ("/webhooks/{id}/hooks", {"hook_url": ""}, "body.hook_url"),
        ("/webhooks/0/hooks", {"hook_url": "http://example.com/"}, "webhook_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    make_index: Callable[..., Index], path: str, body: dict, field: str
):
    index = make_index()
    owner = index.account()
    repository = new_repository(index, owner)
    headers = bearer(sign_in(index, owner))
    created = index.client.post(
        f"/v2/repositories/{repository.path}/webhooks", json={"name": "ci"}, headers=headers
    )
    assert created.status_code == 201, created.text
    url = f"/v2/repositories/{repository.path}" + path.format(id=created.json()["id"])

    response = index.client.post(url, json=body, headers=headers)

    assert_error(response, 400)
    assert field in response.json()["error"], response.json()


def test_docker_hub_api_clients_paths(make_index: Callable[..., Index], receiver: Receiver):
    """As the npm package docker-hub-api 0.8.0 calls them: `Authorization: JWT`, a trailing
    slash on every path, and its listing's path."""
    index = make_index(**ALLOW)
    owner = index.account()
    repository = new_repository(index, owner)
    login = index.client.post(
        "/v2/users/login/", json={"username": owner.username, "password": owner.password}
    )
    assert login.status_code == 200, login.text
    jwt = {"Authorization": f"JWT {login.json()['token']}"}
    base = f"/v2/repositories/{repository.path}"

    created = index.client.post(f"{base}/webhooks/", json={"name": "Test"}, headers=jwt)
    assert created.status_code == 201, created.text
    assert created.json()["hooks"] == []
    assert created.json()["creator"] == owner.username
    webhook_id = created.json()["id"]
    hook = index.client.post(
        f"{base}/webhooks/{webhook_id}/hooks/", json={"hook_url": receiver.url}, headers=jwt
    )
    assert hook.status_code == 201, hook.text
    listing = index.client.get(f"{base}/repositories/webhooks?page_size=100&page=1", headers=jwt)
    assert listing.status_code == 200, listing.text
    [listed] = listing.json()["results"]
    assert listed["id"] == webhook_id
    assert listed["name"] == "Test"
    assert listed["hooks"][0]["hook_url"] == receiver.url
    deleted = index.client.delete(f"{base}/webhooks/{webhook_id}/", headers=jwt)
    assert deleted.status_code == 204, deleted.text
    assert index.client.get(f"{base}/webhooks/", headers=jwt).json()["count"] == 0


def test_only_owners_and_administrators_manage_webhooks(make_index: Callable[..., Index]):
    index = make_index(**ALLOW)
    owner, other = index.account(), index.account()
    admin = index.admin()
    repository = new_repository(index, owner)
    path = f"/v2/repositories/{repository.path}/webhooks"

    assert_error(index.client.get(path, headers=bearer(sign_in(index, other))), 403)
    assert_error(index.client.get(path), 401)
    assert index.client.get(path, headers=bearer(sign_in(index, admin))).status_code == 200
    missing = index.client.get(
        f"/v2/repositories/{owner.username}/nothing-here/webhooks",
        headers=bearer(sign_in(index, owner)),
    )
    assert_error(missing, 404)
