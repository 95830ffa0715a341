"""A real hubindex for functional tests: the real app on a real database, with real SMTP.

Nothing here is mocked. Each ``Index`` is one server process-equivalent over one database:
the app created by ``create_app``, its lifespan run, in an event loop of its own thread.
Requests reach it in-process (httpx's ASGI transport behind uvicorn's own proxy-headers
middleware, as ``hubindex serve`` wraps it), or, with ``over_socket=True``, through a real
uvicorn on a loopback port, for the tests where the socket is the point. ``restart()`` stops it
and serves the same database again.
"""

import asyncio
import base64
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import anyio
import httpx
import uvicorn
from aiosmtpd.controller import Controller
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp
from starlette.types import Message as ASGIMessage
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server.app import create_app
from server.cli.accounts import create_user
from server.http.connections import BoundedHttpToolsProtocol
from server.settings import Settings
from tests.hashing import FAST_HASHING

HUBINDEX = Path(sys.executable).parent / "hubindex"
CONFIRM_LINK = re.compile(r"https?://\S+/v1/users/confirm\?code=[A-Za-z0-9_-]+")
# The addresses whose X-Forwarded-For uvicorn trusts by default (FORWARDED_ALLOW_IPS unset).
UVICORN_TRUSTED = "127.0.0.1,::1"
# No request of a test takes this long; the bound only ends a test that would hang.
REQUEST_TIMEOUT = 60


class Mailbox:
    """A real SMTP server on loopback that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=_free_port())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self._controller.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str, timeout: float = 10) -> list[Message]:
        """Messages sent to ``address``, waiting up to ``timeout`` for the first."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [m for m in self.messages if address.lower() in m["X-Envelope-To"].lower()]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def confirmation_link(self, address: str) -> str:
        """The confirmation link of the latest mail to ``address``."""
        messages = self.to(address)
        assert messages, f"no mail was sent to {address}"
        body = messages[-1].get_payload(decode=True).decode()
        match = CONFIRM_LINK.search(body)
        assert match, f"no confirmation link in the mail to {address}:\n{body}"
        return match.group(0)


@dataclass
class Account:
    username: str
    password: str = field(repr=False)
    email: str

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)

    @property
    def basic(self) -> str:
        """The ``Authorization`` header value."""
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()


class Index:
    """One running hubindex over one (migrated) database."""

    # A real uvicorn on a loopback port instead of the in-process transport.
    over_socket = False

    def __init__(
        self,
        database_url: str,
        mailbox: Mailbox,
        *,
        over_socket: bool | None = None,
        **settings: Any,
    ) -> None:
        self.database_url = database_url
        self.mailbox = mailbox
        if over_socket is not None:
            self.over_socket = over_socket
        self.port = _free_port()
        defaults = {
            "smtp_url": mailbox.url,
            "public_url": self.url,
            "validate_responses": True,
            # Every test registers from 127.0.0.1: the limits have tests of their own.
            "registrations_per_address": 0,
            "new_emails_per_address": 0,
        }
        self.settings = Settings(
            database_url=database_url, **{**defaults, **FAST_HASHING, **settings}
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._in_process: AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None
        self._lifespan: AbstractContextManager[None] | None = None
        self.app: ASGIApp | None = None
        transport = None if self.over_socket else _PortalTransport(self)
        self.client = httpx.Client(base_url=self.url, timeout=30, transport=transport)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def transport(self) -> httpx.BaseTransport | None:
        """What a client of its own reaches this index through (None: the loopback socket)."""
        return None if self.over_socket else _PortalTransport(self)

    def start(self) -> "Index":
        if self.over_socket:
            self._serve_over_socket()
        else:
            self._serve_in_process()
        return self

    def _serve_in_process(self) -> None:
        self._in_process = start_blocking_portal()
        self._portal = self._in_process.__enter__()
        app = ProxyHeadersMiddleware(create_app(self.settings), trusted_hosts=UVICORN_TRUSTED)
        self.app = app
        self._lifespan = self._portal.wrap_async_context_manager(lifespan(app))
        try:
            self._lifespan.__enter__()
        except BaseException:
            self._lifespan = None
            self._stop_portal()
            raise

    def _serve_over_socket(self) -> None:
        self._server = uvicorn.Server(self.uvicorn_config())
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listener]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("hubindex did not start")
            time.sleep(0.01)

    def uvicorn_config(self) -> uvicorn.Config:
        return uvicorn.Config(
            create_app(self.settings),
            lifespan="on",
            log_level="warning",
            access_log=False,
            http=BoundedHttpToolsProtocol,  # as `hubindex serve` (its limits: the defaults)
        )

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=20)
            self._server = self._thread = None
        if self._lifespan is not None:
            try:
                self._lifespan.__exit__(None, None, None)
            finally:
                self._lifespan = None
                self._stop_portal()

    def _stop_portal(self) -> None:
        if self._in_process is not None:
            self._in_process.__exit__(None, None, None)
            self._in_process = self._portal = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self.client.close()

    def call(self, request: httpx.Request) -> httpx.Response:
        """``request`` answered by the running app, in its own event loop."""
        if self._portal is None or self.app is None:
            raise httpx.ConnectError("hubindex is not running", request=request)
        return self._portal.call(_answer, self.app, request)

    # Accounts -------------------------------------------------------------------------------

    def register(self, username: str, password: str, email: str) -> httpx.Response:
        return self.client.post(
            "/v1/users/", json={"username": username, "password": password, "email": email}
        )

    def activate(self, email: str) -> httpx.Response:
        """Follow the confirmation link mailed to ``email``."""
        return self.client.get(self.mailbox.confirmation_link(email))

    def account(self, *, active: bool = True) -> Account:
        """A new account, registered over HTTP and, unless told otherwise, confirmed by mail."""
        account = new_account()
        response = self.register(account.username, account.password, account.email)
        assert response.status_code == 201, response.text
        if active and self.settings.email_confirmation == "required":
            confirmed = self.activate(account.email)
            assert confirmed.status_code == 200, confirmed.text
        return account

    def admin(self) -> Account:
        """A new administrator, made by what ``hubindex users create --admin`` runs (in this
        process: the command itself has its own tests in functional/test_operator.py)."""
        account = new_account()
        create_user(self.settings, account.username, account.email, account.password, True)
        return account


def new_account() -> Account:
    suffix = secrets.token_hex(4)
    return Account(f"user_{suffix}", secrets.token_urlsafe(12), f"user.{suffix}@example.com")


def hubindex(
    *args: str,
    database_url: str,
    stdin: str = "",
    check: bool = True,
    environment: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the ``hubindex`` operator command against ``database_url`` (``environment``: more
    variables, or others)."""
    env = {
        **os.environ,
        "HUBINDEX_DATABASE_URL": database_url,
        **_fast_hashing_env(),
        **(environment or {}),
    }
    result = subprocess.run(
        [str(HUBINDEX), *args], input=stdin, capture_output=True, text=True, env=env, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _fast_hashing_env() -> dict[str, str]:
    return {f"HUBINDEX_{name.upper()}": str(value) for name, value in FAST_HASHING.items()}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def token_header(response: httpx.Response) -> str:
    """The ``Authorization`` value for the token a response handed out."""
    return "Token " + response.headers["X-Docker-Token"]


@asynccontextmanager
async def lifespan(app: ASGIApp) -> AsyncIterator[None]:
    """Run the app's start-up and shut-down, as a server would around its requests."""
    to_app: asyncio.Queue[ASGIMessage] = asyncio.Queue()
    from_app: asyncio.Queue[ASGIMessage] = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan"}, to_app.get, from_app.put))
    await to_app.put({"type": "lifespan.startup"})
    started = await from_app.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        await from_app.get()
        await task


class _PortalTransport(httpx.BaseTransport):
    """httpx's ASGI transport for a synchronous client: each request is answered in the
    index's event loop (any URL: a mailed link names the index's host and port)."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a streamed body becomes bytes, which the ASGI transport can send
        return self._index.call(request)


async def _answer(app: ASGIApp, request: httpx.Request) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    with anyio.fail_after(REQUEST_TIMEOUT):
        response = await transport.handle_async_request(request)
        content = await response.aread()
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=content,
        extensions=response.extensions,
    )
