"""The Docker 1.x client's sequences with an organization access token: `docker login -u ORG`
with it, a push to the repository it may push to (the registry checking the token it is
handed), a pull of a private one, and a pull refused once the access token is deleted."""

import pytest

from tests.functional.orgs_support import Org, create_org
from tests.functional.support import assert_error, basic, listed
from tests.functional.test_org_access_tokens import make_token
from tests.harness import Index, token_header
from tests.protocol import steps
from tests.protocol.steps import DOCKER_CLIENTS, DockerClient

IMAGE, PUSHED = "c" * 64, "d" * 64


def _login(index: Index, client: DockerClient, org: Org, secret: str) -> dict[str, str]:
    login = steps.docker_login(index, client, org.name, secret, "")
    assert login.outcome == "Login Succeeded", login
    return basic(org.name, secret)  # what the client then sends


@pytest.mark.parametrize("client", DOCKER_CLIENTS, ids=lambda c: f"docker {c.version}")
def test_login_push_and_pull_with_an_organization_access_token(index: Index, client: DockerClient):
    org = create_org(index)
    path = f"{org.name}/built-by-ci"
    made = make_token(org, (path, ["repo-pull", "repo-push"]))
    headers = _login(index, client, org, made["token"])

    started = steps.start_push(index, path, headers, [IMAGE])
    assert started.status_code == 200, started.text
    steps.assert_token(started, path, "write")
    write = {"Authorization": token_header(started)}
    assert IMAGE in listed(steps.registry_checks(index, path, write))
    assert steps.registry_authorizes(index, path, write).status_code == 200
    assert steps.finish_push(index, path, write).status_code == 204
    # Made private, it is still pulled with the token.
    private = index.client.post(
        f"/v2/repositories/{path}/privacy", json={"is_private": True}, headers=org.as_(org.owner)
    )
    assert private.status_code == 200, private.text
    pulled = steps.start_pull(index, path, headers)
    assert pulled.status_code == 200, pulled.text
    steps.assert_token(pulled, path, "read")
    # And never deleted with it.
    steps.assert_outcome(steps.delete(index, path, headers), 403)


@pytest.mark.parametrize("client", DOCKER_CLIENTS, ids=lambda c: f"docker {c.version}")
def test_a_pull_is_refused_once_the_organization_access_token_is_deleted(
    index: Index, client: DockerClient
):
    org = create_org(index)
    path = f"{org.name}/secret"
    owner = {"Authorization": org.owner.basic}
    assert steps.start_push(index, path, owner, [IMAGE]).status_code == 200
    private = index.client.post(
        f"/v2/repositories/{path}/privacy", json={"is_private": True}, headers=org.as_(org.owner)
    )
    assert private.status_code == 200, private.text
    made = make_token(org, (path, ["repo-pull"]))
    headers = _login(index, client, org, made["token"])
    pulled = steps.start_pull(index, path, headers)
    assert pulled.status_code == 200, pulled.text
    registry = {"Authorization": token_header(pulled)}
    assert steps.registry_authorizes(index, path, registry).status_code == 200

    deleted = index.client.delete(
        f"{org.path}/access-tokens/{made['id']}", headers=org.as_(org.owner)
    )
    assert deleted.status_code == 204, deleted.text
    assert_error(steps.registry_checks(index, path, registry), 401)
    assert_error(steps.registry_authorizes(index, path, registry), 401)
    steps.assert_outcome(steps.start_pull(index, path, headers), 401)
    assert steps.login(index, headers).status_code == 401
