"""The load scenarios: what wrk sends, and what each must answer."""

import base64
import json
from dataclasses import dataclass, field, replace

from bench import data

BASIC = "Basic " + base64.b64encode(f"{data.BENCH_USER}:{data.BENCH_PASSWORD}".encode()).decode()
JSON_TYPE = {"Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    title: str
    method: str
    path: str  # for the reference route, and the request wrk sends unless its Lua says more
    status: int  # what a correct answer has
    lua: str  # wrk/<lua>.lua
    read: bool  # a read scenario: the p99 target applies
    ratio_target: float | None = None  # hubindex rps / reference rps at least this
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    lua_args: tuple[str, ...] = ()
    # A query string for the one request recorded for the reference (search).
    sample_query: str = ""
    # Sent with the benchmark user's token for the path (read access), fetched from hubindex
    # before the load (with_token): the run fills in the Authorization header.
    token: bool = False

    def with_token(self, token: str) -> "Scenario":
        return replace(self, headers={**self.headers, "Authorization": f"Token {token}"})


def scenarios() -> list[Scenario]:
    user = data.BENCH_USER
    return [
        Scenario("ping", "GET /v1/_ping", "GET", "/v1/_ping", 200, "get", True, 0.5),
        Scenario(
            "images",
            f"GET /v1/repositories/{user}/{data.READ_REPOSITORY}/images (100 images)",
            "GET",
            f"/v1/repositories/{user}/{data.READ_REPOSITORY}/images",
            200,
            "get",
            True,
            0.35,
        ),
        Scenario(
            "images_by_token",
            f"GET /v1/repositories/{user}/{data.READ_REPOSITORY}/images with a token"
            " (a registry's check)",
            "GET",
            f"/v1/repositories/{user}/{data.READ_REPOSITORY}/images",
            200,
            "request",
            True,
            0.35,
            token=True,
        ),
        Scenario(
            "search",
            "GET /v1/search?q=TERM",
            "GET",
            "/v1/search",
            200,
            "search",
            True,
            0.3,
            lua_args=data.QUERY_TERMS,
            sample_query=f"?q={data.QUERY_TERMS[0]}",
        ),
        Scenario(
            "put_images",
            f"PUT /v1/repositories/{user}/{data.WRITE_REPOSITORY}/images (Basic auth)",
            "PUT",
            f"/v1/repositories/{user}/{data.WRITE_REPOSITORY}/images",
            204,
            "request",
            False,
            0.25,
            body=data.put_images_body(),
            headers={"Authorization": BASIC, **JSON_TYPE},
        ),
        Scenario(
            "put_images_changed",
            f"PUT /v1/repositories/{user}/{data.WRITE_REPOSITORY}/images (Basic auth),"
            " a new checksum each",
            "PUT",
            f"/v1/repositories/{user}/{data.WRITE_REPOSITORY}/images",
            204,
            "rewrite",
            False,
            None,
            body=data.put_images_body(),
            headers={"Authorization": BASIC, **JSON_TYPE},
            lua_args=(BASIC, *(image for image, _checksum in data.images(data.WRITE_REPOSITORY))),
        ),
        Scenario(
            "register",
            "POST /v1/users/ (a new user each)",
            "POST",
            "/v1/users/",
            201,
            "register",
            False,
            None,
            headers=JSON_TYPE,
        ),
    ]


def registration(username: str) -> bytes:
    """The body the register scenario sends (wrk/register.lua builds the same)."""
    return json.dumps(
        {"username": username, "password": "bench-password", "email": f"{username}@example.com"}
    ).encode()


def search_path(term: str) -> str:
    return f"/v1/search?q={term}"
