"""A request's cost is its own: worst-case searches, and password changes racing pushes, must
not hold up a ping, and nothing may answer 5xx.

One ``hubindex serve`` (production argon2 costs) on loopback over a seeded database, and, for
``--seconds``, four clients at once, each on its own connection:

- search: short terms that match nearly everything ('e', '-', '/', blank, ...), deep pages and
  ever-changing page sizes, so that the result cache does not help;
- password: an account changes its password again and again (each change: argon2 to log in,
  argon2 to hash the new one);
- push: another account records a new checksum on every request (a writing PUT each time);
- ping: ``GET /v1/_ping`` every 20 ms, timed.

It prints the ping latencies and each client's answers, and exits 1 when ping p99 is above
50 ms or any answer was 5xx (the goal of issue 14). ``--no-search`` leaves the search client
out, to tell the search's share from the writers'.
"""

import argparse
import itertools
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bench import big_lists, connection_attacks, data, registration_flood
from bench.clients import Tally, ping_line, ping_p99_held, pings
from bench.databases import Databases, PostgreSQLDatabases, SQLiteDatabases
from bench.servers import free_port
from bench.stopping import clean_up_on_sigterm

ROOT = Path(__file__).resolve().parents[3]
HUBINDEX = ROOT / ".venv" / "bin" / "hubindex"
SEARCH_TERMS = ("e", "-", "/", " ", "a", "o", "_", ".", "s", "t", "i", "n")


def main(argv: list[str]) -> int:
    clean_up_on_sigterm()
    parser = argparse.ArgumentParser(prog="scripts/stress", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("HUBINDEX_BENCH_POSTGRES_URL"))
    parser.add_argument("--size", type=int, default=100_000, help="repositories (default 100k)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--no-search", action="store_true", help="leave the search client out")
    big_lists.add_options(parser)
    connection_attacks.add_options(parser)
    parser.add_argument(
        "--attack",
        choices=("mixed", "registrations"),
        default="mixed",
        help="mixed: the clients above (default); registrations: a registration flood"
        " (bench/registration_flood.py)",
    )
    options = parser.parse_args(argv)

    databases: Databases
    if options.backend == "postgresql":
        if not options.postgres_url:
            parser.error(
                "--backend postgresql needs --postgres-url (or HUBINDEX_BENCH_POSTGRES_URL)"
            )
        databases = PostgreSQLDatabases(options.postgres_url)
    else:
        databases = SQLiteDatabases(refresh=False)
    try:
        url = databases.seeded(options.size).url
        return _run(url, options)
    finally:
        databases.close()


def _run(database_url: str, options: argparse.Namespace) -> int:
    env = {**os.environ, "HUBINDEX_DATABASE_URL": database_url, "HUBINDEX_LOG_LEVEL": "warning"}
    if options.attack == "registrations":
        env.update(registration_flood.SERVER_ENV)
    changer, pusher = f"stress_{secrets.token_hex(3)}", f"stress_{secrets.token_hex(3)}"
    passwords = [secrets.token_urlsafe(12), secrets.token_urlsafe(12)]
    for name, password in ((changer, passwords[0]), (pusher, passwords[1])):
        subprocess.run(  # noqa: S603 - our own console script
            [str(HUBINDEX), "users", "create", name, "--email", f"{name}@example.com",
             "--password-stdin"],
            input=password, text=True, env=env, check=True,
        )  # fmt: skip
    base, server = _start_server(env)
    try:
        if options.attack == "registrations":
            return registration_flood.attack(base, options.seconds, (pusher, passwords[1]))
        code = 0 if options.attacks_only else _load(base, options, changer, pusher, passwords)
        port = int(base.rsplit(":", 1)[1])
        if not connection_attacks.run_selected(options, port, server.pid):
            code = 1
        outcomes = big_lists.run(
            base, env, options, lambda: _start_server(env), (pusher, passwords[1])
        )
        for outcome in outcomes:
            print("\n".join(outcome.lines))
            print(f"{outcome.name}: goal {'met' if outcome.met else 'NOT met'}")
        return code if all(outcome.met for outcome in outcomes) else 1
    finally:
        server.terminate()
        server.wait(timeout=30)


def _start_server(env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    """``hubindex serve`` on a free loopback port, up: its base URL and process."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own console script
        [str(HUBINDEX), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
    except BaseException:
        server.terminate()
        server.wait(timeout=30)
        raise
    return base, server


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("hubindex serve exited")
        try:
            if httpx.get(f"{base}/v1/_ping", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("hubindex serve did not start within 60 s")


def _load(
    base: str, options: argparse.Namespace, changer: str, pusher: str, passwords: list[str]
) -> int:
    tally = Tally()
    ping_times: list[float] = []
    stop = threading.Event()
    repository = f"/v1/repositories/{pusher}/stress"
    with httpx.Client(base_url=base, timeout=60) as client:
        created = client.put(f"{repository}/", json=[], auth=(pusher, passwords[1]))
        assert created.status_code == 200, created.text

    def search() -> None:
        sizes, pages = itertools.cycle(range(1, 101, 7)), itertools.cycle((1, 5, 20, 50, 100))
        with httpx.Client(base_url=base, timeout=60) as client:
            for term in itertools.cycle(SEARCH_TERMS):
                if stop.is_set():
                    return
                params = {"q": term, "n": next(sizes), "page": next(pages)}
                tally.count("search", client.get("/v1/search", params=params))

    def change_passwords() -> None:
        current, following = passwords[0], secrets.token_urlsafe(12)
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                response = client.put(
                    f"/v1/users/{changer}/", json={"password": following}, auth=(changer, current)
                )
                tally.count("password", response)
                if response.status_code == 204:
                    current, following = following, secrets.token_urlsafe(12)

    def push() -> None:
        image = data.image_id("stress", 0)
        with httpx.Client(base_url=base, timeout=60) as client:
            for n in itertools.count():
                if stop.is_set():
                    return
                body = [{"id": image, "checksum": f"sha256:{n:064x}"}]
                response = client.put(
                    f"{repository}/images", json=body, auth=(pusher, passwords[1])
                )
                tally.count("push", response)

    def ping() -> None:
        pings(base, stop, ping_times, tally)

    clients = [change_passwords, push, ping] + ([] if options.no_search else [search])
    threads = [threading.Thread(target=c, name=c.__name__, daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    time.sleep(options.seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)

    print(f"stress: {options.backend}, {options.size:,} repositories, {options.seconds:g} s,"
          f" clients: {', '.join(c.__name__ for c in clients)}")  # fmt: skip
    print(ping_line(ping_times))
    print("\n".join(tally.lines()))
    met = ping_p99_held(ping_times) and not tally.problems
    print("stress: goal met" if met else "stress: goal NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
