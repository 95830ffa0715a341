"""The Schemathesis CLI (``scripts/conformance``) against a live ``hubindex serve``: the same
checks as the in-process suite, through a real socket and server process.

Deterministic and bounded (the cases by their count, the stateful sequences by their count or
``--max-time``), as CI needs; ``scripts/conformance --seed N`` runs a random campaign by hand.
"""

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from tests.backends import BACKENDS, postgres
from tests.conftest import ROOT

# Two campaigns, each a test of its own (two workers run them side by side), each with the
# clock it may take at most. The cases end by their count: every operation through the
# examples, the coverage phase and FUZZED_CASES fuzzed cases, all of it or the test fails (a
# 90 s clock left fuzzing a share of the operations that depended on the machine's load).
# The stateful phase ends after schemathesis.toml's 150 sequences or its clock, whichever
# comes first, and must have followed every link by then: the deterministic sequences
# followed all 20 within their first 104 (on a machine loaded six times over, 104 took
# 600 s; a sequence costs about 0.45 s of CPU in Schemathesis and 0.1 s in the server), so
# the clock stays the 400 s that CI's stateful campaign had.
FUZZED_CASES = 5
# (scripts/conformance's arguments, Schemathesis's arguments, the most seconds it may take)
CAMPAIGNS = {
    "cases": (["--examples", str(FUZZED_CASES)], ["--phases", "examples,coverage,fuzzing"], 600),
    "stateful": ([], ["--phases", "stateful"], 400),
}
# One backend: PostgreSQL. The in-process suite runs every phase and the stateful sequences on
# SQLite (test_conformance.py), and the differential suite sends Schemathesis's cases to both
# backends, so the CLI's campaigns take the other one; scripts/conformance's SQLite default is
# run by the two tests below (a kept server, a failure's reproduction).
CLI_BACKEND = "postgresql"
assert CLI_BACKEND in BACKENDS


@pytest.mark.parametrize("campaign", sorted(CAMPAIGNS))
@pytest.mark.parametrize("backend", [CLI_BACKEND])
def test_the_cli_finds_no_failure_against_a_live_server(backend: str, campaign: str):
    options, schemathesis_options, max_time = CAMPAIGNS[campaign]
    environment = dict(os.environ)
    if backend == "postgresql":
        target = postgres()
        if target.url is None:
            pytest.skip(target.why_left_out)
        environment["HUBINDEX_TEST_POSTGRES_URL"] = target.url
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "lib" / "conformance.py"),
            "--backend",
            backend,
            "--max-time",
            str(max_time),
            *options,
            "--",
            *schemathesis_options,
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=max_time * 2,
        check=False,
    )
    assert done.returncode == 0, (
        f"scripts/conformance failed:\n{done.stdout[-20000:]}\n{done.stderr}"
    )
    assert "passed" in done.stdout, done.stdout
    if campaign == "cases":  # all of it: no operation left out for lack of time
        assert "Time limit reached" not in done.stdout, done.stdout[-5000:]
    if campaign == "stateful":
        links = re.search(r"API links: (\d+) of (\d+) exercised by the stateful phase", done.stdout)
        assert links is not None, done.stdout[-5000:]
        assert links.group(1) == links.group(2), links.group(0)


def _conformance(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lib" / "conformance.py"), *args],
        cwd=ROOT,
        env=None if env is None else {**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _after(output: str, label: str) -> str:
    """The rest of the line of ``output`` that holds ``label``."""
    found = re.search(re.escape(label) + r"(.*)", output)
    assert found is not None, f"no {label!r} in:\n{output[-5000:]}"
    return found.group(1).strip()


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def test_keep_server_leaves_a_server_that_url_runs_against(tmp_path: Path):
    kept = _conformance("--keep-server", "--max-time", "20", "--", "--phases", "examples")
    pid = int(_after(kept.stdout, "(pid ").split(")")[0]) if "(pid " in kept.stdout else None
    try:
        assert kept.returncode == 0, kept.stdout[-5000:] + kept.stderr
        url = _after(kept.stdout, "the server is still running at ").split()[0]
        assert httpx.get(f"{url}/v1/_ping").status_code == 200
        again = shlex.split(_after(kept.stdout, "run again against it: "))
        assert again[:2] == ["scripts/conformance", "--url"]
        # Its credentials from the environment, as a CI job has them, and a JUnit report.
        flags = dict(zip(again[1::2], again[2::2], strict=True))
        credentials = {
            "HUBINDEX_CONFORMANCE_DATABASE_URL": flags.pop("--database-url"),
            "HUBINDEX_CONFORMANCE_ADMIN": flags.pop("--admin"),
        }
        report = tmp_path / "conformance.xml"
        done = _conformance(
            *(word for pair in flags.items() for word in pair),
            "--junit", str(report),
            "--max-time", "20", "--", "--phases", "examples",
            env=credentials,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-5000:] + done.stderr
        cases = ElementTree.parse(report).getroot().iter("testcase")
        assert {case.get("name") for case in cases} >= {"GET /v1/_ping", "GET /v1/search"}
        assert f"run {url}/openapi.json" in done.stdout
        assert httpx.get(f"{url}/v1/_ping").status_code == 200  # still there
    finally:
        if pid is not None:
            _stop(pid)
        removal = _after(kept.stdout, "stop it and remove its database: ").split(" && ", 1)[1]
        subprocess.run(removal, shell=True, check=True)


def test_a_failure_keeps_the_log_and_says_how_to_start_the_server_again():
    # Any response is too slow for a limit of a microsecond: a failure on the first case.
    failed = _conformance(
        "--max-time", "20", "--",
        "--phases", "examples", "--max-response-time", "0.000001", "--max-failures", "1",
    )  # fmt: skip
    assert failed.returncode == 1, failed.stdout[-5000:] + failed.stderr
    output = failed.stdout
    assert "[Filtered]" not in output
    log = Path(_after(output, "failed. The server's log: "))
    assert log.is_file()
    lines = output.splitlines()
    at = next(i for i, line in enumerate(lines) if "start it again on the same port" in line)
    start = shlex.split(lines[at + 1])  # env NAME=VALUE ... /path/hubindex serve --port N ...
    program = next(i for i, word in enumerate(start) if word.endswith("/hubindex"))
    settings = dict(word.split("=", 1) for word in start[1:program])
    name, _, password = _after(output, "The administrator: ").split(" ")[0].partition(":")
    server = subprocess.Popen(
        start[program:],
        env={**os.environ, **settings},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port = start[start.index("--port") + 1]
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        with httpx.Client() as polls:  # one SSL context, not one a try (40 ms of CPU)
            while True:
                try:
                    answer = polls.get(f"{url}/v1/users/", auth=(name, password))
                    break
                except httpx.TransportError:
                    assert server.poll() is None
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
        assert answer.status_code == 200, answer.text  # the same database, the same administrator
        curl = _after(output, "    curl ")
        assert f"{url}/" in curl
        assert "Authorization: " in curl
    finally:
        server.terminate()
        server.wait(timeout=30)
        removal = _after(output, "remove its database: ")
        subprocess.run(removal, shell=True, check=True)
