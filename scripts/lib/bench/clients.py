"""What the stress runs' clients share: a tally of their answers, and the timed ping.

``scripts/stress`` (``stress.py``) and its registration flood (``registration_flood.py``) run
clients on threads against one server; each counts its answers here, and a ping client times
``GET /v1/_ping`` every ``PING_EVERY_SECONDS`` meanwhile: the latency the goals bound.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import httpx

from bench.probe import percentile

PING_P99_GOAL_MS = 50.0
PING_EVERY_SECONDS = 0.02
PROBLEMS_KEPT = 10  # the first problems are told; the rest only counted


class Tally:
    """Status codes per client (0: no answer), thread-safe, and the first problems.

    Every 5xx is a problem but a 503 with Retry-After to a client in ``may_be_busy``; a request
    that got no answer is one but from a client in ``may_go_unanswered``.
    """

    def __init__(
        self,
        *,
        may_be_busy: frozenset[str] = frozenset(),
        may_go_unanswered: frozenset[str] = frozenset(),
    ) -> None:
        self._lock = threading.Lock()
        self._may_be_busy = may_be_busy
        self._may_go_unanswered = may_go_unanswered
        self.statuses: dict[str, Counter[int]] = {}
        self.problems: list[str] = []

    def count(self, client: str, response: httpx.Response) -> None:
        status = response.status_code
        busy = status == 503 and client in self._may_be_busy and "Retry-After" in response.headers
        problem = (
            f"{client}: {status} {response.text[:200]}" if status >= 500 and not busy else None
        )
        self._add(client, status, problem)

    def failed(self, client: str, error: Exception) -> None:
        """A request that got no answer."""
        problem = None
        if client not in self._may_go_unanswered:
            problem = f"{client}: no answer ({type(error).__name__})"
        self._add(client, 0, problem)

    def lines(self) -> Iterator[str]:
        """Each client's answers by status, then the problems."""
        for name, statuses in sorted(self.statuses.items()):
            yield f"{name}: {', '.join(f'{s}: {n}' for s, n in sorted(statuses.items()))}"
        for problem in self.problems:
            yield f"5xx: {problem}"

    def _add(self, client: str, status: int, problem: str | None) -> None:
        with self._lock:
            self.statuses.setdefault(client, Counter())[status] += 1
            if problem is not None and len(self.problems) < PROBLEMS_KEPT:
                self.problems.append(problem)


def timed(
    base: str,
    client_name: str,
    request: Callable[[httpx.Client], httpx.Response],
    times: list[float],
    tally: Tally,
    *,
    every: float,
    done: Callable[[], bool],
) -> None:
    """``request`` on a connection of its own, then a pause of ``every`` seconds, until
    ``done()``; each answer's seconds into ``times``, its status into ``tally``."""
    with httpx.Client(base_url=base, timeout=60) as client:
        while not done():
            started = time.perf_counter()
            try:
                response = request(client)
            except httpx.TransportError as error:
                tally.failed(client_name, error)
                continue
            times.append(time.perf_counter() - started)
            tally.count(client_name, response)
            time.sleep(every)


def pings(base: str, stop: threading.Event, times: list[float], tally: Tally) -> None:
    """``GET /v1/_ping`` every ``PING_EVERY_SECONDS`` until ``stop``."""
    timed(
        base,
        "ping",
        lambda client: client.get("/v1/_ping"),
        times,
        tally,
        every=PING_EVERY_SECONDS,
        done=stop.is_set,
    )


def ping_line(times: list[float], bound: str = "goal") -> str:
    """How the pings went, against ``PING_P99_GOAL_MS``."""
    p50, p99 = percentile(times, 50) * 1000, percentile(times, 99) * 1000
    return (
        f"ping: {len(times)} answered, p50 {p50:.1f} ms, p99 {p99:.1f} ms,"
        f" max {max(times) * 1000:.1f} ms ({bound} p99 <= {PING_P99_GOAL_MS:g} ms)"
    )


def ping_p99_held(times: list[float]) -> bool:
    return percentile(times, 99) * 1000 <= PING_P99_GOAL_MS
