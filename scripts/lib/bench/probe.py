"""Single requests: recording hubindex's answers for the reference, and search latency."""

import http.client
import json
import math
import time
from dataclasses import dataclass

from bench import data
from bench.reference import recorded
from bench.scenarios import BASIC, Scenario, registration, search_path
from bench.servers import Server


class PreflightError(RuntimeError):
    """A scenario's request did not get the answer the benchmark relies on."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def send(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Answer:
    connection.request(method, path, body=body or None, headers=headers or {})
    response = connection.getresponse()
    return Answer(response.status, response.getheaders(), response.read())


def with_tokens(server: Server, scenarios: list[Scenario]) -> list[Scenario]:
    """``scenarios``, those sent with a token given the token hubindex hands the benchmark
    user for their path (as ``docker pull`` gets one: Basic auth, ``X-Docker-Token: true``)."""
    if not any(scenario.token for scenario in scenarios):
        return scenarios
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        tokens = {}
        for scenario in scenarios:
            if scenario.token and scenario.path not in tokens:
                headers = {"Authorization": BASIC, "X-Docker-Token": "true"}
                answer = send(connection, "GET", scenario.path, headers=headers)
                token = dict((name.lower(), value) for name, value in answer.headers).get(
                    "x-docker-token"
                )
                if answer.status != 200 or token is None:
                    raise PreflightError(
                        f"{scenario.key}: no token for {scenario.path}: {answer.status}"
                        f" {answer.body[:200]!r}"
                    )
                tokens[scenario.path] = token
    finally:
        connection.close()
    return [s.with_token(tokens[s.path]) if s.token else s for s in scenarios]


def record(server: Server, scenarios: list[Scenario], nonce: str) -> list[dict[str, object]]:
    """One request of each scenario to hubindex, checked; its answers, for the reference."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    entries = []
    try:
        for scenario in scenarios:
            body = scenario.body
            if scenario.key == "register":
                body = registration(f"probe{nonce}")
            answer = send(
                connection,
                scenario.method,
                scenario.path + scenario.sample_query,
                body,
                scenario.headers,
            )
            _check(scenario, answer)
            entries.append(
                {
                    "method": scenario.method,
                    "path": scenario.path,
                    "response": recorded(answer.status, answer.headers, answer.body),
                }
            )
    finally:
        connection.close()
    return entries


def _check(scenario: Scenario, answer: Answer) -> None:
    if answer.status != scenario.status:
        raise PreflightError(
            f"{scenario.title}: hubindex answered {answer.status}, not {scenario.status}:"
            f" {answer.body[:300]!r}"
        )
    listing = scenario.key in ("images", "images_by_token")
    if listing and len(json.loads(answer.body)) != data.IMAGES_PER_REPOSITORY:
        raise PreflightError(f"{scenario.title}: not {data.IMAGES_PER_REPOSITORY} images")
    if scenario.key == "search" and json.loads(answer.body).get("num_results", 0) < 1:
        raise PreflightError(f"{scenario.title}: no results for {scenario.sample_query}")


@dataclass(frozen=True, slots=True)
class Latency:
    """Latency of single requests, one at a time on one keep-alive connection."""

    requests: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    mean_matches: float  # num_results, averaged over the query terms


def search_latency(
    server: Server, *, budget: float, min_requests: int, max_requests: int
) -> Latency:
    """Search one term after another until ``max_requests``, or ``budget`` seconds have passed
    and at least ``min_requests`` were made (never past three times the budget)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    terms = data.QUERY_TERMS
    samples: list[float] = []
    matches: dict[str, int] = {}
    try:
        send(connection, "GET", search_path(terms[-1]))  # warm the connection and the caches
        started = time.monotonic()
        while len(samples) < max_requests:
            elapsed = time.monotonic() - started
            if elapsed >= 3 * budget or (elapsed >= budget and len(samples) >= min_requests):
                break
            term = terms[len(samples) % len(terms)]
            before = time.perf_counter()
            answer = send(connection, "GET", search_path(term))
            samples.append((time.perf_counter() - before) * 1000)
            if answer.status != 200:
                raise PreflightError(f"search for {term!r} answered {answer.status}")
            matches.setdefault(term, json.loads(answer.body)["num_results"])
    finally:
        connection.close()
    return Latency(
        requests=len(samples),
        p50_ms=percentile(samples, 50),
        p99_ms=percentile(samples, 99),
        mean_ms=sum(samples) / len(samples),
        max_ms=max(samples),
        mean_matches=sum(matches.values()) / len(matches),
    )


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# The searches with the most to read: terms of one or two characters, blank terms, terms in
# most rows (every description has "the" and "service", every name "-" and "/"), terms in no
# row, and deep pages of 100. Each (term, page, n) is asked ``WORST_CASE_ROUNDS`` times.
WORST_CASES = [
    (term, page, n)
    for term in (
        "e",
        "-",
        "/",
        "a",
        "",
        "%20%20",
        "q",
        "zz",
        "ab",
        "b-",
        "%C3%A9",
        "the",
        "service",
    )
    for page, n in ((1, 25), (10, 100))
] + [("ab", 40, 25), ("e", 40, 25), ("x.y", 1, 25)]
WORST_CASE_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class WorstCase:
    """Single worst-case searches, one at a time, on a server without the result cache."""

    requests: int
    p50_ms: float
    max_ms: float
    slowest: str  # the request that took max_ms


def worst_case_search(server: Server) -> WorstCase:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    samples: list[tuple[float, str]] = []
    try:
        send(connection, "GET", search_path(data.QUERY_TERMS[0]))  # warm the connection
        for _ in range(WORST_CASE_ROUNDS):
            for term, page, n in WORST_CASES:
                path = f"{search_path(term)}&page={page}&n={n}"
                before = time.perf_counter()
                answer = send(connection, "GET", path)
                samples.append(((time.perf_counter() - before) * 1000, path))
                if answer.status != 200:
                    raise PreflightError(f"{path} answered {answer.status}")
    finally:
        connection.close()
    slowest = max(samples)
    return WorstCase(
        requests=len(samples),
        p50_ms=percentile([ms for ms, _ in samples], 50),
        max_ms=slowest[0],
        slowest=slowest[1],
    )
