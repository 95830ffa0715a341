"""What an operator relies on: help, config, one log line per request, metrics, shutdown."""

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import FAST_HASHING, HUBINDEX, Index, hubindex

# Each test starts `hubindex serve` processes: run with the slow layers.
pytestmark = pytest.mark.slow

COMMANDS = [[], ["serve"], ["db"], ["db", "upgrade"], ["users"], ["users", "create"],
            ["users", "activate"], ["config"]]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "hubindex")
def test_every_command_has_help(command: list[str]):
    result = subprocess.run(
        [str(HUBINDEX), *command, "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: hubindex")
    assert "help" in result.stdout


def test_users_create_makes_an_active_administrator_from_a_password_on_stdin(index: Index):
    hubindex(
        "users", "create", "operator_made", "--email", "op@example.com", "--admin",
        "--password-stdin",
        database_url=index.database_url,
        stdin="op-password\n",
    )  # fmt: skip
    assert index.client.get("/v1/users/", auth=("operator_made", "op-password")).text == '"OK"'
    created = index.client.put(
        "/v1/repositories/library/made_by_admin/", json=[], auth=("operator_made", "op-password")
    )
    assert created.status_code == 200


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "create", "ab", "--email", "x@example.com"], "pw-long-enough\n", "username"),
        (["users", "create", "abcd", "--email", "nope"], "pw-long-enough\n", "email"),
        (["users", "create", "abcd", "--email", "x@example.com"], "pw\n", "password"),
        (["users", "activate", "nobody_here"], "", "nobody_here"),
    ],
)
def test_bad_operator_input_is_one_line_and_no_traceback(
    index: Index, args: list[str], stdin: str, message: str
):
    if args[1] == "create":
        args = [*args, "--password-stdin"]
    result = hubindex(*args, database_url=index.database_url, stdin=stdin, check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_users_activate_activates_without_the_mailed_code(index: Index):
    account = index.account(active=False)
    assert index.client.get("/v1/users/", auth=account.auth).status_code == 403
    hubindex("users", "activate", account.username, database_url=index.database_url)
    assert index.client.get("/v1/users/", auth=account.auth).status_code == 200


def test_config_prints_every_setting_with_passwords_masked(tmp_path: Path):
    url = "postgresql+psycopg://hub:db-secret@127.0.0.1:1/hub"
    result = hubindex("config", database_url=url)
    lines = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert lines["HUBINDEX_DATABASE_URL"] == "postgresql+psycopg://hub:***@127.0.0.1:1/hub"
    assert lines["HUBINDEX_EMAIL_CONFIRMATION"] == "required"
    assert "db-secret" not in result.stdout


def test_each_request_is_one_log_line_with_its_route_and_user_but_no_secret(
    index: Index, caplog: pytest.LogCaptureFixture
):
    account = index.account()
    with caplog.at_level("INFO", logger="hubindex.access"):
        index.client.get("/v1/users/", auth=account.auth)
        index.client.get("/v1/users/", auth=(account.username, "wrong-password"))
        index.client.get("/v1/repositories/someone/app/images")
    lines = [r for r in caplog.records if r.name == "hubindex.access"]
    assert [(r.request["route"], r.request["status"], r.request["user"]) for r in lines] == [
        ("/v1/users/", 200, account.username),
        ("/v1/users/", 401, None),
        ("/v1/repositories/{namespace}/{repository}/images", 404, "-"),
    ]
    assert all(r.request["duration_ms"] > 0 for r in lines)
    assert account.password not in caplog.text
    assert "wrong-password" not in caplog.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log


@pytest.fixture
def serve(database_url: str, tmp_path: Path) -> Iterator:
    started: list[Served] = []

    def start(*args: str, **env: str) -> Served:
        port = _free_port()
        log = tmp_path / f"serve-{port}.log"
        environment = {
            **os.environ,
            "HUBINDEX_DATABASE_URL": database_url,
            **{f"HUBINDEX_{k.upper()}": str(v) for k, v in FAST_HASHING.items()},
            **env,
        }
        with log.open("w") as output:
            process = subprocess.Popen(
                [str(HUBINDEX), "serve", "--port", str(port), *args],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        served = Served(process, f"http://127.0.0.1:{port}", log)
        started.append(served)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{served.url}/v1/_ping", timeout=1)
                return served
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"hubindex serve did not start:\n{log.read_text()}")
                time.sleep(0.05)

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
        served.process.wait(timeout=10)


def test_json_logs_are_one_object_per_line(serve):
    served = serve("--log-format", "json")
    httpx.get(f"{served.url}/v1/search", params={"q": "nothing"})
    served.process.terminate()
    served.process.wait(timeout=30)
    events = [json.loads(line) for line in served.log.read_text().splitlines()]
    requests = [e for e in events if e["logger"] == "hubindex.access"]
    assert {(e["route"], e["operation"], e["status"]) for e in requests} >= {
        ("/v1/_ping", "ping.get", 200),
        ("/v1/search", "search.query", 200),
    }


def test_metrics_are_off_by_default_and_served_on_their_own_port_when_asked(serve):
    port = _free_port()
    served = serve(HUBINDEX_METRICS_PORT=str(port))
    httpx.get(f"{served.url}/v1/search", params={"q": "x"})
    httpx.get(f"{served.url}/v1/search", params={"q": "x", "n": "0"})
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert 'hubindex_requests_total{operation="search.query",status="200"} 1.0' in metrics
    assert 'hubindex_requests_total{operation="search.query",status="400"} 1.0' in metrics
    assert "hubindex_request_duration_seconds_bucket" in metrics
    assert "hubindex_db_connections_in_use" in metrics
    assert httpx.get(f"{served.url}/metrics").status_code == 404


def test_sigterm_lets_a_request_in_flight_finish(serve):
    served = serve()
    account = {"username": "slowpoke", "password": "slow-password", "email": "s@example.com"}
    body = json.dumps(account).encode()
    result: dict[str, httpx.Response] = {}

    def slow_upload() -> Iterator[bytes]:
        for byte in body:
            yield bytes([byte])
            time.sleep(0.02)  # about a second in all: the server is stopped meanwhile

    def register() -> None:
        result["response"] = httpx.post(
            f"{served.url}/v1/users/",
            content=slow_upload(),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )

    client = threading.Thread(target=register)
    client.start()
    time.sleep(0.3)
    served.process.send_signal(signal.SIGTERM)
    client.join(timeout=30)
    assert result["response"].status_code == 201
    # uvicorn shuts down gracefully, then re-raises the signal to exit as terminated by it.
    assert served.process.wait(timeout=30) == -signal.SIGTERM
    assert "Finished server process" in served.log.read_text()
