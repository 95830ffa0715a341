"""scripts/stress's attacks on image lists (issue 19), each with its bound:

- big-list readers: one repository filled to the server's limit of images
  (HUBINDEX_MAX_IMAGES_PER_REPOSITORY), read by 30 clients at once (wrk, 30 connections) while
  a ping is timed every 20 ms: ping p99 <= 50 ms, every read 200;
- checksum flips (PostgreSQL): a second ``hubindex serve`` on the same database; one client,
  in strict order, for each of 500 ids: A records c1, B records c2, A records c1 again, the
  same c1 and c2 of an id in each of 10 rounds (from the second on, A's first PUT writes
  nothing); after each round every id must hold its c1: 0 lost;
- big writes: 5 clients, each over and over: create a repository, PUT 10,000 new ids (the
  spec's most per request) with checksums, delete the repository (its 10,000 images with it),
  while a ping is timed every 20 ms: ping p99 <= 50 ms, every write answered as it should be
  (200, 204, 202), the last list read back whole.
"""

import argparse
import re
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench.probe import percentile

PING_P99_GOAL_MS = 50.0
PING_EVERY_SECONDS = 0.02
READERS = 30
WRITERS = 5
IDS_PER_PUT = 10_000  # the spec's most per request
DEFAULT_LIMIT = 10_000  # server.settings' default of max_images_per_repository


@dataclass
class Outcome:
    name: str
    lines: list[str]
    met: bool


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("image lists (issue 19)")
    group.add_argument(
        "--lists",
        choices=("all", "readers", "flips", "writes", "none"),
        default="all",
        help="which of the image-list attacks to run after the mixed load (default all;"
        " flips need PostgreSQL)",
    )
    group.add_argument("--list-seconds", type=float, default=15.0)
    group.add_argument("--flip-rounds", type=int, default=10)
    group.add_argument("--flip-ids", type=int, default=500)
    group.add_argument("--writers", type=int, default=WRITERS, help="clients of big writes")


def run(
    base: str,
    env: dict[str, str],
    options: argparse.Namespace,
    start_server: Callable[[], tuple[str, subprocess.Popen[bytes]]],
    account: tuple[str, str],
) -> list[Outcome]:
    """The attacks ``options.lists`` names, against the server at ``base``;
    ``start_server`` starts another on the same database (and answers its base URL)."""
    outcomes = []
    if options.lists in ("all", "readers"):
        outcomes.append(big_list_readers(base, env, account, options.list_seconds))
    if options.lists in ("all", "writes"):
        outcomes.append(big_writes(base, account, options.list_seconds, options.writers))
    if options.lists in ("all", "flips") and options.backend == "postgresql":
        other, process = start_server()
        try:
            outcomes.append(
                checksum_flips(base, other, account, options.flip_rounds, options.flip_ids)
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
    return outcomes


def big_list_readers(
    base: str, env: dict[str, str], account: tuple[str, str], seconds: float
) -> Outcome:
    limit = int(env.get("HUBINDEX_MAX_IMAGES_PER_REPOSITORY", DEFAULT_LIMIT))
    wrk = shutil.which("wrk")
    if wrk is None:
        return Outcome("big-list readers", ["wrk is not installed: apt-get install -y wrk"], False)
    path = f"/v1/repositories/{account[0]}/biglist_{secrets.token_hex(3)}"
    with httpx.Client(base_url=base, timeout=120, auth=account) as client:
        assert client.put(f"{path}/", json=[]).status_code == 200
        for start in range(0, limit, 10_000):  # the spec's most per request
            body = [
                {"id": secrets.token_hex(32), "checksum": f"sha256:{secrets.token_hex(32)}"}
                for _ in range(min(10_000, limit - start))
            ]
            put = client.put(f"{path}/images", json=body)
            assert put.status_code == 204, put.text
        size = len(client.get(f"{path}/images").content)
    pings: list[float] = []
    statuses: dict[int, int] = {}
    stop = threading.Event()

    def ping() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                started = time.perf_counter()
                status = client.get("/v1/_ping").status_code
                pings.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
                time.sleep(PING_EVERY_SECONDS)

    pinger = threading.Thread(target=ping, daemon=True)
    pinger.start()
    time.sleep(1)  # pings before the readers too
    command = [wrk, "-t2", f"-c{READERS}", f"-d{max(1, round(seconds))}s", "--timeout", "30s"]
    result = subprocess.run(  # noqa: S603 - wrk on loopback
        [*command, f"{base}{path}/images"], capture_output=True, text=True, check=False
    )
    stop.set()
    pinger.join(timeout=60)
    reads = re.search(r"(\d+) requests in", result.stdout)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    errors = re.search(r"Socket errors: (.*)", result.stdout)
    read_count = int(reads.group(1)) if reads else 0
    p50, p99 = percentile(pings, 50) * 1000, percentile(pings, 99) * 1000
    lines = [
        f"big-list readers: {READERS} at once, a list of {limit:,} images ({size:,} bytes),"
        f" {seconds:g} s: {read_count} reads, {int(bad.group(1)) if bad else 0} not 2xx"
        + (f", socket errors {errors.group(1)}" if errors else ""),
        f"ping meanwhile: {len(pings)} answered, p50 {p50:.1f} ms, p99 {p99:.1f} ms,"
        f" max {max(pings) * 1000:.1f} ms (goal p99 <= {PING_P99_GOAL_MS:g} ms),"
        f" statuses {statuses}",
    ]
    met = (
        result.returncode == 0
        and read_count > 0
        and bad is None
        and errors is None
        and p99 <= PING_P99_GOAL_MS
        and set(statuses) == {200}
    )
    return Outcome("big-list readers", lines, met)


class _Pinger:
    """A ping every PING_EVERY_SECONDS on a thread of its own, timed, until stopped."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.times: list[float] = []
        self.statuses: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "_Pinger":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                status = client.get("/v1/_ping").status_code
                self.times.append(time.perf_counter() - started)
                self.statuses[status] = self.statuses.get(status, 0) + 1
                time.sleep(PING_EVERY_SECONDS)

    def line(self) -> str:
        times = self.times or [0.0]
        p50, p99 = percentile(times, 50) * 1000, percentile(times, 99) * 1000
        return (
            f"ping meanwhile: {len(self.times)} answered, p50 {p50:.1f} ms, p99 {p99:.1f} ms,"
            f" max {max(times) * 1000:.1f} ms (goal p99 <= {PING_P99_GOAL_MS:g} ms),"
            f" statuses {self.statuses}"
        )

    def met(self) -> bool:
        return (
            bool(self.times)
            and percentile(self.times, 99) * 1000 <= PING_P99_GOAL_MS
            and set(self.statuses) == {200}
        )


def big_writes(base: str, account: tuple[str, str], seconds: float, writers: int) -> Outcome:
    """``writers`` clients creating a repository, putting 10,000 ids into it and deleting it,
    over and over for ``seconds``, while a ping is timed."""
    bodies = [
        [
            {"id": secrets.token_hex(32), "checksum": f"sha256:{secrets.token_hex(32)}"}
            for _ in range(IDS_PER_PUT)
        ]
        for _ in range(writers)
    ]
    counts: dict[str, int] = {}
    wrong: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def write(n: int) -> None:
        body = bodies[n]
        with httpx.Client(base_url=base, timeout=120, auth=account) as client:
            while time.monotonic() < deadline:
                path = f"/v1/repositories/{account[0]}/bigwrite_{n}_{secrets.token_hex(3)}"
                steps = (
                    ("create", 200, lambda path=path: client.put(f"{path}/", json=[])),
                    ("put 10,000", 204, lambda path=path: client.put(f"{path}/images", json=body)),
                    ("read back", 200, lambda path=path: client.get(f"{path}/images")),
                    ("delete", 202, lambda path=path: client.delete(f"{path}/")),
                )
                for name, expected, send in steps:
                    answer = send()
                    with lock:
                        counts[name] = counts.get(name, 0) + 1
                        if answer.status_code != expected:
                            wrong.append(f"{name}: {answer.status_code} {answer.text[:120]}")
                        elif name == "read back" and len(answer.json()) != IDS_PER_PUT:
                            wrong.append(f"read back: {len(answer.json())} ids, not {IDS_PER_PUT}")
                    if answer.status_code != expected:
                        break

    started = time.perf_counter()
    with _Pinger(base) as pinger:
        time.sleep(1)  # pings before the writers too
        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elapsed = time.perf_counter() - started
    done = ", ".join(f"{count} {name}" for name, count in counts.items())
    lines = [
        f"big writes: {writers} clients, {IDS_PER_PUT:,} ids per PUT, {elapsed:.1f} s: {done};"
        f" {len(wrong)} wrong answers" + (f" (first: {wrong[0]})" if wrong else ""),
        pinger.line(),
    ]
    return Outcome("big writes", lines, not wrong and bool(counts) and pinger.met())


def checksum_flips(a: str, b: str, account: tuple[str, str], rounds: int, ids: int) -> Outcome:
    path = f"/v1/repositories/{account[0]}/flips_{secrets.token_hex(3)}"
    images = [secrets.token_hex(32) for _ in range(ids)]
    lost = answers_5xx = 0
    started = time.perf_counter()
    with (
        httpx.Client(base_url=a, timeout=60, auth=account) as via_a,
        httpx.Client(base_url=b, timeout=60, auth=account) as via_b,
    ):
        created = via_a.put(f"{path}/", json=[{"id": image} for image in images])
        assert created.status_code == 200, created.text
        flips = {image: [f"sha256:{secrets.token_hex(32)}" for _ in range(2)] for image in images}
        expected = {image: first for image, (first, _second) in flips.items()}
        for _ in range(rounds):
            for image, (first, second) in flips.items():
                for client, value in ((via_a, first), (via_b, second), (via_a, first)):
                    status = client.put(
                        f"{path}/images", json=[{"id": image, "checksum": value}]
                    ).status_code
                    answers_5xx += status >= 500
            held = {e["id"]: e.get("checksum") for e in via_b.get(f"{path}/images").json()}
            lost += sum(held.get(image) != value for image, value in expected.items())
    seconds = time.perf_counter() - started
    line = (
        f"checksum flips across two processes: {rounds} x {ids} flips in {seconds:.1f} s,"
        f" {lost} lost (goal 0), {answers_5xx} answers 5xx"
    )
    return Outcome("checksum flips", [line], lost == 0 and answers_5xx == 0)
