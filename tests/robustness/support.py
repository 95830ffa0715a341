"""Helpers of the robustness suite: raw HTTP exchanges, and ``hubindex serve`` as a process."""

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from tests.harness import FAST_HASHING, HUBINDEX, _free_port, hubindex


@contextmanager
def pool_client(base_url: str, size: int) -> Iterator[httpx.Client]:
    """A client with room for ``size`` requests at once."""
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    with httpx.Client(base_url=base_url, timeout=60, limits=limits) as client:
        yield client


def burst(requests: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run every request at once, each on its own thread (a barrier lets them go together);
    the responses in the order of the requests."""
    start = threading.Barrier(len(requests))

    def run(request: Callable[[], httpx.Response]) -> httpx.Response:
        start.wait(timeout=30)
        response = request()
        response.read()
        return response

    with ThreadPoolExecutor(max_workers=len(requests)) as executor:
        return list(executor.map(run, requests))


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]  # names lower-cased; a repeated field's values joined by ", "
    body: bytes


def raw_exchange(
    port: int, head: bytes, body_parts: Sequence[bytes] = (), timeout: float = 10
) -> RawResponse:
    """Send ``head`` (request line and headers, up to the blank line) and ``body_parts`` as
    they are, in one write, then read one response. Nothing is added or checked on the way
    out, so requests that an HTTP client would refuse to send can be sent. (One write: the
    server may answer and close before the end of a body it refuses, and a later write would
    then fail.)"""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(head + b"".join(body_parts))
        received = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in received:
            received += _receive(connection, deadline)
        header_block, _, rest = received.partition(b"\r\n\r\n")
        status_line, *header_lines = header_block.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            key, value = name.strip().lower(), value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            rest += _receive(connection, deadline)
        return RawResponse(int(status_line.split()[1]), headers, rest[:length])


def _receive(connection: socket.socket, deadline: float) -> bytes:
    connection.settimeout(max(0.01, deadline - time.monotonic()))
    chunk = connection.recv(65536)
    if not chunk:
        raise ConnectionError("the server closed the connection before a whole response")
    return chunk


def serve_environment(database_url: str, **variables: str) -> dict[str, str]:
    """The environment of a ``hubindex serve`` for tests: cheap argon2, this database."""
    environment = dict(os.environ)
    environment.update({f"HUBINDEX_{name.upper()}": str(v) for name, v in FAST_HASHING.items()})
    environment["HUBINDEX_DATABASE_URL"] = database_url
    environment["HUBINDEX_LOG_LEVEL"] = "warning"
    environment.update(variables)
    return environment


@dataclass
class ServeProcess:
    """``hubindex serve --no-migrate`` on a loopback port, as an operator runs it."""

    database_url: str
    log_path: Path
    variables: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "ServeProcess":
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(HUBINDEX), "serve", "--port", str(self.port), "--no-migrate"],
            env=serve_environment(self.database_url, **self.variables),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_up(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=2) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"hubindex serve exited:\n{self.log_path.read_text()}")
                try:
                    if client.get("/v1/_ping").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"hubindex serve did not start:\n{self.log_path.read_text()}"
                    )
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as a crash or the OOM killer would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)
        self._close_log()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def migrate(database_url: str) -> None:
    """``hubindex db upgrade``, as an operator runs it before starting servers."""
    hubindex("db", "upgrade", database_url=database_url)
