"""Attacks on connections, for scripts/stress: each with its bound, a ping timed throughout.

- half-sent: many connections that send part of a request head and wait, from 12 client
  addresses (127.0.0.2-13: loopback is a /8) past both the per-address and the process cap,
  plus slow ones that trickle their head a byte at a time. Bounds: the server's open files
  stay under its connection cap (plus spare); every one is refused at once (429/503) or closed
  by the head deadline (plus 2 s).
- unfinished bodies: 300 requests declaring a 4 MB body that send all but its last byte (to
  registration, which takes anonymous bodies), 50 trickling a body, and 100 anonymous 4 MB
  PUTs to a protected operation that send only their head. Bounds: the protected ones are
  answered 401 without their body; every connection is closed by twice the body deadline
  (which does not count time the server held a client off) plus 2 s; the server's memory
  afterwards is within 20 % of before.
- huge header: clients that send a header line of up to 160 MB. Bound: each answered 431 (or
  closed) within 1 s.

During each, ``GET /v1/_ping`` every 20 ms on one kept-alive connection (opened before the
attack, from 127.0.0.1): p99 <= 50 ms and no 5xx. What the attackers are answered is shown; a
503 refusal (with Retry-After) is theirs to get, a 500 fails the run.
"""

import argparse
import contextlib
import multiprocessing
import multiprocessing.queues
import os
import resource
import selectors
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.probe import percentile
from server.settings import load_settings

PING_P99_GOAL_MS = 50.0
PING_EVERY_SECONDS = 0.02
MEMORY_RETURN_SHARE = 0.20
CLOSE_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    pid: int
    header_timeout: float
    body_timeout: float
    max_connections: int
    per_address: int
    max_body_bytes: int
    protected_path: str  # an operation that needs credentials and takes a body


@dataclass
class Outcome:
    name: str
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def bound(self, held: bool, text: str) -> None:
        self.lines.append(f"  {'ok ' if held else 'NOT'} {text}")
        if not held:
            self.problems.append(text)


def run_all(target: Target, only: set[str] | None = None) -> bool:
    """Runs the attacks (``only``: by name), prints each one's figures; True when every
    bound held."""
    _raise_open_files()
    met = True
    for name, attack in ATTACKS.items():
        if only is not None and name not in only:
            continue
        outcome = attack(target)
        print(f"attack {outcome.name}:")
        for line in outcome.lines:
            print(line)
        met = met and not outcome.problems
    return met


# The attacks


def half_sent(target: Target) -> Outcome:
    outcome = Outcome("half-sent connections")
    attempts = 12 * (target.per_address + 20)
    most_files = 0
    with _pinging(target, outcome):
        baseline_files = _open_files(target.pid)
        opened = _open_many(target, [f"127.0.0.{2 + i % 12}" for i in range(attempts)])
        trickling = [_connect(target, "127.0.0.14") for _ in range(50)]
        head = b"GET /v1/_ping HTTP/1.1\r\nHost: stress\r\nX-Slow: " + b"a" * 200
        for sock in opened:
            with contextlib.suppress(OSError):
                sock.send(b"GET /v1/_ping HTTP/1.1\r\nHost: stress\r\n")
        started = time.monotonic()
        deadline = started + target.header_timeout + CLOSE_GRACE_SECONDS
        closed_at: dict[socket.socket, float] = {}
        answers: Counter[str] = Counter()
        everyone = opened + trickling
        position = 0
        while time.monotonic() < deadline:
            for sock in trickling:
                if sock not in closed_at and position < len(head):
                    with contextlib.suppress(OSError):
                        sock.send(head[position : position + 1])
            position += 1
            _collect(everyone, closed_at, answers, wait=0.25)
            most_files = max(most_files, _open_files(target.pid))
        files_after = _open_files(target.pid)
        for sock in everyone:
            sock.close()
    outcome.lines.append(
        f"  {attempts} half-sent heads from 12 addresses and 50 trickled ones: answered"
        f" {_shown(answers)}; server's open files {baseline_files} before, at most {most_files},"
        f" {files_after} at the deadline"
    )
    outcome.bound(
        most_files <= target.max_connections + 300,
        f"server's open files <= cap {target.max_connections} + 300 (at most {most_files})",
    )
    outcome.bound(
        files_after <= baseline_files + 3,
        f"every connection refused or closed by the server within the head deadline"
        f" {target.header_timeout:g} s + {CLOSE_GRACE_SECONDS:g} s (open files"
        f" {files_after} <= {baseline_files} + 3)",
    )
    outcome.bound(answers["5xx-other"] == 0, "no 5xx but a 503 refusal")
    return outcome


def unfinished_bodies(target: Target) -> Outcome:
    outcome = Outcome("unfinished bodies")
    size = target.max_body_bytes
    rss_before = _rss_mib(target.pid)
    peak = rss_before
    with _pinging(target, outcome):
        baseline_files = _open_files(target.pid)
        protected_answers = _anonymous_protected(target, size)
        # Bodies an anonymous caller may send, never finished; and trickled ones.
        senders = [_connect(target, f"127.0.0.{21 + i % 3}") for i in range(300)]
        trickling = [_connect(target, "127.0.0.24") for _ in range(50)]
        head = (
            f"POST /v1/users/ HTTP/1.1\r\nHost: stress\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\n\r\n"
        ).encode()
        for sock in senders + trickling:
            sock.sendall(head)
        opened = time.monotonic()
        chunk = b" " * 65536
        remaining = {sock: size - 1 for sock in senders}
        for sock in senders:
            sock.setblocking(False)
        answers: Counter[str] = Counter()
        closed_at: dict[socket.socket, float] = {}
        everyone = senders + trickling
        deadline = opened + target.body_timeout + CLOSE_GRACE_SECONDS
        while time.monotonic() < deadline:
            for sock, left in list(remaining.items()):
                if left <= 0 or sock in closed_at:
                    continue
                try:
                    sent = sock.send(chunk[: min(left, len(chunk))])
                    remaining[sock] = left - sent
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    remaining[sock] = 0
            for sock in trickling:
                if sock not in closed_at:
                    with contextlib.suppress(OSError):
                        sock.send(b" ")
            _collect(everyone, closed_at, answers, wait=0.05)
            peak = max(peak, _rss_mib(target.pid))
        # The deadline does not count time the server held a client off (reading paused while
        # the app was busy with the bodies it had): under load that moves it on.
        latest = opened + 2 * target.body_timeout + CLOSE_GRACE_SECONDS
        while (files_after := _open_files(target.pid)) > baseline_files + 3:
            if time.monotonic() > latest:
                break
            _collect(everyone, closed_at, answers, wait=0.25)
        all_closed_after = time.monotonic() - opened
        _close_all(everyone)
        rss_after = _rss_mib(target.pid)
    sent_mib = sum(size - 1 - left for left in remaining.values()) / 2**20
    outcome.lines.append(
        f"  100 anonymous {size // 2**20} MB PUTs to {target.protected_path} (head only):"
        f" {_shown(protected_answers)}"
    )
    outcome.lines.append(
        f"  300 unfinished {size // 2**20} MB bodies ({sent_mib:,.0f} MiB sent) and 50 trickled:"
        f" answered {_shown(answers)}; RSS {rss_before:.0f} MiB before, peak {peak:.0f},"
        f" {rss_after:.0f} after"
    )
    outcome.bound(
        protected_answers.get("401", 0) == 100,
        "every anonymous protected PUT answered 401 within 1 s, without its body",
    )
    outcome.bound(
        files_after <= baseline_files + 3,
        f"every connection closed by the server within twice the body deadline"
        f" {target.body_timeout:g} s + {CLOSE_GRACE_SECONDS:g} s (all closed after"
        f" {all_closed_after:.1f} s; open files {files_after} <= {baseline_files} + 3)",
    )
    outcome.bound(
        rss_after <= rss_before * (1 + MEMORY_RETURN_SHARE),
        f"memory returns to within {MEMORY_RETURN_SHARE:.0%} of its start"
        f" ({rss_after:.0f} <= {rss_before * (1 + MEMORY_RETURN_SHARE):.0f} MiB)",
    )
    outcome.bound(answers["5xx-other"] == 0, "no 5xx but a 503 refusal")
    return outcome


def _anonymous_protected(target: Target, size: int) -> Counter[str]:
    """Anonymous bodies to an operation that needs credentials, head only: their answers
    within 1 s."""
    protected = [_connect(target, "127.0.0.20") for _ in range(100)]
    started = time.monotonic()
    for sock in protected:
        sock.sendall(
            f"PUT {target.protected_path} HTTP/1.1\r\nHost: stress\r\nContent-Type:"
            f" application/json\r\nContent-Length: {size}\r\n\r\n".encode()
        )
    refused: Counter[str] = Counter()
    closed: dict[socket.socket, float] = {}
    while time.monotonic() < started + 1.0 and sum(refused.values()) < len(protected):
        _collect(protected, closed, refused, wait=0.05, keep_open=True)
    for sock in protected:
        sock.close()
    return _first_statuses(protected, refused)


def huge_header(target: Target) -> Outcome:
    outcome = Outcome("huge header")
    total = 160 * 2**20
    chunk = b"a" * 65536
    answers: Counter[str] = Counter()
    slowest = 0.0
    lock = threading.Lock()

    def one() -> None:
        nonlocal slowest
        sock = _connect(target, "127.0.0.30")
        started = time.monotonic()
        status = "closed"
        try:
            sock.sendall(b"GET /v1/_ping HTTP/1.1\r\nHost: stress\r\nX-Huge: ")
            sent = 0
            while sent < total:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            sock.settimeout(1.0)
            first = sock.recv(64)
            if first.startswith(b"HTTP/1.1 "):
                status = first[9:12].decode()
        seconds = time.monotonic() - started
        sock.close()
        with lock:
            answers[status] += 1
            slowest = max(slowest, seconds)

    with _pinging(target, outcome):
        for _ in range(5):
            threads = [threading.Thread(target=one) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
    outcome.lines.append(
        f"  20 header lines of up to 160 MB: answered {_shown(answers)}, the slowest after"
        f" {slowest * 1000:.0f} ms"
    )
    outcome.bound(slowest <= 1.0, f"each refused within 1 s (slowest {slowest:.2f} s)")
    outcome.bound(answers.get("431", 0) > 0, "a 431 is answered")
    return outcome


ATTACKS: dict[str, Callable[[Target], Outcome]] = {
    "half-sent": half_sent,
    "unfinished-bodies": unfinished_bodies,
    "huge-header": huge_header,
}


# Pieces


@contextlib.contextmanager
def _pinging(target: Target, outcome: Outcome) -> Iterator[None]:
    """Pings on one kept-alive connection while the block runs, from a process of their own
    (the attack's loops would hold this one's GIL); adds their bounds."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    results: multiprocessing.queues.Queue[tuple[list[float], dict[int, int]]] = context.Queue()
    ready = context.Event()
    pinger = context.Process(
        target=_ping_until, args=(target.host, target.port, stop, ready, results), daemon=True
    )
    pinger.start()
    ready.wait(timeout=60)
    try:
        yield
    finally:
        stop.set()
        pings, counted = results.get(timeout=60)
        pinger.join(timeout=30)
    statuses = Counter(counted)
    p50, p99 = percentile(pings, 50) * 1000, percentile(pings, 99) * 1000
    outcome.lines.append(
        f"  ping: {len(pings)} answered ({_shown(statuses)}), p50 {p50:.1f} ms, p99"
        f" {p99:.1f} ms, max {max(pings) * 1000:.1f} ms"
    )
    outcome.bound(p99 <= PING_P99_GOAL_MS, f"ping p99 <= {PING_P99_GOAL_MS:g} ms ({p99:.1f})")
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    outcome.bound(server_errors == 0, f"no ping answered 5xx or failed ({server_errors})")


def _ping_until(host: str, port: int, stop: Any, ready: Any, results: Any) -> None:
    pings: list[float] = []
    statuses: Counter[int] = Counter()
    with httpx.Client(base_url=f"http://{host}:{port}", timeout=30) as client:
        client.get("/v1/_ping")  # the connection exists before the attack
        ready.set()
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = client.get("/v1/_ping").status_code
            except httpx.TransportError:
                status = 599
            pings.append(time.perf_counter() - started)
            statuses[status] += 1
            time.sleep(PING_EVERY_SECONDS)
    results.put((pings, dict(statuses)))


def _connect(target: Target, source: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.connect((target.host, target.port))
    return sock


def _open_many(target: Target, sources: list[str]) -> list[socket.socket]:
    opened = []
    for source in sources:
        try:
            opened.append(_connect(target, source))
        except OSError:
            break
    return opened


def _collect(
    sockets: list[socket.socket],
    closed_at: dict[socket.socket, float],
    answers: Counter[str],
    *,
    wait: float,
    keep_open: bool = False,
) -> None:
    """Reads what the server sent on ``sockets``: notes each first status line in ``answers``
    and when the server closed each connection in ``closed_at`` (``keep_open``: the status
    alone)."""
    selector = selectors.DefaultSelector()
    for sock in sockets:
        if sock not in closed_at:
            with contextlib.suppress(ValueError, OSError):
                selector.register(sock, selectors.EVENT_READ)
    if not selector.get_map():
        time.sleep(wait)
        return
    for key, _ in selector.select(timeout=wait):
        sock = key.fileobj
        assert isinstance(sock, socket.socket)
        try:
            data = sock.recv(65536)
        except OSError:
            data = b""
        if data.startswith(b"HTTP/1.1 "):
            status = data[9:12].decode()
            kind = status if not status.startswith("5") or status == "503" else "5xx-other"
            answers[kind] += 1
            if keep_open:
                closed_at[sock] = time.monotonic()
        elif not data:
            closed_at[sock] = time.monotonic()
    selector.close()


def _close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()
    time.sleep(2)  # for the server to see them go


def _first_statuses(sockets: list[socket.socket], seen: Counter[str]) -> Counter[str]:
    shown = Counter(seen)
    missing = len(sockets) - sum(seen.values())
    if missing:
        shown["no answer within 1 s"] = missing
    return shown


def _shown(counter: Counter[str] | Counter[int]) -> str:
    return ", ".join(f"{key}: {n}" for key, n in sorted(counter.items(), key=str)) or "nothing"


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


# Hooked into scripts/stress


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--connection-attacks",
        default=",".join(ATTACKS),
        metavar="NAMES",
        help=f"comma-separated, after the load: {', '.join(ATTACKS)} (default: all); none",
    )
    parser.add_argument(
        "--attacks-only", action="store_true", help="skip the load, run only the attacks"
    )


def run_selected(options: argparse.Namespace, port: int, pid: int) -> bool:
    """The attacks ``options`` name, on the server at ``port`` (process ``pid``, whose
    settings are this environment's HUBINDEX_* ones); True when every bound held."""
    names = {n.strip() for n in options.connection_attacks.split(",") if n.strip()} - {"none"}
    unknown = names - set(ATTACKS)
    if unknown:
        raise SystemExit(f"scripts/stress: unknown attack {', '.join(sorted(unknown))}")
    if not names:
        return True
    settings = load_settings()
    target = Target(
        host="127.0.0.1",
        port=port,
        pid=pid,
        header_timeout=settings.header_timeout_seconds,
        body_timeout=settings.body_timeout_seconds,
        max_connections=settings.max_connections,
        per_address=settings.max_connections_per_address,
        max_body_bytes=settings.max_body_bytes,
        protected_path="/v1/repositories/stress/attack/images",
    )
    return run_all(target, names)
