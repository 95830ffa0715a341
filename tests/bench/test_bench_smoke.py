"""``scripts/bench --quick`` runs end to end and reports a number for every scenario.

It needs wrk (``apt-get install -y wrk``); without it this test fails, it is not skipped.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCENARIOS = {
    "ping",
    "images",
    "images_by_token",
    "search",
    "put_images",
    "put_images_changed",
    "register",
}


def test_quick_benchmark_reports_every_scenario(tmp_path: Path):
    if shutil.which("wrk") is None:
        pytest.fail("wrk is not installed, so the benchmark cannot run: apt-get install -y wrk")
    result_file = tmp_path / "quick.json"
    markdown_file = tmp_path / "quick.md"
    done = subprocess.run(
        [
            str(ROOT / "scripts" / "bench"),
            "--quick",
            "--json",
            str(result_file),
            "--markdown",
            str(markdown_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,  # a third server (the logged reference) since the timeout was 180 s
        check=False,
    )
    assert done.returncode == 0, f"scripts/bench --quick failed:\n{done.stdout}\n{done.stderr}"
    result = json.loads(result_file.read_text())

    assert set(result["scenarios"]) == SCENARIOS
    for key, scenario in result["scenarios"].items():
        for server in ("hubindex", "reference", "logged"):
            numbers = scenario[server]
            assert numbers["rps"] > 0, (key, server)
            assert numbers["p50_ms"] > 0, (key, server)
            assert numbers["p99_ms"] > 0, (key, server)
            assert numbers["failed"] == 0, (key, server)
        assert scenario["ratio"] > 0, key
        assert scenario["ratio_logged"] > 0, key
    assert result["search_latency"]["1000"]["p50_ms"] > 0
    assert result["search_latency"]["1000"]["mean_matches"] > 0
    assert result["search_latency"]["1000"]["worst"]["max_ms"] > 0  # worst-case searches ran
    assert result["memory"]["hubindex"]["VmRSS"] > 0
    assert result["memory"]["reference"]["VmRSS"] > 0
    assert result["memory"]["logged"]["VmRSS"] > 0
    assert all(seconds > 0 for seconds in result["startup"]["empty"] + result["startup"]["seeded"])
    assert result["generate_check"]["seconds"] > 0
    statuses = {target["name"]: target["status"] for target in result["targets"]}
    assert len(statuses) == 13  # with the worst-case search and the token-checked image list
    assert set(statuses.values()) <= {"MET", "MISSED"}
    table = markdown_file.read_text()
    assert "| GET /v1/_ping |" in table
    assert table.strip() in done.stdout
