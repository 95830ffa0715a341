"""The servers under load: hubindex and the two references, as child processes.

Each is one process (uvicorn, no workers); its CPU time and memory are read from /proc.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bench import cpu
from bench.paths import HUBINDEX, ROOT


class ServerError(RuntimeError):
    """A server did not start, or died."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    startup_seconds: float = 0.0
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process (all its threads) so far."""
        return cpu.process_seconds(self.pid)

    def memory_kib(self) -> dict[str, int]:
        """VmRSS (now) and VmHWM (peak) in KiB, from /proc/PID/status."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
        return values

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise ServerError(
                f"{self.name} exited with {self.process.returncode}; log:\n{tail(self.log)}"
            )

    def settle(self, *, limit: float, idle_share: float = 0.05, window: float = 0.25) -> float:
        """Wait until the server is idle (it may still be working off requests a load generator
        left behind); the seconds waited, at most about ``limit``."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            self.check_alive()
            before = self.cpu_seconds()
            time.sleep(window)
            if self.cpu_seconds() - before <= idle_share * window:
                break
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This environment without HUBINDEX_* and PYTHONPATH, plus ``extra``."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("HUBINDEX_") and k != "PYTHONPATH"
    }
    env.update(extra)
    return env


def _spawn(name: str, command: list[str], env: dict[str, str], log: Path, port: int) -> Server:
    log.parent.mkdir(parents=True, exist_ok=True)
    log_file = log.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
        command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
    )
    server = Server(name, port, process, log, _log_file=log_file)
    started = time.perf_counter()
    try:
        wait_for_ping(server, timeout=60)
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.perf_counter() - started
    return server


def start_hubindex(database_url: str, env: Mapping[str, str], log: Path) -> Server:
    """``hubindex serve`` as shipped, on a free port; timed from spawn to the first ping."""
    port = free_port()
    # SQLite: the key beside the database (a cached one is served again by later runs).
    # PostgreSQL: one key for the run's servers, beside their logs, not in the checkout (their
    # working directory, PostgreSQL's default).
    keys = {}
    if not database_url.startswith("sqlite"):
        keys = {"HUBINDEX_SECRETS_KEY_FILE": str(log.parent / "secrets.key")}
    environment = _clean_environment({**keys, **env, "HUBINDEX_DATABASE_URL": database_url})
    command = [str(HUBINDEX), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return _spawn("hubindex", command, environment, log, port)


def start_reference(responses: Path, log: Path, *, access_log: bool = False) -> Server:
    """The reference without an access log (``reference``), or with uvicorn's (``logged``)."""
    port = free_port()
    environment = _clean_environment({"PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    command = [
        sys.executable,
        "-m",
        "bench.reference",
        "--port",
        str(port),
        "--responses",
        str(responses),
        *(["--access-log"] if access_log else []),
    ]
    return _spawn("logged" if access_log else "reference", command, environment, log, port)


def wait_for_ping(server: Server, *, timeout: float) -> None:
    """Poll ``GET /v1/_ping`` every 5 ms until it answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        server.check_alive()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            connection.request("GET", "/v1/_ping")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        if time.monotonic() > deadline:
            server.stop()
            raise ServerError(f"{server.name} did not answer /v1/_ping in {timeout:.0f} s")
        time.sleep(0.005)
