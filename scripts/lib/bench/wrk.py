"""Running wrk against one server for one scenario, and reading its numbers exactly.

Each scenario's Lua script (``wrk/<name>.lua``) gets ``wrk/report.lua`` appended, whose
``done`` prints one ``BENCH_RESULT {json}`` line: request count, duration and latency
percentiles in microseconds, and wrk's error counts (``status`` = answers that were not 2xx/3xx).
"""

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from bench import cpu
from bench.paths import LUA
from bench.scenarios import Scenario
from bench.servers import Server

INSTALL_HINT = (
    "wrk (the HTTP load generator) is not installed; on Debian/Ubuntu: apt-get install -y wrk"
)
_MARK = "BENCH_RESULT "
_invocations = count(1)


class LoadError(RuntimeError):
    """wrk failed or printed no result."""


def find_wrk() -> str | None:
    return shutil.which("wrk")


@dataclass(frozen=True, slots=True)
class Load:
    """How hard and how long to load: wrk -t THREADS -c CONNECTIONS -d SECONDS."""

    seconds: int
    connections: int
    threads: int
    timeout: int  # wrk --timeout: a request not answered by then counts as a timeout


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    errors: dict[str, int]
    server_cpu_seconds: float  # CPU time the server used during the load (all its threads)
    loadgen_cpu_seconds: float  # CPU time wrk used
    database_cpu_seconds: float = 0.0  # CPU time PostgreSQL used (0 on SQLite)
    # CPU time the rest of the machine used meanwhile: other work disturbing the measurement.
    other_cpu_seconds: float = 0.0
    settle_seconds: float = 0.0  # time the server then took to become idle

    @property
    def server_cpu_share(self) -> float:
        """Cores the server kept busy on average (1.0 = one core)."""
        return self.server_cpu_seconds / self.seconds if self.seconds else 0.0

    @property
    def other_cpu_share(self) -> float:
        """Cores the rest of the machine kept busy meanwhile."""
        return self.other_cpu_seconds / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        return self.server_cpu_seconds * 1e6 / self.requests if self.requests else 0.0

    @property
    def failed(self) -> int:
        """Answers with a wrong status, and socket errors (timeouts not included)."""
        e = self.errors
        return e["status"] + e["connect"] + e["read"] + e["write"]


def script(scenario: Scenario, workdir: Path) -> Path:
    """The scenario's Lua script with the reporting ``done`` appended."""
    path = workdir / f"{scenario.key}.lua"
    if not path.exists():
        source = (LUA / f"{scenario.lua}.lua").read_text() + (LUA / "report.lua").read_text()
        path.write_text(source)
    return path


def lua_arguments(scenario: Scenario, workdir: Path, nonce: str) -> list[str]:
    if scenario.lua == "request":
        body = workdir / f"{scenario.key}.body"
        body.write_bytes(scenario.body)
        headers = [f"{name}: {value}" for name, value in scenario.headers.items()]
        return [scenario.method, str(body), *headers]
    if scenario.lua == "register":
        # Short and new for every wrk run: usernames stay unique across rounds.
        return [f"u{nonce}{next(_invocations)}"]
    return list(scenario.lua_args)


def run(
    wrk: str,
    server: Server,
    scenario: Scenario,
    load: Load,
    *,
    workdir: Path,
    nonce: str,
    postgres: bool,
) -> LoadResult:
    """Load ``server`` with ``scenario``; the numbers wrk and /proc report."""
    server.check_alive()
    command = [
        wrk,
        "--latency",
        "-t",
        str(load.threads),
        "-c",
        str(load.connections),
        "-d",
        f"{load.seconds}s",
        "--timeout",
        f"{load.timeout}s",
        "-s",
        str(script(scenario, workdir)),
        server.base + scenario.path,
        "--",
        *lua_arguments(scenario, workdir, nonce),
    ]
    before = cpu.Sample.take(server.pid, database=postgres)
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - wrk from PATH, arguments built here
        command,
        capture_output=True,
        text=True,
        timeout=load.seconds + load.timeout + 60,
        check=False,
    )
    elapsed = time.perf_counter() - started
    used = cpu.Usage.between(before, cpu.Sample.take(server.pid, database=postgres))
    if done.returncode != 0:
        raise LoadError(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
    return parse(done.stdout, used, elapsed)


def parse(output: str, used: cpu.Usage, elapsed: float) -> LoadResult:
    """The ``BENCH_RESULT`` line of wrk's output as a LoadResult."""
    lines = [line for line in output.splitlines() if line.startswith(_MARK)]
    if not lines:
        raise LoadError(f"wrk printed no result:\n{output}")
    raw = json.loads(lines[-1].removeprefix(_MARK))
    seconds = raw["duration_us"] / 1e6 or elapsed
    requests = raw["requests"]
    return LoadResult(
        requests=requests,
        seconds=seconds,
        rps=requests / seconds if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        mean_ms=raw["mean_us"] / 1000,
        errors=dict(raw["errors"]),
        server_cpu_seconds=used.server,
        loadgen_cpu_seconds=used.loadgen,
        database_cpu_seconds=used.database,
        other_cpu_seconds=used.other,
    )
