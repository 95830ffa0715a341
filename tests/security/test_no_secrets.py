"""No password, token signature, ``Authorization`` value, confirmation code or signing key in a
log or an answer.

The server runs in-process (uvicorn in a thread, every logger at DEBUG), so every record it
writes reaches ``caplog``; its access lines go, as under ``hubindex serve``, straight to a
``LineHandler`` (text, then JSON), whose output is searched too. uvicorn's own access log is off,
as under ``hubindex serve``: it writes the query string, where a confirmation code travels. A
whole session of a Docker client and a registry goes through it, with the mistakes people make
(wrong passwords, bad tokens, invalid passwords); then every log line and every response is
searched for each secret. The only place a secret may appear is the token headers of the answer
that hands the token out.
"""

import base64
import io
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn

from server.app import create_app
from server.logs import ACCESS_LOGGER, LineHandler
from tests.harness import Index, Mailbox
from tests.security.helpers import (
    WANT_TOKEN,
    basic,
    edited_token,
    forged_token,
    image_id,
    parse_token,
    query,
    with_token,
)

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
# Records of the test's own client and SMTP sink are not the server's.
CLIENT_LOGGERS = ("httpx", "httpcore", "mail.log", "mail")
TOKEN_HEADERS = ("x-docker-token", "www-authenticate")


class LoggedIndex(Index):
    """The harness's index, served by a uvicorn that logs at DEBUG through the standard logging
    tree (no handlers of its own)."""

    over_socket = True

    def uvicorn_config(self) -> uvicorn.Config:
        return uvicorn.Config(
            create_app(self.settings),
            lifespan="on",
            log_config=None,
            log_level="debug",
            access_log=False,  # as `hubindex serve`
        )


@contextmanager
def access_lines(log_format: str) -> Iterator[io.StringIO]:
    """hubindex's access lines written as ``hubindex serve`` writes them."""
    logger = logging.getLogger(ACCESS_LOGGER)
    saved = (logger.handlers[:], logger.propagate, logger.level)
    stream = io.StringIO()
    handler = LineHandler(log_format, stream)
    logger.handlers[:], logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        handler.close()
        logger.handlers[:], logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])


@contextmanager
def uvicorn_logs_to_root() -> Iterator[None]:
    """uvicorn's loggers at DEBUG and propagating to the root (where caplog listens)."""
    saved = {name: logging.getLogger(name) for name in UVICORN_LOGGERS}
    state = {name: (logger.level, logger.propagate) for name, logger in saved.items()}
    for logger in saved.values():
        logger.setLevel(logging.DEBUG)
        logger.propagate = True
    try:
        yield
    finally:
        for name, logger in saved.items():
            logger.setLevel(state[name][0])
            logger.propagate = state[name][1]


@dataclass
class Session:
    """A client that remembers every exchange, and every secret it sent or was handed."""

    client: httpx.Client
    passwords: set[str] = field(default_factory=set)
    authorizations: set[str] = field(default_factory=set)
    signatures: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    exchanges: list[tuple[httpx.Request, httpx.Response]] = field(default_factory=list)

    def send(self, method: str, path: str, **options: object) -> httpx.Response:
        response = self.client.request(method, path, **options)  # type: ignore[arg-type]
        authorization = response.request.headers.get("Authorization")
        if authorization:
            self.authorizations.add(authorization)
            if authorization.startswith("Token "):
                self.signatures.add(parse_token(authorization[6:])["signature"])
        if "x-docker-token" in response.headers:
            self.signatures.add(parse_token(response.headers["X-Docker-Token"])["signature"])
        self.exchanges.append((response.request, response))
        return response

    def password(self) -> str:
        password = "pw-" + secrets.token_urlsafe(18)
        self.passwords.add(password)
        return password


def _run_a_docker_session(index: Index, mailbox: Mailbox, session: Session) -> str:
    """Register, confirm, log in, push, pull, check tokens, change the password, delete; with
    wrong passwords, bad tokens and invalid passwords along the way. The repository path."""
    send = session.send
    suffix = secrets.token_hex(4)
    username, email = f"leak_{suffix}", f"leak.{suffix}@example.com"
    first, second, wrong = session.password(), session.password(), session.password()
    too_long = session.password() + "x" * 2000
    session.passwords.add(too_long)
    as_first, as_second, as_wrong = (
        basic(username, first),
        basic(username, second),
        basic(username, wrong),
    )
    path = f"{username}/secret-app"

    assert send("POST", "/v1/users/", json={"username": username, "password": first,
                                            "email": email}).status_code == 201  # fmt: skip
    again = {"username": username, "password": first, "email": email, "auth": ""}
    assert send("POST", "/v1/users/", json=again).status_code == 400
    invalid = {"username": f"other_{suffix}", "email": f"o.{suffix}@example.com"}
    assert send("POST", "/v1/users/", json={**invalid, "password": too_long}).status_code == 400
    not_a_string = session.password()
    assert send("POST", "/v1/users/", json={**invalid, "password": [not_a_string]}).status_code == (
        400
    )
    assert send("GET", "/v1/users/", headers=as_first).status_code == 403  # not confirmed yet
    link = urlsplit(mailbox.confirmation_link(email))
    [code] = parse_qs(link.query)["code"]
    session.codes.add(code)
    assert send("GET", f"{link.path}?{link.query}").status_code == 200
    assert send("GET", f"{link.path}?{link.query}").status_code == 404  # used
    assert send("GET", "/v1/users/", headers=as_first).status_code == 200
    assert send("GET", "/v1/users/", headers=as_wrong).status_code == 401
    garbage = base64.b64encode(secrets.token_bytes(24)).decode()
    assert send("GET", "/v1/users/", headers={"Authorization": f"Basic {garbage}"}).status_code == (
        401
    )
    bearer = secrets.token_urlsafe(24)
    assert send("GET", "/v1/users/", headers={"Authorization": f"Bearer {bearer}"}).status_code == (
        401
    )

    # Push.
    image = image_id()
    pushed = send("PUT", f"/v1/repositories/{path}/", json=[{"id": image}],
                  headers={**as_first, **WANT_TOKEN})  # fmt: skip
    assert pushed.status_code == 200
    write = pushed.headers["X-Docker-Token"]
    checksum = "sha256:" + secrets.token_hex(32)
    entries = [{"id": image, "checksum": checksum}]
    assert send("PUT", f"/v1/repositories/{path}/images", json=entries,
                headers=with_token(write)).status_code == 204  # fmt: skip
    assert send("PUT", f"/v1/repositories/{path}/images", json=[],
                headers=as_first).status_code == 204  # fmt: skip

    # Pull, and a registry checking the tokens it was handed.
    pulled = send("GET", f"/v1/repositories/{path}/images", headers=WANT_TOKEN)
    assert pulled.status_code == 200
    read = pulled.headers["X-Docker-Token"]
    assert send("GET", f"/v1/repositories/{path}/images", headers=with_token(read)).status_code == (
        200
    )
    assert send("PUT", f"/v1/repositories/{path}/auth", headers=with_token(read)).status_code == 200
    assert send("PUT", f"/v1/repositories/{path}/images", json=[],
                headers=with_token(read)).status_code == 403  # fmt: skip
    elsewhere = f"{username}/elsewhere"
    assert send("PUT", f"/v1/repositories/{elsewhere}/auth",
                headers=with_token(edited_token(write, elsewhere))).status_code == 401  # fmt: skip
    assert send("PUT", f"/v1/repositories/{path}/auth",
                headers=with_token(forged_token(path, "read"))).status_code == 401  # fmt: skip
    assert send("GET", f"/v1/repositories/{path}/images", headers=as_wrong).status_code == 401
    assert send("GET", "/v1/search", params={"q": "secret"}, headers=as_first).status_code == 200

    # A new password; the old one stops working.
    assert send("PUT", f"/v1/users/{username}/", json={"password": second},
                headers=as_first).status_code == 204  # fmt: skip
    assert send("PUT", f"/v1/users/{username}/", json={"password": too_long},
                headers=as_second).status_code == 400  # fmt: skip
    assert send("GET", "/v1/users/", headers=as_first).status_code == 401
    assert send("GET", "/v1/users/", headers=as_second).status_code == 200
    new_email = f"leak2.{suffix}@example.com"
    assert send("PUT", f"/v1/users/{username}/", json={"email": new_email},
                headers=as_second).status_code == 204  # fmt: skip

    # Delete, with the delete token a registry gets.
    deleted = send("DELETE", f"/v1/repositories/{path}/", headers={**as_second, **WANT_TOKEN})
    assert deleted.status_code == 202
    gone = with_token(deleted.headers["X-Docker-Token"])
    # The registry's check of the delete token after the deletion: good, and the list.
    assert send("PUT", f"/v1/repositories/{path}/auth", headers=gone).status_code == 200
    assert send("GET", f"/v1/repositories/{path}/images", headers=gone).status_code == 200
    assert send("GET", f"/v1/repositories/{path}/images").status_code == 404
    return path


def _forms_of(key: bytes) -> set[str]:
    """How a key could be written out: hex, base64 (both alphabets, padded or not), repr."""
    forms = {key.hex(), key.hex().upper(), repr(key)[2:-1]}
    for encoded in (base64.b64encode(key), base64.urlsafe_b64encode(key)):
        forms |= {encoded.decode(), encoded.decode().rstrip("=")}
    return forms


def _mac_of(signature: str) -> str:
    """The MAC part of a signature (``<expiry>.<mac>``); the expiry alone is no secret."""
    return signature.rpartition(".")[2] or signature


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_secret_in_any_log_line_or_response(
    database_url: str, mailbox: Mailbox, caplog: pytest.LogCaptureFixture, log_format: str
):
    caplog.set_level(logging.DEBUG)
    index = LoggedIndex(database_url, mailbox)
    with uvicorn_logs_to_root(), access_lines(log_format) as written:
        index.start()
        try:
            session = Session(index.client)
            _run_a_docker_session(index, mailbox, session)
        finally:
            index.close()
    [(key,)] = query(database_url, "SELECT secret FROM signing_keys")
    key = bytes(key)

    secrets_by_kind = {
        "password": session.passwords,
        "Authorization value": session.authorizations,
        "token signature": session.signatures | {_mac_of(s) for s in session.signatures},
        "confirmation code": session.codes,
        "signing key": _forms_of(key),
    }
    assert all(secrets_by_kind.values()), secrets_by_kind.keys()

    server_records = [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]
    access = written.getvalue().splitlines()
    assert len(access) == len(session.exchanges), "the access log was not captured"
    assert sum("/v1/users/confirm" in line for line in access) == 2
    log_lines = [caplog.handler.format(record) for record in server_records] + access

    leaks = []
    for kind, values in secrets_by_kind.items():
        for value in values:
            for line in log_lines:
                if value in line:
                    leaks.append(f"{kind} in the log: {line[:300]}")
            for request, response in session.exchanges:
                for place, text in _visible_parts(request, response):
                    if value in text:
                        leaks.append(f"{kind} in {place} of {request.method} {request.url.path}")
    assert leaks == []


def _visible_parts(request: httpx.Request, response: httpx.Response) -> Iterator[tuple[str, str]]:
    """What a response shows, less the token headers of an answer that hands out a token."""
    issues_token = request.headers.get("X-Docker-Token") == "true" and response.is_success
    for name, value in response.headers.items():
        if not (issues_token and name.lower() in TOKEN_HEADERS):
            yield f"header {name}", value
    yield "the body", response.content.decode("latin-1")
