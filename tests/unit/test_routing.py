import pytest

from server.http.routing import compile_routes

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
