"""The access line: its fields in text and JSON, the request id, escaping; the line writer."""

import asyncio
import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable, Iterator

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from server.http.access_log import REQUEST_INFO, RequestLogMiddleware, request_id, shown
from server.logs import ACCESS_LOGGER, REQUEST_ID, LineHandler, LineWriter, Timestamps
from tests.conftest import ROOT

GENERATED_ID = re.compile(r"[0-9a-f]{16}")
WARNER = "tests.warner"  # the logger the app warns on, on /warn

warner = logging.getLogger(WARNER)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers ``hello`` (as ``alice`` on ``/who``), raises on ``/boom``, warns on ``/warn``
    (from a thread too, as the services' work on threads does)."""
    if scope["path"] == "/boom":
        raise RuntimeError("boom")
    if scope["path"] == "/warn":
        warner.warning("the database is slow")
        await asyncio.to_thread(warner.warning, "and so is its thread")
    info = scope[REQUEST_INFO]
    info["operation"], info["route"] = "things.get", "/things/{name}"
    if scope["path"] == "/who":
        info["user"] = "alice"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"1")]})
    await send({"type": "http.response.body", "body": b"hel", "more_body": True})
    await send({"type": "http.response.body", "body": b"lo"})


@pytest.fixture
def access_lines() -> Iterator[Callable[[str], Callable[[], list[str]]]]:
    """Installs a LineHandler of the given format on the access logger, as ``hubindex serve``
    does; returns what it wrote so far."""
    logger = logging.getLogger(ACCESS_LOGGER)
    saved = (logger.handlers[:], logger.propagate, logger.level)
    handlers: list[LineHandler] = []

    def install(log_format: str) -> Callable[[], list[str]]:
        stream = io.StringIO()
        handler = LineHandler(log_format, stream)
        handlers.append(handler)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(logging.INFO)

        def lines() -> list[str]:
            handler.flush()
            return stream.getvalue().splitlines()

        return lines

    yield install
    logger.handlers[:], logger.propagate = saved[0], saved[1]
    logger.setLevel(saved[2])
    for handler in handlers:
        handler.close()


@pytest.fixture
def warnings() -> Iterator[Callable[[str], Callable[[], list[str]]]]:
    """Installs a LineHandler of the given format on the app's own logger; what it wrote."""
    saved = (warner.handlers[:], warner.propagate)
    handlers: list[LineHandler] = []

    def install(log_format: str) -> Callable[[], list[str]]:
        stream = io.StringIO()
        handlers.append(LineHandler(log_format, stream))
        warner.handlers[:] = handlers[-1:]
        warner.propagate = False
        return lambda: stream.getvalue().splitlines()

    yield install
    warner.handlers[:], warner.propagate = saved
    for handler in handlers:
        handler.close()


def get(path: str, **options: object) -> httpx.Response:
    """``GET path`` through the middleware, from 203.0.113.9."""

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(
            RequestLogMiddleware(app, metrics=None),  # type: ignore[arg-type]
            client=("203.0.113.9", 4711),
            raise_app_exceptions=False,
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.get(path, **options)  # type: ignore[arg-type]
        if response.status_code == 200:
            # The client awaited the app in this task: the request's id is not left behind.
            assert REQUEST_ID.get() is None
        return response

    return asyncio.run(call())


def test_the_json_line_has_every_field(access_lines):
    lines = access_lines("json")
    response = get("/who", params={"code": "s3cret"}, headers={"X-Request-ID": "abc-1"})
    assert response.headers["X-Request-ID"] == "abc-1"
    assert response.headers["x-a"] == "1"
    [line] = lines()
    event = json.loads(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event.pop("time"))
    assert 0 < event.pop("duration_ms") < 10_000
    assert event == {
        "level": "info",
        "logger": "hubindex.access",
        "client": "203.0.113.9",
        "method": "GET",
        "path": "/who",
        "status": 200,
        "bytes": 5,
        "user": "alice",
        "operation": "things.get",
        "route": "/things/{name}",
        "request_id": "abc-1",
    }
    assert "s3cret" not in line


def test_the_text_line_names_the_same_and_anonymous_is_a_dash(access_lines):
    lines = access_lines("text")
    response = get("/a/b?code=s3cret")
    [line] = lines()
    rid = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(rid)
    pattern = (
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO hubindex\.access: 203\.0\.113\.9 GET /a/b"
        rf" 200 5B \d+\.\dms user=- op=things\.get id={rid}"
    )
    assert re.fullmatch(pattern, line), line


def test_anonymous_is_a_dash_in_json_too(access_lines):
    lines = access_lines("json")
    get("/x")
    assert json.loads(lines()[0])["user"] == "-"


def test_a_failure_is_answered_500_with_its_request_id_and_logged(access_lines):
    lines = access_lines("json")
    response = get("/boom", headers={"X-Request-ID": "trace.7"})
    assert response.status_code == 500
    assert response.json() == {"error": "internal server error"}
    assert response.headers["X-Request-ID"] == "trace.7"
    event = json.loads(lines()[0])
    assert (event["status"], event["operation"], event["request_id"]) == (500, "-", "trace.7")


@pytest.mark.parametrize("sent", [{"X-Request-ID": "incident-9"}, {}], ids=["sent", "new"])
def test_a_warning_while_serving_names_the_request_id_the_answer_echoes(
    access_lines, warnings, sent: dict[str, str]
):
    lines = access_lines("text")
    warned = warnings("text")
    response = get("/warn", headers=sent)
    rid = response.headers["X-Request-ID"]
    assert rid == sent.get("X-Request-ID", rid)
    assert GENERATED_ID.fullmatch(rid) or sent
    assert [line.split(" ", 1)[1] for line in warned()] == [
        f"WARNING {WARNER}: the database is slow id={rid}",
        f"WARNING {WARNER}: and so is its thread id={rid}",
    ]
    [access] = lines()
    assert access.endswith(f" id={rid}")  # once: the access line's own, at its end
    assert access.count(" id=") == 1


def test_a_warning_while_serving_carries_request_id_in_json(warnings):
    warned = warnings("json")
    get("/warn", headers={"X-Request-ID": "incident-10"})
    events = [json.loads(line) for line in warned()]
    assert [(e["message"], e["request_id"]) for e in events] == [
        ("the database is slow", "incident-10"),
        ("and so is its thread", "incident-10"),
    ]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_record_outside_any_request_names_none(warnings, log_format: str):
    warned = warnings(log_format)
    get("/warn")
    warner.warning("shutting down")
    last = warned()[-1]
    assert "shutting down" in last
    assert "id=" not in last
    assert "request_id" not in last


def test_a_line_cannot_be_forged_through_the_path(access_lines):
    lines = access_lines("text")
    forged = b'/x\n2026-01-01T00:00:00.000Z INFO hubindex.access: 1.2.3.4 "GET /" \\ \x7f\xc3\xa9'

    async def call() -> None:
        messages: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b""}

        async def send(message: dict) -> None:
            messages.append(message)

        scope = {"type": "http", "method": "GET", "path": forged.decode("utf-8", "replace"),
                 "raw_path": forged, "headers": [], "client": ("127.0.0.1", 1)}  # fmt: skip
        await RequestLogMiddleware(app, metrics=None)(scope, receive, send)

    asyncio.run(call())
    [line] = lines()
    path = line.split()[5]
    assert path == (
        "/x%0A2026-01-01T00:00:00.000Z%20INFO%20hubindex.access:%201.2.3.4%20%22GET%20/%22%20%5C"
        "%20%7F%C3%A9"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"/v1/_ping", "/v1/_ping"),
        (b"/a%20b", "/a%20b"),
        (b"/a b\tc\r\n", "/a%20b%09c%0D%0A"),
        (b'/"\\', "/%22%5C"),
        (b"/\x00\x1b[31m", "/%00%1B[31m"),
        (b"/" + b"a" * 2000, "/" + "a" * 1023 + "…"),
    ],
)
def test_shown_escapes_and_cuts(raw: bytes, expected: str):
    assert shown(raw) == expected


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (b"abc-123", True),
        (b"6f1c2a9e-0b7d-4c53-9a1e-0c2f4d5e6a7b", True),
        (b"a.b_c:d+e/f=g@h", True),
        (b"x" * 128, True),
        (b"x" * 129, False),
        (b"", False),
        (b"has space", False),
        (b'quote"', False),
        (b"line\nbreak", False),
        ("é".encode(), False),
    ],
)
def test_a_sane_request_id_is_kept_and_any_other_replaced(sent: bytes, kept: bool):
    got = request_id({"headers": [(b"x-request-id", sent)]})
    assert (got == sent.decode("utf-8", "replace")) is kept
    if not kept:
        assert GENERATED_ID.fullmatch(got)


def test_generated_request_ids_differ():
    assert len({request_id({"headers": []}) for _ in range(1000)}) == 1000


def test_timestamps_are_rfc3339_utc_with_milliseconds():
    times = Timestamps()
    assert times.format(1796624076.1239) == "2026-12-07T06:14:36.123Z"
    assert times.format(1796624076.9999) == "2026-12-07T06:14:36.999Z"
    assert times.format(1796624077.0) == "2026-12-07T06:14:37.000Z"


def test_the_writer_keeps_order_and_writes_what_is_pending_on_close():
    stream = io.StringIO()
    writer = LineWriter(stream)
    for n in range(2000):
        writer.write(f"line {n}")
    writer.close()
    assert stream.getvalue().splitlines() == [f"line {n}" for n in range(2000)]
    writer.write("after close")
    assert stream.getvalue().endswith("after close\n")


EXITING = """
import logging, logging.config, sys
from server.logs import logging_config
from server.http import access_log
logging.config.dictConfig(logging_config("info", sys.argv[1]))
handler = access_log.direct_handler(access_log.access_log)
assert handler is not None
logging.getLogger("hubindex.test").info("the first")
for n in range(5000):
    handler.writer.write(f"access {n}")
"""


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_nothing_pending_is_lost_on_a_normal_exit(log_format: str):
    done = subprocess.run(
        [sys.executable, "-c", EXITING, log_format],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = done.stderr.splitlines()
    assert "the first" in lines[0]
    assert lines[1:] == [f"access {n}" for n in range(5000)]
