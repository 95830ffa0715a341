"""The Docker 1.x client's sequences against a private repository: `docker push` and `docker
pull` as its owner, a collaborator, a stranger and anonymously (the registry checking each
token it is handed); and `docker login` with a personal access token, whose pull is refused
once the access token is deleted."""

import httpx
import pytest

from tests.functional.support import as_user, assert_error, assert_json, basic, listed
from tests.functional.test_signin import bearer, new_token, sign_in
from tests.harness import Account, Index, token_header
from tests.protocol import steps
from tests.protocol.steps import DOCKER_CLIENTS, DockerClient

IMAGE, PUSHED = "a" * 64, "b" * 64


def _private_repository(index: Index, owner: Account, collaborator: Account) -> str:
    """``owner``'s repository of one image, made private, ``collaborator`` collaborating."""
    path = f"{owner.username}/secret"
    assert steps.start_push(index, path, as_user(owner), [IMAGE]).status_code == 200
    jwt_token = bearer(sign_in(index, owner))
    made = index.client.post(
        f"/v2/repositories/{path}/privacy", json={"is_private": True}, headers=jwt_token
    )
    assert made.status_code == 200, made.text
    added = index.client.post(
        f"/v2/repositories/{path}/collaborators/",
        json={"user": collaborator.username},
        headers=jwt_token,
    )
    assert added.status_code == 201, added.text
    return path


def _pull(index: Index, path: str, headers: dict[str, str]) -> httpx.Response:
    """`docker pull`: the image list with a read token, which the registry checks both ways."""
    pulled = steps.start_pull(index, path, headers)
    if pulled.status_code == 200:
        steps.assert_token(pulled, path, "read")
        registry = {"Authorization": token_header(pulled)}
        assert listed(steps.registry_checks(index, path, registry)) == listed(pulled)
        assert_json(steps.registry_authorizes(index, path, registry), 200, "OK")
    return pulled


@pytest.mark.parametrize(
    ("who", "pull", "push"),
    [
        pytest.param("owner", 200, 200, id="owner"),
        pytest.param("collaborator", 200, 200, id="collaborator"),
        pytest.param("stranger", 404, 403, id="stranger"),
        pytest.param("anonymous", 404, 401, id="anonymous"),
    ],
)
def test_pull_and_push_of_a_private_repository(index: Index, who: str, pull: int, push: int):
    owner, collaborator, stranger = index.account(), index.account(), index.account()
    path = _private_repository(index, owner, collaborator)
    headers = {
        "owner": as_user(owner),
        "collaborator": as_user(collaborator),
        "stranger": as_user(stranger),
        "anonymous": {},
    }[who]

    pulled = _pull(index, path, headers)
    steps.assert_outcome(pulled, pull)
    if pull == 200:
        assert IMAGE in listed(pulled)
    else:  # exactly what a repository that does not exist answers: "image ... not found"
        missing = steps.start_pull(index, f"{owner.username}/nothing-here", headers)
        assert (pulled.status_code, pulled.json().keys()) == (404, missing.json().keys())
        assert pulled.json()["error"] == f"repository {path} not found"

    started = steps.start_push(index, path, headers, [PUSHED])
    steps.assert_outcome(started, push)
    if push != 200:
        return
    steps.assert_token(started, path, "write")
    write = {"Authorization": token_header(started)}
    assert listed(steps.registry_checks(index, path, write)).keys() >= {IMAGE, PUSHED}
    assert steps.finish_push(index, path, write).status_code == 204
    assert steps.delete(index, path, headers).status_code == (202 if who == "owner" else 403)


def test_a_private_repository_is_not_searched_by_strangers(index: Index):
    owner, collaborator = index.account(), index.account()
    path = _private_repository(index, owner, collaborator)
    found = steps.search(index, path)
    assert_json(
        found,
        200,
        {"query": path, "num_results": 0, "num_pages": 0, "page": 1, "page_size": 25,
         "results": []},
    )  # fmt: skip
    mine = index.client.get("/v1/search", params={"q": path}, headers=as_user(collaborator))
    assert [hit["name"] for hit in mine.json()["results"]] == [path]


@pytest.mark.parametrize("client", DOCKER_CLIENTS, ids=lambda c: f"docker {c.version}")
def test_login_with_an_access_token_then_a_pull_refused_once_it_is_deleted(
    index: Index, client: DockerClient
):
    owner, collaborator = index.account(), index.account()
    path = _private_repository(index, owner, collaborator)
    jwt_token = sign_in(index, owner)
    created = new_token(index, jwt_token, "repo:read")

    login = steps.docker_login(index, client, owner.username, created["token"], "")
    assert login.outcome == "Login Succeeded"
    headers = basic(owner.username, created["token"])  # what the client then sends
    pulled = _pull(index, path, headers)
    assert pulled.status_code == 200, pulled.text
    registry = {"Authorization": token_header(pulled)}

    deleted = index.client.delete(f"/v2/access-tokens/{created['uuid']}", headers=bearer(jwt_token))
    assert deleted.status_code == 204, deleted.text
    # The registry's token ends with it, and so does the login.
    assert_error(steps.registry_checks(index, path, registry), 401)
    assert_error(steps.registry_authorizes(index, path, registry), 401)
    steps.assert_outcome(steps.start_pull(index, path, headers), 401)
    assert steps.login(index, headers).status_code == 401
