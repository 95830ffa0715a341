"""Bad input gets a clear 4xx (never a 5xx, never a hang), and the server stays up.

Two indexes share one database per backend: one with the default body limit (4 MiB) and one
that accepts 4096 bytes at most. After every test both still answer ``GET /v1/_ping``.

Every error the server itself writes is ``application/json`` ``{"error": "..."}``; and its
message is for a person: at most ``MAX_MESSAGE`` characters, whatever the size of the input
(checked on its own, in the last tests).
"""

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.harness import Account, Index, Mailbox
from tests.robustness.support import RawResponse, raw_exchange
from tests.security.helpers import assert_error, image_id, listed_ids

SMALL_LIMIT = 4096
MAX_MESSAGE = 1024


@dataclass
class Indexes:
    default: Index
    small: Index
    owner: Account
    repository: str  # ns/repo, exists

    def target(self, operation: str) -> tuple[str, str, dict[str, str]]:
        """Method, path and credentials of an operation with a body. ``update_user`` acts on
        an account of its own each time, since a bad input it wrongly accepts may change it."""
        owner = {"Authorization": self.owner.basic}
        match operation:
            case "register":
                return "POST", "/v1/users/", {}
            case "create":
                return "PUT", f"/v1/repositories/{self.repository}/", owner
            case "images":
                return "PUT", f"/v1/repositories/{self.repository}/images", owner
            case "update_user":
                account = self.default.account()
                return "PUT", f"/v1/users/{account.username}/", {"Authorization": account.basic}
        raise AssertionError(operation)

    def send(
        self,
        operation: str,
        content: bytes | Iterator[bytes],
        content_type: str | None = "application/json",
        *,
        index: Index | None = None,
    ) -> httpx.Response:
        method, path, headers = self.target(operation)
        if content_type is not None:
            headers["Content-Type"] = content_type
        client = (index or self.default).client
        return client.request(method, path, content=content, headers=headers)


BODY_OPERATIONS = ["register", "create", "images", "update_user"]


@pytest.fixture(scope="module")
def indexes(module_database_url: str, mailbox: Mailbox) -> Iterator[Indexes]:
    default = Index(
        module_database_url, mailbox, over_socket=True, email_confirmation="off"
    ).start()
    small = Index(
        module_database_url,
        mailbox,
        over_socket=True,
        email_confirmation="off",
        max_body_bytes=SMALL_LIMIT,
    ).start()
    try:
        owner = default.account()
        repository = f"{owner.username}/target"
        created = default.client.put(
            f"/v1/repositories/{repository}/", json=[], headers={"Authorization": owner.basic}
        )
        assert created.status_code == 200, created.text
        yield Indexes(default, small, owner, repository)
    finally:
        small.close()
        default.close()


@pytest.fixture(autouse=True)
def still_up(indexes: Indexes) -> Iterator[None]:
    yield
    for index in (indexes.default, indexes.small):
        ping = index.client.get("/v1/_ping")
        assert (ping.status_code, ping.content) == (200, b"true"), "the server no longer answers"


def assert_clear_error(response: httpx.Response | RawResponse, status: int) -> str:
    """The one error shape, with a message; the message."""
    if isinstance(response, RawResponse):
        assert response.status == status, (response.status, response.body[:300])
        assert response.headers.get("content-type") == "application/json", response.headers
        body = json.loads(response.body)
        assert isinstance(body, dict), body
        assert set(body) == {"error"}, body
        message = body["error"]
        assert isinstance(message, str), body
    else:
        message = assert_error(response, status)
    assert message, "an empty error message"
    return message


def _head(indexes: Indexes, operation: str, *lines: str) -> bytes:
    method, path, credentials = indexes.target(operation)
    headers = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{indexes.small.port}",
        "Content-Type: application/json",
        "Connection: close",
        *(f"{name}: {value}" for name, value in credentials.items()),
        *lines,
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


# Body size -------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", BODY_OPERATIONS)
def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    indexes: Indexes, operation: str
):
    # No byte of the body is ever sent: a server that waited for it would time out here.
    head = _head(indexes, operation, f"Content-Length: {10 * SMALL_LIMIT}")
    response = raw_exchange(indexes.small.port, head, timeout=5)
    message = assert_clear_error(response, 413)
    assert str(SMALL_LIMIT) in message


@pytest.mark.parametrize("operation", BODY_OPERATIONS)
def test_a_chunked_body_over_the_limit_is_refused_before_its_end(indexes: Indexes, operation: str):
    # Twice the limit in chunks, and never the last chunk: the body does not end.
    chunks = [_chunk(b"[" + b" " * 1023)] + [_chunk(b" " * 1024) for _ in range(7)]
    head = _head(indexes, operation, "Transfer-Encoding: chunked")
    response = raw_exchange(indexes.small.port, head, chunks, timeout=5)
    assert_clear_error(response, 413)


def _chunks(data: bytes, size: int = 100) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_a_chunked_body_under_the_limit_is_accepted(indexes: Indexes):
    ids = [image_id() for _ in range(3)]
    body = json.dumps([{"id": i} for i in ids]).encode()
    response = indexes.send(
        "images", _chunks(body), index=indexes.small
    )  # a generator: httpx sends it chunked
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 204, response.text
    listing = indexes.small.client.get(f"/v1/repositories/{indexes.repository}/images")
    assert set(ids) <= listed_ids(listing)


def test_a_chunked_registration_under_the_limit_is_accepted(indexes: Indexes):
    suffix = secrets.token_hex(4)
    body = json.dumps(
        {"username": f"chunk_{suffix}", "password": "pw-" + suffix, "email": f"c.{suffix}@e.com"}
    ).encode()
    response = indexes.send("register", _chunks(body, 10), index=indexes.small)
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 201, response.text
    assert response.json() == "User Created"


@pytest.mark.parametrize(("size", "status"), [(SMALL_LIMIT, 204), (SMALL_LIMIT + 1, 413)])
def test_the_limit_is_exact(indexes: Indexes, size: int, status: int):
    new = image_id()
    body = json.dumps([{"id": new}]).encode()
    body = body[:-1] + b" " * (size - len(body)) + b"]"  # padded with JSON whitespace
    assert len(body) == size
    response = indexes.send("images", body, index=indexes.small)
    if status == 204:
        assert response.status_code == 204, response.text
        listing = indexes.small.client.get(f"/v1/repositories/{indexes.repository}/images")
        assert new in listed_ids(listing)
    else:
        assert_clear_error(response, 413)


@pytest.mark.parametrize("value", ["abc", "-1", "1e3", "12 34", "+5"])
def test_a_content_length_that_is_not_a_number_is_refused_by_uvicorn(indexes: Indexes, value: str):
    # httptools refuses these before the app sees them: uvicorn answers itself, in plain text.
    head = _head(indexes, "images", f"Content-Length: {value}")
    response = raw_exchange(indexes.small.port, head, timeout=5)
    assert response.status == 400, (response.status, response.body)
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["connection"] == "close"
    assert response.body == b"Invalid HTTP request received."


# JSON that is too deep or too big ---------------------------------------------------------------

DEPTH = 100_000


@pytest.mark.parametrize("operation", ["register", "images"])
@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEPTH + b"]" * DEPTH,
        b'{"a":' * DEPTH + b"1" + b"}" * DEPTH,
        b"[" * DEPTH,  # and never closed
    ],
    ids=["arrays", "objects", "unclosed"],
)
def test_deeply_nested_json_is_refused(indexes: Indexes, operation: str, body: bytes):
    response = indexes.send(operation, body)
    assert_clear_error(response, 400)


def _huge(kind: str) -> tuple[str, bytes]:
    """About 3 MB of JSON, under the default 4 MiB limit: (operation, body)."""
    match kind:
        case "too_many_images":
            entries = [{"id": image_id()} for _ in range(35_000)]
            return "images", json.dumps(entries).encode()
        case "one_huge_id":
            return "images", json.dumps([{"id": "a" * 3_000_000}]).encode()
        case "huge_username":
            fields = {"username": "a" * 3_000_000, "password": "pw-12345", "email": "h@e.com"}
            return "register", json.dumps(fields).encode()
        case "huge_email":
            fields = {"email": "a" * 3_000_000 + "@example.com"}
            return "update_user", json.dumps(fields).encode()
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["too_many_images", "one_huge_id", "huge_username", "huge_email"])
def test_huge_json_under_the_size_limit_is_refused_clearly(indexes: Indexes, kind: str):
    operation, body = _huge(kind)
    assert 2_500_000 < len(body) < 4 * 1024 * 1024
    response = indexes.send(operation, body)
    assert_clear_error(response, 400)


# Encodings and content types ---------------------------------------------------------------------

NOT_UTF8 = {
    "register": b'{"username": "caf\xe9_user", "password": "pw-12345", "email": "c@e.com"}',
    "create": b'[{"id": "\xff"}]',
    "images": b'[{"id": "\xff\xfe"}]',
    "update_user": b'{"email": "caf\xe9@example.com"}',
}


@pytest.mark.parametrize("charset", ["", "; charset=iso-8859-1"], ids=["plain", "latin1"])
@pytest.mark.parametrize("operation", BODY_OPERATIONS)
def test_a_body_that_is_not_utf8_is_refused(indexes: Indexes, operation: str, charset: str):
    response = indexes.send(operation, NOT_UTF8[operation], "application/json" + charset)
    assert "UTF-8" in assert_clear_error(response, 400)


def _registration(**fields: str) -> dict[str, str]:
    suffix = secrets.token_hex(4)
    return {
        "username": f"bad_{suffix}",
        "password": "pw-" + suffix,
        "email": f"bad.{suffix}@example.com",
        **fields,
    }


@pytest.mark.parametrize(
    ("operation", "text"),
    [
        ("register", lambda: json.dumps(_registration(password="pw-\ud800-lone"))),
        ("update_user", lambda: json.dumps({"password": "pw-\udc00-long-enough"})),
        ("register", lambda: json.dumps(_registration(username="user\ud800"))),
        ("images", lambda: json.dumps([{"id": "\ud800" * 64}])),
    ],
    ids=["register-password", "update_user-password", "register-username", "images-id"],
)
def test_a_lone_surrogate_in_a_string_is_refused(indexes: Indexes, operation: str, text):
    # Valid JSON (an escaped \\ud800), but no UTF-8 text: it cannot be hashed, stored or shown.
    body = text().encode()
    assert b"\\ud" in body
    response = indexes.send(operation, body)
    assert_clear_error(response, 400)


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("images", b"[" + b"9" * 5000 + b"]"),
        ("register", b'{"username": ' + b"1" * 5000 + b"}"),
    ],
    ids=["images", "register"],
)
def test_a_number_too_long_to_convert_is_refused(indexes: Indexes, operation: str, body: bytes):
    # Python refuses to convert integers of more than 4300 digits (a guard against slow parsing).
    response = indexes.send(operation, body)
    assert_clear_error(response, 400)


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("text/plain", 415), ("application/xml", 415), (None, 400)],
    ids=["text-plain", "application-xml", "none"],
)
@pytest.mark.parametrize("operation", BODY_OPERATIONS)
def test_a_body_that_is_not_json_is_refused(
    indexes: Indexes, operation: str, content_type: str | None, status: int
):
    body = b"<images/>" if content_type == "application/xml" else b"[]"
    response = indexes.send(operation, body, content_type)
    if content_type is None:
        assert "Content-Type" not in response.request.headers
    message = assert_clear_error(response, status)
    if status == 415:
        assert "application/json" in message


# Control characters ----------------------------------------------------------------------------

CONTROLS = ["%00", "%0A", "%1F"]


def _control_paths(indexes: Indexes, c: str) -> dict[str, tuple[str, str]]:
    user = indexes.owner.username
    return {
        "images-namespace-middle": ("GET", f"/v1/repositories/us{c}er/target/images"),
        "images-repository-middle": ("GET", f"/v1/repositories/{user}/tar{c}get/images"),
        "images-repository-end": ("GET", f"/v1/repositories/{user}/target{c}/images"),
        "library-images-end": ("GET", f"/v1/repositories/target{c}/images"),
        "create-repository-end": ("PUT", f"/v1/repositories/{user}/target{c}/"),
        "create-namespace-end": ("PUT", f"/v1/repositories/{user}{c}/target/"),
        "update-user-end": ("PUT", f"/v1/users/{user}{c}/"),
        "update-user-end-no-slash": ("PUT", f"/v1/users/{user}{c}"),
        "search-path": ("GET", f"/v1/search{c}"),
    }


PLACES = [
    "images-namespace-middle",
    "images-repository-middle",
    "images-repository-end",
    "library-images-end",
    "create-repository-end",
    "create-namespace-end",
    "update-user-end",
    "update-user-end-no-slash",
    "search-path",
]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("control", CONTROLS)
def test_a_control_character_in_the_path_is_refused(indexes: Indexes, control: str, place: str):
    method, path = _control_paths(indexes, control)[place]
    body = {} if method == "GET" else {"json": [] if "create" in place else {"email": "c@e.com"}}
    response = indexes.default.client.request(
        method, path, headers={"Authorization": indexes.owner.basic}, **body
    )
    assert_clear_error(response, 400)


def _control_bodies(c: str) -> dict[str, tuple[str, object]]:
    valid_id, checksum = image_id(), "sha256:" + secrets.token_hex(32)
    name, address = f"name_{secrets.token_hex(3)}", f"e.{secrets.token_hex(3)}@example.com"
    return {
        "register-username": ("register", _registration(username=f"name{c}x")),
        "register-username-end": ("register", _registration(username=name + c)),
        "register-email": ("register", _registration(email=f"a{c}b@example.com")),
        "register-email-end": ("register", _registration(email=address + c)),
        "register-password": ("register", _registration(password=f"pass{c}word")),
        "register-password-end": ("register", _registration(password=f"password{c}")),
        "images-id-end": ("images", [{"id": valid_id + c}]),
        "images-checksum": ("images", [{"id": valid_id, "checksum": f"sha256:{c}ab"}]),
        "images-checksum-end": ("images", [{"id": valid_id, "checksum": checksum + c}]),
        "images-tag-end": ("images", [{"id": valid_id, "Tag": "latest" + c}]),
        "update-email-end": ("update_user", {"email": f"n.{secrets.token_hex(3)}@example.com{c}"}),
        "update-password": ("update_user", {"password": f"new{c}password"}),
    }  # fmt: skip


FIELDS = [
    "register-username",
    "register-username-end",
    "register-email",
    "register-email-end",
    "register-password",
    "register-password-end",
    "images-id-end",
    "images-checksum",
    "images-checksum-end",
    "images-tag-end",
    "update-email-end",
    "update-password",
]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("control", ["\x00", "\n", "\x1f"], ids=["NUL", "LF", "US"])
def test_a_control_character_in_a_json_field_is_refused(indexes: Indexes, control: str, field: str):
    operation, body = _control_bodies(control)[field]
    response = indexes.send(operation, json.dumps(body).encode())
    assert_clear_error(response, 400)


# Long paths and queries ------------------------------------------------------------------------

LONG = "a" * 10_000


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/v1/repositories/{LONG}/target/images"),
        ("GET", "/v1/repositories/{user}/" + LONG + "/images"),
        ("GET", f"/v1/repositories/{LONG}/images"),
        ("PUT", "/v1/repositories/{user}/" + LONG + "/"),
        ("PUT", f"/v1/users/{LONG}/"),
    ],
    ids=["namespace", "repository", "library-repository", "create", "user"],
)
def test_a_very_long_path_segment_is_refused(indexes: Indexes, method: str, path: str):
    body = (
        {} if method == "GET" else {"json": [] if "repositories" in path else {"email": "l@e.com"}}
    )
    response = indexes.default.client.request(
        method,
        path.replace("{user}", indexes.owner.username),
        headers={"Authorization": indexes.owner.basic},
        **body,
    )
    assert_clear_error(response, 400)


@pytest.mark.parametrize("value", ["\u0663", " 3", "1_0", "3 ", "0x3", "3.0"])
def test_an_integer_parameter_is_ascii_digits_only(indexes: Indexes, value: str):
    response = indexes.default.client.get("/v1/search", params={"q": "x", "n": value})
    assert "'n'" in assert_clear_error(response, 400)


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
@pytest.mark.parametrize("operation", ["images", "register"])
def test_nan_and_infinity_are_not_json(indexes: Indexes, operation: str, constant: bytes):
    body = {
        "images": b'[{"id": "' + b"a" * 64 + b'", "size": ' + constant + b"}]",
        "register": b'{"username": ' + constant + b', "password": "x", "email": "a@b.c"}',
    }[operation]
    message = assert_clear_error(indexes.send(operation, body), 400)
    assert "not valid JSON" in message


def test_a_long_search_term_is_refused(indexes: Indexes):
    response = indexes.default.client.get("/v1/search", params={"q": "a" * 10_000})
    assert "'q'" in assert_clear_error(response, 400)


def test_a_request_target_past_the_head_limit_is_refused_431(indexes: Indexes):
    # Past HUBINDEX_MAX_HEADER_BYTES (16 KiB) the connection answers itself, in the one error
    # shape, before httptools (whose URL offsets are 16 bits) sees the rest.
    target = "/v1/search?q=" + "a" * 100_000
    head = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    response = raw_exchange(indexes.default.port, head, timeout=5)
    assert "larger than 16384 bytes" in assert_clear_error(response, 431)
    assert response.headers["connection"] == "close"


def test_a_query_string_just_under_the_head_limit_gets_a_json_error(indexes: Indexes):
    target = "/v1/search?q=" + "a" * 16_000
    head = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    response = raw_exchange(indexes.default.port, head, timeout=5)
    assert_clear_error(response, 400)


# Messages stay short ------------------------------------------------------------------------------


def _echo_cases(indexes: Indexes, case: str) -> httpx.Response:
    user = indexes.owner.username
    match case:
        case "too_many_images" | "one_huge_id":
            return indexes.send(*_huge(case))
        case "long_repository":
            return indexes.default.client.get(f"/v1/repositories/{user}/{LONG}/images")
        case "long_search_term":
            return indexes.default.client.get("/v1/search", params={"q": LONG})
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case", ["too_many_images", "one_huge_id", "long_repository", "long_search_term"]
)
def test_an_error_message_does_not_echo_a_huge_input(indexes: Indexes, case: str):
    # A refusal of a 3 MB body is not a 3 MB answer (nor a 3 MB string built to say it).
    message = assert_clear_error(_echo_cases(indexes, case), 400)
    assert len(message) <= MAX_MESSAGE, f"a {len(message)}-character message: {message[:150]}..."
