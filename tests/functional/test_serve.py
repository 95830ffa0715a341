"""`hubindex serve` as an operator runs it: a real uvicorn process on a loopback port."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import ROOT

# Each test starts `hubindex serve` processes: run with the slow layers.
pytestmark = pytest.mark.slow

HUBINDEX = Path(sys.executable).parent / "hubindex"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    workdir = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "HUBINDEX_DATABASE_URL": f"sqlite:///{workdir / 'hubindex.db'}"}
    log = workdir / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(HUBINDEX), "serve", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    with httpx.Client(timeout=1) as polls:  # one SSL context, not one a try (40 ms of CPU)
        while True:
            try:
                polls.get(f"{url}/v1/_ping")
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    pytest.fail(f"hubindex serve did not start:\n{log.read_text()}")
                time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_ping_says_this_is_an_index(served: str):
    response = httpx.get(f"{served}/v1/_ping")
    assert response.status_code == 200
    assert response.content == b"true"
    assert response.headers["X-Docker-Registry-Standalone"] == "false"
    assert response.headers["Content-Type"] == "application/json"


def test_the_spec_is_served_as_json(served: str):
    response = httpx.get(f"{served}/openapi.json")
    assert response.status_code == 200
    served_spec = response.json()
    spec = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    assert served_spec["paths"].keys() == spec["paths"].keys()


def test_the_docs_page_is_served_with_its_assets_from_this_server(served: str):
    page = httpx.get(f"{served}/docs/")
    assert page.status_code == 200
    assert "swagger-ui" in page.text
    assert "https://" not in page.text.replace("https://www.apache.org", "")
    assert httpx.get(f"{served}/docs/swagger-ui-bundle.js").status_code == 200


def test_a_bad_setting_is_named_and_the_server_does_not_start(tmp_path: Path):
    env = {**os.environ, "HUBINDEX_LOG_LEVEL": "loud"}
    result = subprocess.run(
        [str(HUBINDEX), "serve", "--port", str(_free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "HUBINDEX_LOG_LEVEL" in result.stderr
    assert "Traceback" not in result.stderr
