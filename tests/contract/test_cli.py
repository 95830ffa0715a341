"""The Schemathesis CLI (``scripts/conformance``) against a live ``hubindex serve``, on each
backend: the same checks as the in-process suite, through a real socket and server process.

Deterministic and bounded (``--max-time``), as CI needs; ``scripts/conformance --seed N`` runs
a random campaign by hand.
"""

import os
import subprocess
import sys

import pytest

from tests.backends import BACKENDS, postgres
from tests.conftest import ROOT

MAX_TIME_SECONDS = 90


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_cli_finds_no_failure_against_a_live_server(backend: str):
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
            str(MAX_TIME_SECONDS),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=MAX_TIME_SECONDS * 3,
        check=False,
    )
    assert done.returncode == 0, (
        f"scripts/conformance failed:\n{done.stdout[-20000:]}\n{done.stderr}"
    )
    assert "passed" in done.stdout, done.stdout
