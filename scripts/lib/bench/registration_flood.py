"""The registration flood (``scripts/stress --attack registrations``): accounts registered as
fast as clients can send them must not slow down logins nor pings, nor answer 500.

The server runs with production argon2 and ``HUBINDEX_PASSWORD_CACHE_SECONDS=0``, so that every
login runs argon2 (the worst case: a remembered password costs none). First, for
``BASELINE_SECONDS``, one client logs in again and again alone: what a login costs here. Then,
for ``--seconds``, at once:

- flood: ``FLOODERS`` registrations at a time, back to back, each from another client
  address (``X-Forwarded-For``, which the server trusts from loopback): the many
  addresses no per-address limit stops, every registration an argon2 hash;
- one address: a client registers from one address, which the limit stops after
  ``HUBINDEX_REGISTRATIONS_PER_ADDRESS`` (429);
- login: the same client as before logs in again and again, timed;
- ping: ``GET /v1/_ping`` every 20 ms, timed.

Bounds (exit 1 when one is passed): ping p99 <= 50 ms; login p99 under the flood <= twice its
p99 alone plus 100 ms (a login's argon2 shares the cores with the flood's, at a higher priority:
it never waits in line behind them); the one address creates no more accounts than its limit;
no 500 anywhere, no 5xx to a login or a ping, and the flood's 503s (hashes past
``HUBINDEX_PASSWORD_HASHES_WAITING``) carry Retry-After.
"""

import asyncio
import os
import secrets
import threading
import time
from collections.abc import Callable

import httpx

from bench.clients import Tally, ping_line, ping_p99_held, pings, timed
from bench.probe import percentile

REGISTRATIONS_PER_ADDRESS = 10
SERVER_ENV = {
    "HUBINDEX_PASSWORD_CACHE_SECONDS": "0",
    "HUBINDEX_REGISTRATIONS_PER_ADDRESS": str(REGISTRATIONS_PER_ADDRESS),
}
BASELINE_SECONDS = 5.0
FLOODERS = 40
LOGIN_P99_FACTOR = 2.0
LOGIN_P99_SLACK_MS = 100.0
LOGIN_EVERY_SECONDS = 0.05


def attack(base: str, seconds: float, account: tuple[str, str]) -> int:
    """Run the attack on the server at ``base``; 0 when every bound held, else 1."""
    # The flood may find every hash slot taken (503, Retry-After) or its connection dropped;
    # the one address may find the slots taken too.
    tally = Tally(
        may_be_busy=frozenset({"flood", "one address"}), may_go_unanswered=frozenset({"flood"})
    )
    quiet = threading.Event()
    quiet_pings: list[float] = []
    pinging = threading.Thread(target=pings, args=(base, quiet, quiet_pings, tally), daemon=True)
    pinging.start()
    baseline = _timed_logins(base, account, tally, stop_after=BASELINE_SECONDS)
    quiet.set()
    pinging.join(timeout=60)

    stop = threading.Event()
    logins: list[float] = []
    ping_times: list[float] = []

    def flood() -> None:
        asyncio.run(_flood(base, stop, tally))

    def one_address() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                try:
                    response = _register(client, {"X-Forwarded-For": "198.19.0.1"})
                except httpx.TransportError as error:
                    tally.failed("one address", error)
                    continue
                tally.count("one address", response)

    def login() -> None:
        logins.extend(_timed_logins(base, account, tally, stop=stop))

    def ping() -> None:
        pings(base, stop, ping_times, tally)

    clients: list[Callable[[], None]] = [login, ping, one_address, flood]
    threads = [threading.Thread(target=c, daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return _report(
        seconds,
        tally,
        baseline=baseline,
        logins=logins,
        quiet_pings=quiet_pings,
        ping_times=ping_times,
    )


async def _flood(base: str, stop: threading.Event, tally: Tally) -> None:
    """``FLOODERS`` registrations at a time, back to back, each from another address."""
    limits = httpx.Limits(max_connections=FLOODERS, max_keepalive_connections=FLOODERS)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def flooder() -> None:
            while not stop.is_set():
                address = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
                try:
                    response = await client.post(
                        "/v1/users/", json=_registration(), headers={"X-Forwarded-For": address}
                    )
                except httpx.TransportError as error:
                    tally.failed("flood", error)
                    continue
                tally.count("flood", response)

        await asyncio.gather(*(flooder() for _ in range(FLOODERS)))


def _registration() -> dict[str, str]:
    name = f"flood_{secrets.token_hex(8)}"
    return {"username": name, "password": "flood-password", "email": f"{name}@example.com"}


def _register(client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    return client.post("/v1/users/", json=_registration(), headers=headers)


def _timed_logins(
    base: str,
    account: tuple[str, str],
    tally: Tally,
    *,
    stop: threading.Event | None = None,
    stop_after: float | None = None,
) -> list[float]:
    times: list[float] = []
    deadline = None if stop_after is None else time.monotonic() + stop_after

    def done() -> bool:
        return (stop is not None and stop.is_set()) or (
            deadline is not None and time.monotonic() > deadline
        )

    timed(
        base,
        "login",
        lambda client: client.get("/v1/users/", auth=account),
        times,
        tally,
        every=LOGIN_EVERY_SECONDS,
        done=done,
    )
    return times


def _report(
    seconds: float,
    tally: Tally,
    *,
    baseline: list[float],
    logins: list[float],
    quiet_pings: list[float],
    ping_times: list[float],
) -> int:
    alone_p50, alone_p99 = (percentile(baseline, p) * 1000 for p in (50, 99))
    login_p50, login_p99 = (percentile(logins, p) * 1000 for p in (50, 99))
    login_bound = alone_p99 * LOGIN_P99_FACTOR + LOGIN_P99_SLACK_MS
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"registration flood: {seconds:g} s, {FLOODERS} registrations at a time from as many"
          " addresses as requests, one more client from one address; every login runs argon2;"
          f" load average at the end {load}")  # fmt: skip
    quiet_p99 = percentile(quiet_pings, 99) * 1000
    print(f"login alone: {len(baseline)} answered, p50 {alone_p50:.0f} ms, p99 {alone_p99:.0f} ms"
          f" (ping meanwhile: p99 {quiet_p99:.1f} ms)")  # fmt: skip
    print(f"login under the flood: {len(logins)} answered, p50 {login_p50:.0f} ms,"
          f" p99 {login_p99:.0f} ms (bound <= {login_bound:.0f} ms)")  # fmt: skip
    print(ping_line(ping_times, "bound"))
    print("\n".join(tally.lines()))
    created_by_one = tally.statuses.get("one address", {}).get(201, 0)
    held = {
        "ping p99": ping_p99_held(ping_times),
        "login p99": login_p99 <= login_bound,
        "one address's limit": created_by_one <= REGISTRATIONS_PER_ADDRESS,
        "no unexpected 5xx": not tally.problems,
    }
    passed = [name for name, ok in held.items() if not ok]
    print("registration flood: bounds held" if not passed else f"registration flood: bound"
          f" passed: {', '.join(passed)}")  # fmt: skip
    return 0 if not passed else 1
