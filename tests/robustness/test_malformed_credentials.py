"""Whatever a client puts in ``Authorization`` is a 401 (or the answer its credentials earn) in
one JSON line, never a 5xx, and leaves no traceback in the log: the header is fuzzed, as raw
bytes on the wire, on SQLite and on PostgreSQL."""

import base64
import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.harness import Index, Mailbox
from tests.robustness.support import RawResponse, raw_exchange

# Every operation that reads credentials: Basic required, Basic or anonymous, Token or Basic.
TARGETS = [
    ("GET", "/v1/users/"),
    ("GET", "/v1/search?q=x"),
    ("GET", "/v1/repositories/library/fuzz/images"),
    ("PUT", "/v1/repositories/library/fuzz/auth"),
]
# Each target's WWW-Authenticate on a 401: its operation's schemes (one field each, joined).
CHALLENGES = {
    "/v1/users/": 'Basic realm="hubindex"',
    "/v1/search?q=x": 'Basic realm="hubindex"',
    "/v1/repositories/library/fuzz/images": 'Basic realm="hubindex", Token realm="hubindex"',
    "/v1/repositories/library/fuzz/auth": 'Token realm="hubindex"',
}


class _Tracebacks(logging.Handler):
    """Every record logged with an exception, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)


@pytest.fixture(scope="module")
def fuzzed(module_database_url: str, mailbox: Mailbox) -> Iterator[tuple[Index, _Tracebacks]]:
    index = Index(
        module_database_url,
        mailbox,
        over_socket=True,  # raw bytes on the wire: the socket is the point
        email_confirmation="off",
        # Every malformed guess is a 401 that counts: the limits must not turn them into 429s
        # before each case has reached the parser and the services.
        login_failures_per_account=0,
        login_failures_per_address=0,
    ).start()
    tracebacks = _Tracebacks()
    loggers = [
        logging.getLogger(),
        logging.getLogger("uvicorn"),
        logging.getLogger("uvicorn.error"),
    ]
    for logger in loggers:
        logger.addHandler(tracebacks)
    try:
        yield index, tracebacks
    finally:
        for logger in loggers:
            logger.removeHandler(tracebacks)
        index.close()


def _send(index: Index, method: str, path: str, authorization: bytes) -> RawResponse:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n"
    ).encode()
    return raw_exchange(index.port, head + b"Authorization: " + authorization + b"\r\n\r\n")


def _assert_refused_in_one_line(response: RawResponse) -> None:
    # uvicorn itself refuses some header bytes (400, text) before the app sees them.
    assert response.status in (400, 401), (response.status, response.body[:300])
    if response.status == 401:
        assert response.headers["content-type"] == "application/json"
        message = json.loads(response.body)["error"]
        assert message
        assert "\n" not in message, message


def _basic(raw: bytes) -> bytes:
    return b"Basic " + base64.b64encode(raw)


KNOWN = {
    "non-ASCII bytes in Basic": b"Basic \xc3\xa9\xff\xfe==",
    "latin-1 letters in Basic": "Basic dXNlcjpwYXNz\xe9".encode("latin-1"),
    "undecodable username": _basic(b"\xff\xfe\xfd:password"),
    "NUL in the username": _basic(b"user\x00name:password"),
    "NUL alone as username": _basic(b"\x00:password"),
    "control character in the username": _basic(b"us\x1ber:password"),
    "a very long username": _basic(b"u" * 5000 + b":password"),
    "NUL in the password": _basic(b"someone:pass\x00word"),
    "non-ASCII username": _basic("jörg_ü:password".encode()),
    "non-ASCII token": 'Token signature=\xe9,repository="l\xe9/x",access=\xe9'.encode("latin-1"),
    "an empty Basic": b"Basic ",
    "an unknown scheme": b"\xff\xfe \xfd",
}


@pytest.mark.parametrize("authorization", KNOWN.values(), ids=KNOWN.keys())
@pytest.mark.parametrize(("method", "path"), TARGETS)
def test_a_malformed_credential_is_a_401_in_one_line(
    fuzzed: tuple[Index, _Tracebacks], method: str, path: str, authorization: bytes
):
    index, tracebacks = fuzzed
    before = len(tracebacks.records)

    response = _send(index, method, path, authorization)

    assert response.status == 401, (response.status, response.body[:300])
    _assert_refused_in_one_line(response)
    assert response.headers["www-authenticate"] == CHALLENGES[path]
    assert tracebacks.records[before:] == []


# Header bytes without CR and LF, which would end the header.
_HEADER_BYTES = st.binary(max_size=300).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
_VALUES = st.one_of(
    _HEADER_BYTES,
    _HEADER_BYTES.map(lambda b: b"Basic " + b),
    st.binary(max_size=200).map(_basic),
    st.text(max_size=60).map(lambda t: _basic(t.encode("utf-8", "surrogatepass"))),
    _HEADER_BYTES.map(lambda b: b"Token " + b),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(authorization=_VALUES, target=st.sampled_from(TARGETS))
def test_fuzzed_authorization_is_never_a_server_error(
    fuzzed: tuple[Index, _Tracebacks], authorization: bytes, target: tuple[str, str]
):
    index, tracebacks = fuzzed
    before = len(tracebacks.records)

    response = _send(index, *target, authorization.strip(b" \t"))

    _assert_refused_in_one_line(response)
    assert tracebacks.records[before:] == []
