"""`hubindex serve` on edited copies of the checkout: a stale tree, and --reload."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.generator.conftest import PYTHON, edit_spec, generate

WAIT = 60  # seconds a reload may take on a loaded machine before the test gives up


def _env(checkout: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(checkout),  # the copy's server and generated packages
        "HUBINDEX_DATABASE_URL": f"sqlite:///{checkout / 'hubindex.db'}",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rename_login(spec: dict) -> None:
    spec["paths"]["/v1/users/"]["get"]["operationId"] = "users.sign_in"


def test_a_stale_tree_is_refused_in_one_line(checkout: Path):
    """Before, this tree booted and answered 500 text/plain to everything, ping included."""
    edit_spec(checkout, _rename_login)
    result = subprocess.run(
        [PYTHON, "-m", "server.cli.main", "serve", "--port", str(_free_port())],
        capture_output=True,
        text=True,
        check=False,
        cwd=checkout,
        env=_env(checkout),
        timeout=WAIT,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "hubindex: generated/ is stale: spec/openapi.yaml changed since scripts/generate ran;"
        " run scripts/generate\n"
    )


@pytest.fixture
def reloading(checkout: Path) -> Iterator[tuple[str, Path]]:
    """`hubindex serve --reload` in the copy: its URL and its log."""
    port = _free_port()
    log = checkout / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [PYTHON, "-m", "server.cli.main", "serve", "--reload", "--port", str(port)],
            cwd=checkout,
            env=_env(checkout),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the reloader and the server it runs, stopped together
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: _get(f"{url}/v1/_ping") is not None, process, log)
        yield url, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=WAIT)


def test_reload_serves_an_edited_handler_and_a_regenerated_tree(
    checkout: Path, reloading: tuple[str, Path]
):
    url, log = reloading
    ping = checkout / "server" / "handlers" / "ping.py"
    ping.write_text(
        ping.read_text().replace(
            '{"X-Docker-Registry-Standalone": "false"}',
            '{"X-Docker-Registry-Standalone": "false", "X-Edited": "yes"}',
        )
    )
    _until(lambda: _header(f"{url}/v1/_ping", "X-Edited") == "yes", None, log)

    def add_stars(spec: dict) -> None:
        ok = {"application/json": {"schema": {"$ref": "#/components/schemas/Ok"}}}
        spec["paths"]["/v1/stars"] = {
            "get": {
                "operationId": "stars.count",
                "summary": "Count stars",
                "responses": {"200": {"description": "The count.", "content": ok}},
            }
        }

    assert _status(f"{url}/v1/stars") == 404
    edit_spec(checkout, add_stars)
    assert generate(checkout).returncode == 0
    _until(lambda: _status(f"{url}/v1/stars") == 501, None, log)
    assert _header(f"{url}/v1/_ping", "X-Edited") == "yes"


# One client for every poll (httpx.get makes one, with an SSL context, 40 ms of CPU, a try),
# keeping no connection: each request reaches the process that serves at the time.
_POLLS = httpx.Client(timeout=5, limits=httpx.Limits(max_keepalive_connections=0))


def _get(url: str) -> httpx.Response | None:
    try:
        return _POLLS.get(url)
    except httpx.TransportError:
        return None  # between two server processes


def _status(url: str) -> int | None:
    response = _get(url)
    return None if response is None else response.status_code


def _header(url: str, name: str) -> str | None:
    response = _get(url)
    return None if response is None else response.headers.get(name)


def _until(condition: Callable[[], bool], process: subprocess.Popen | None, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            pytest.fail(f"hubindex serve --reload did not get there:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
