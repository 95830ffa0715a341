"""The typed client generated from the spec (generated/client, openapi-python-client) through
the whole happy path a Docker 1.x push and pull take, against the real server."""

import base64
from urllib.parse import parse_qs, urlsplit

from generated.client import AuthenticatedClient, Client
from generated.client.api.images import images_get, images_put
from generated.client.api.ping import ping_get, ping_ready
from generated.client.api.repositories import repositories_create, repositories_delete
from generated.client.api.search import search_query
from generated.client.api.tokens import tokens_check
from generated.client.api.users import users_confirm, users_login, users_register
from generated.client.models import (
    ImageEntry,
    ImagesGetXDockerToken,
    Registration,
    RepositoriesCreateXDockerToken,
    RepositoriesDeleteXDockerToken,
    SearchResults,
)
from tests.harness import Index, new_account

IMAGE = "9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f"
CHECKSUM = "sha256:" + "ab" * 32


def _args(index: Index) -> dict[str, object]:
    transport = index.transport()
    return {} if transport is None else {"transport": transport}


def _as(index: Index, prefix: str, token: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=index.url, token=token, prefix=prefix, httpx_args=_args(index)
    )


def test_a_push_and_a_pull_through_the_generated_client(index: Index):
    anonymous = Client(base_url=index.url, httpx_args=_args(index))
    assert ping_get.sync(client=anonymous) is True
    assert ping_ready.sync(client=anonymous).ready is True

    account = new_account()
    registration = Registration(account.username, account.password, account.email)
    created = users_register.sync_detailed(client=anonymous, body=registration)
    assert created.status_code == 201
    link = index.mailbox.confirmation_link(account.email)
    (code,) = parse_qs(urlsplit(link).query)["code"]
    assert users_confirm.sync_detailed(client=anonymous, code=code).status_code == 200

    credentials = base64.b64encode(f"{account.username}:{account.password}".encode()).decode()
    owner = _as(index, "Basic", credentials)
    assert users_login.sync_detailed(client=owner).status_code == 200

    name = "client_push"
    pushed = repositories_create.sync_detailed(
        account.username,
        name,
        client=owner,
        body=[ImageEntry(id=IMAGE)],
        x_docker_token=RepositoriesCreateXDockerToken.TRUE,
    )
    assert pushed.status_code == 200
    write_token = pushed.headers["X-Docker-Token"]
    assert f'repository="{account.username}/{name}",access=write' in write_token
    recorded = images_put.sync_detailed(
        account.username, name, client=owner, body=[ImageEntry(id=IMAGE, checksum=CHECKSUM)]
    )
    assert recorded.status_code == 204

    pulled = images_get.sync_detailed(
        account.username, name, client=owner, x_docker_token=ImagesGetXDockerToken.TRUE
    )
    assert pulled.status_code == 200
    assert [(image.id, image.checksum) for image in pulled.parsed] == [(IMAGE, CHECKSUM)]
    read_token = pulled.headers["X-Docker-Token"]
    registry = _as(index, "Token", read_token)
    assert tokens_check.sync_detailed(account.username, name, client=registry).status_code == 200

    found = search_query.sync(client=anonymous, q=name)
    assert isinstance(found, SearchResults)
    assert [result.name for result in found.results] == [f"{account.username}/{name}"]

    deleted = repositories_delete.sync_detailed(
        account.username,
        name,
        client=owner,
        x_docker_token=RepositoriesDeleteXDockerToken.TRUE,
    )
    assert deleted.status_code == 202
    gone = images_get.sync_detailed(account.username, name, client=owner)
    assert gone.status_code == 404
    assert gone.parsed.error
