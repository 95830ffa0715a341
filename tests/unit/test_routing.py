import pytest

from server.http.routing import Router, compile_routes

ROUTES = compile_routes(
    {
        "/v1/repositories/{namespace}/{repository}/": {"put": "r.create", "delete": "r.delete"},
        "/v1/repositories/{repository}/images": {"get": "i.get", "put": "i.put"},
    }
)


def _methods(path: str) -> set[str]:
    return set().union(*(r.methods for r in ROUTES if r.pattern.match(path)))


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/v1/repositories/foo/bar/", {"PUT", "DELETE"}),
        ("/v1/repositories/foo/images", {"GET", "HEAD", "PUT"}),
        ("/v1/repositories/foo/images/", {"PUT", "DELETE"}),
        ("/v1/repositories/foo/bar", set()),
        ("/v1/repositories/a/b/c/", set()),
    ],
)
def test_a_template_parameter_matches_one_segment(path: str, methods: set[str]):
    assert _methods(path) == methods


def test_a_concrete_path_allows_its_own_methods_only_though_a_template_matches_it():
    router = Router(
        {
            "/v2/users/login": {"post": "signin.login"},
            "/v2/users/{username}": {"get": "profiles.get"},
            "/v2/users/{username}/repositories": {"get": "pages.page_of_user"},
        }
    )
    assert router.allowed("/v2/users/login") == {"POST"}
    assert router.allowed("/v2/users/login/") == {"POST"}
    assert router.allowed("/v2/users/alice/") == {"GET", "HEAD"}
    assert router.match("POST", "/v2/users/login/").operation_id == "signin.login"
    assert router.match("GET", "/v2/users/login") is None  # a 405, not a user named login
    assert router.match("DELETE", "/v2/users/login") is None
    found = router.match("GET", "/v2/users/alice")
    assert found is not None
    assert (found.operation_id, dict(found.path_parameters)) == (
        "profiles.get",
        {"username": "alice"},
    )


def test_a_concrete_path_belongs_to_its_own_path_item_alone():
    # OpenAPI 3.0.3 matches concrete paths before templated ones; Docker Hub's invitations
    # have both at one depth.
    router = Router(
        {
            "/v2/invites/bulk": {"post": "invites.bulk"},
            "/v2/invites/{id}": {"delete": "invites.cancel"},
        }
    )
    assert router.allowed("/v2/invites/bulk") == {"POST"}
    assert router.allowed("/v2/invites/bulk/") == {"POST"}
    assert router.match("DELETE", "/v2/invites/bulk") is None
    assert router.match("DELETE", "/v2/invites/bulk/") is None
    assert router.allowed("/v2/invites/e36e") == {"DELETE"}
    found = router.match("DELETE", "/v2/invites/e36e/")
    assert found is not None
    assert (found.operation_id, dict(found.path_parameters)) == ("invites.cancel", {"id": "e36e"})
    posted = router.match("POST", "/v2/invites/bulk/")
    assert posted is not None
    assert posted.operation_id == "invites.bulk"
