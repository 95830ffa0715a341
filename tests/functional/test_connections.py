"""Connections are bounded, on a real `hubindex serve`: a request head's size (431), how long
its head and its body may take (408, closed), how many connections one process and one client
address may hold (503, 429), how much body memory a process holds (503), and credentials
checked before a body is read.

Raw sockets, since every case is a request no HTTP client would send. Clients other than
127.0.0.1 are other loopback addresses (127.0.0.0/8): 127.0.0.1 is a trusted proxy by default,
which the per-address cap leaves out.
"""

import json
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HUBINDEX = Path(sys.executable).parent / "hubindex"
TIMEOUT = 1.0  # the servers' head and body timeouts, in seconds
# What the sweep may add to a deadline (it runs every 0.5 s), and a loaded machine's slack.
LATE = 2.5
PROTECTED = "/v1/repositories/someone/something/images"  # PUT needs Basic or a token


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(tmp_path: Path, **settings: str) -> Iterator[int]:
    port = _free_port()
    env = {
        **os.environ,
        "HUBINDEX_DATABASE_URL": f"sqlite:///{tmp_path / 'hubindex.db'}",
        "HUBINDEX_LOG_LEVEL": "warning",
        **{f"HUBINDEX_{name.upper()}": value for name, value in settings.items()},
    }
    server = subprocess.Popen(
        [str(HUBINDEX), "serve", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        with httpx.Client(timeout=2) as polls:  # one SSL context, not one a try (40 ms of CPU)
            while True:
                assert server.poll() is None, "hubindex serve exited"
                try:
                    if polls.get(f"http://127.0.0.1:{port}/v1/_ping").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "hubindex serve did not start"
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module", params=["fast", "connexion"])
def port(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    yield from _serve(
        tmp_path_factory.mktemp("connections"),
        engine=request.param,
        header_timeout_seconds=str(TIMEOUT),
        body_timeout_seconds=str(TIMEOUT),
        max_body_bytes="4096",
        body_buffer_bytes="6000",
    )


@pytest.fixture(scope="module")
def capped_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    yield from _serve(
        tmp_path_factory.mktemp("capped"), max_connections="12", max_connections_per_address="4"
    )


def _connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The status, headers and body of the one answer on ``sock``, read until it closes."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _first_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The status, headers and body of the first answer on ``sock``, by its Content-Length
    (the connection stays open)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed without an answer after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}  # a repeated field's values joined by ", "
    for name, value in (line.split(": ", 1) for line in lines[1:]):
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return int(lines[0].split()[1]), headers, body


def test_a_head_past_the_limit_is_answered_431_and_closed(port: int):
    with _connect(port) as sock:
        sock.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
        status, headers, body = _answer(sock)
    assert status == 431
    assert headers["content-type"] == "application/json"
    assert "larger than 16384 bytes" in json.loads(body)["error"]


def test_a_huge_header_line_is_cut_off_without_reading_it_all(port: int):
    """160 MB would cost httptools seconds; the answer comes after the limit's worth."""
    with _connect(port) as sock:
        sock.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\nX-Huge: ")
        sent = _send_until_refused(sock, 160 * 2**20)
        status, _, _ = _answer(sock)
    assert status == 431
    assert sent < 8 * 2**20


def _send_until_refused(sock: socket.socket, total: int) -> int:
    """Sends up to ``total`` bytes, until the server stops taking them; how many it took."""
    sent = 0
    while sent < total:
        if select.select([sock], [], [], 0)[0]:
            break  # answered
        try:
            sock.sendall(b"a" * 65536)
        except OSError:
            break
        sent += 65536
    return sent


def test_a_head_just_under_the_limit_is_served(port: int):
    with _connect(port) as sock:
        filler = b"a" * 15_000
        sock.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + filler + b"\r\n\r\n")
        status, _, _ = _first_answer(sock)
    assert status == 200


def test_a_half_sent_head_is_answered_408_and_closed(port: int):
    with _connect(port) as sock:
        sock.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        status, _, body = _answer(sock)
        waited = time.monotonic() - started
    assert status == 408
    assert "did not arrive within 1 s" in json.loads(body)["error"]
    assert waited + 0.1 >= TIMEOUT
    assert waited < TIMEOUT + LATE


def test_a_head_trickled_a_byte_at_a_time_is_cut_off_at_the_deadline(port: int):
    """Each byte comes well within the timeout; the head as a whole does not."""
    answer = b""
    with _connect(port) as sock:
        started = time.monotonic()
        for byte in b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            try:
                sock.send(bytes([byte]))
            except OSError:
                break
            if select.select([sock], [], [], 0.1)[0]:
                answer = sock.recv(65536)
                break
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert waited < TIMEOUT + LATE


def test_a_connection_that_sends_nothing_is_closed(port: int):
    with _connect(port) as sock:
        started = time.monotonic()
        status, _, _ = _answer(sock)
    assert status == 408
    assert time.monotonic() - started < TIMEOUT + LATE


def test_a_body_that_stops_coming_is_answered_408_and_closed(port: int):
    with _connect(port) as sock:
        sock.sendall(
            b"POST /v1/users/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n[]"  # a whole JSON document, but not the whole body
        )
        started = time.monotonic()
        status, _, body = _answer(sock)
    assert status == 408, body
    assert "body did not arrive" in json.loads(body)["error"]
    assert time.monotonic() - started < TIMEOUT + LATE


def test_a_kept_alive_connection_serves_one_request_after_another(port: int):
    with _connect(port) as sock:
        for _ in range(3):
            sock.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, _ = _first_answer(sock)
            assert status == 200
            time.sleep(TIMEOUT * 0.6)  # together past the head timeout: each has its own


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer abc", "Basic !!!"],
    ids=["anonymous", "unknown-scheme", "malformed"],
)
def test_an_operation_needing_credentials_refuses_before_waiting_for_the_body(
    port: int, authorization: str | None
):
    """The body never comes: the answer is the 401, not the body timeout's 408."""
    with _connect(port) as sock:
        head = (
            f"PUT {PROTECTED} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 4000\r\n"
        )
        if authorization is not None:
            head += f"Authorization: {authorization}\r\n"
        sock.sendall(head.encode() + b"\r\n")
        status, headers, body = _first_answer(sock)
    assert status == 401, body
    assert headers["www-authenticate"] == 'Basic realm="hubindex", Token realm="hubindex"'


def test_bodies_past_the_process_buffer_are_refused_503_with_retry_after(port: int):
    """6,000 bytes of bodies at once: one of 3,500 is held, a second passes the buffer."""
    head = (
        b"POST /v1/users/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 4000\r\n\r\n"
    )
    with _connect(port, "127.0.0.2") as first, _connect(port, "127.0.0.3") as second:
        first.sendall(head + b" " * 3500)
        time.sleep(0.3)
        second.sendall(head + b" " * 3500)
        status, headers, body = _first_answer(second)
    assert status == 503, body
    assert headers["retry-after"] == "1"
    assert "too many request bodies" in json.loads(body)["error"]
    # The first one's bytes are given back: the next body is taken.
    time.sleep(TIMEOUT + LATE)
    response = httpx.post(
        f"http://127.0.0.1:{port}/v1/users/", content=b" " * 3500 + b"{}", timeout=10,
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 400, response.text


def test_connections_past_the_per_address_cap_are_refused_429(capped_port: int):
    held = [_connect(capped_port, "127.0.0.2") for _ in range(4)]
    try:
        with _connect(capped_port, "127.0.0.2") as refused:
            status, headers, body = _answer(refused)
        assert status == 429
        assert headers["retry-after"] == "1"
        assert "too many connections from 127.0.0.2" in json.loads(body)["error"]
        # Another address is served meanwhile.
        with _connect(capped_port, "127.0.0.3") as other:
            other.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _first_answer(other)[0] == 200
    finally:
        for sock in held:
            sock.close()


def test_connections_past_the_process_cap_are_refused_503(capped_port: int):
    held = [_connect(capped_port, f"127.0.0.{10 + n % 3}") for n in range(12)]
    try:
        time.sleep(0.2)
        with _connect(capped_port, "127.0.0.20") as refused:
            status, headers, body = _answer(refused)
        assert status == 503
        assert headers["retry-after"] == "1"
        assert "limit of 12 connections" in json.loads(body)["error"]
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.5)  # closed connections are given back
    assert httpx.get(f"http://127.0.0.1:{capped_port}/v1/_ping", timeout=10).status_code == 200
