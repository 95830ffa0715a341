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


def test_a_concrete_path_allows_its_own_methods_and_falls_through_to_a_template_for_others():
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
    found = router.match("GET", "/v2/users/login")  # a user named login, as Starlette routes it
    assert found.operation_id == "profiles.get"
    assert found.path_parameters == {"username": "login"}
    assert router.match("DELETE", "/v2/users/login") is None
