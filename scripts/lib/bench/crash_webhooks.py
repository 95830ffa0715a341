"""Webhooks delivered at least once, whatever happens to the server or the receiver.

One ``hubindex serve`` (PostgreSQL: ``--workers 2``, two processes sharing the outbox) with a
receiver on 127.0.0.1 hooked to two repositories:

1. **kill -9 during a burst.** Pushers record a new image each in ``main`` (each push's tag
   names it) while others push new images into ``full``, a repository at the image limit, so
   that every push there is refused (409) and rolled back. Midway, the server's whole process
   group is killed with SIGKILL, then started again on the same database. Goal: every
   acknowledged (204) push is delivered; every delivery is of a push the database holds (a
   push in flight at the kill may have committed without its answer: delivering it is right);
   nothing of ``full`` is ever delivered.
2. **the receiver down.** The receiver stops, pushes go on for ``--down-seconds``, then it
   comes back. Goal: every acknowledged push arrives, and no delivery arrives twice (no
   process delivers one at once with another; nothing was killed here).

Prints what it saw and exits 1 when a goal is missed.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bench.databases import Databases, PostgreSQLDatabases, SQLiteDatabases
from bench.servers import free_port
from bench.stopping import clean_up_on_sigterm
from tests.functional.receiver import Receiver

ROOT = Path(__file__).resolve().parents[3]
HUBINDEX = ROOT / ".venv" / "bin" / "hubindex"
PASSWORD = secrets.token_urlsafe(12)


def main(argv: list[str]) -> int:
    clean_up_on_sigterm()
    parser = argparse.ArgumentParser(
        prog="scripts/crash-webhooks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("HUBINDEX_BENCH_POSTGRES_URL"))
    parser.add_argument("--pushes", type=int, default=300, help="pushes of the burst (300)")
    parser.add_argument(
        "--kill-after", type=int, default=120, help="acknowledged pushes before the kill (120)"
    )
    parser.add_argument("--down-seconds", type=float, default=60.0, help="receiver down (60)")
    parser.add_argument(
        "--retry-max-seconds",
        type=float,
        default=10.0,
        help="HUBINDEX_WEBHOOKS_RETRY_MAX_SECONDS (10)",
    )
    parser.add_argument("--pushers", type=int, default=8)
    parser.add_argument(
        "--receiver-delay", type=float, default=0.2, help="seconds the receiver takes (0.2)"
    )
    options = parser.parse_args(argv)
    databases: Databases
    if options.backend == "postgresql":
        if not options.postgres_url:
            parser.error("--backend postgresql needs --postgres-url")
        databases = PostgreSQLDatabases(options.postgres_url)
    else:
        databases = SQLiteDatabases(refresh=False)
    try:
        return _run(databases.empty(), options)
    finally:
        databases.close()


class Server:
    def __init__(self, env: dict[str, str], workers: int) -> None:
        self._env = env
        self._workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # A new port each time: a killed server's may not be free again at once.
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 - our own console script
            [str(HUBINDEX), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self._workers), "--no-migrate"],
            env=self._env, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "hubindex serve exited"
            try:
                if httpx.get(f"{self.base}/v1/_ping", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("hubindex serve did not start")

    def kill(self) -> None:
        """SIGKILL to every process of the server (the supervisor and its workers)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def _run(database_url: str, options: argparse.Namespace) -> int:
    # Images per repository: room for every push into ``main``; ``full`` is filled to it.
    limit = options.pushes + 1000
    env = {
        **os.environ,
        "HUBINDEX_DATABASE_URL": database_url,
        # Not the working directory's (PostgreSQL's default): one for this run, as it restarts.
        "HUBINDEX_SECRETS_KEY_FILE": os.environ.get("HUBINDEX_SECRETS_KEY_FILE")
        or str(Path(tempfile.mkdtemp()) / "secrets.key"),
        "HUBINDEX_LOG_LEVEL": "warning",
        "HUBINDEX_EMAIL_CONFIRMATION": "off",
        "HUBINDEX_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true",
        "HUBINDEX_WEBHOOKS_RETRY_MAX_SECONDS": str(options.retry_max_seconds),
        "HUBINDEX_MAX_IMAGES_PER_REPOSITORY": str(limit),
        "HUBINDEX_ARGON2_TIME_COST": "1",
        "HUBINDEX_ARGON2_MEMORY_KIB": "8",
        "HUBINDEX_ARGON2_PARALLELISM": "1",
        "HUBINDEX_LOGIN_FAILURES_PER_ACCOUNT": "0",
        "HUBINDEX_LOGIN_FAILURES_PER_ADDRESS": "0",
    }
    subprocess.run([str(HUBINDEX), "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    user = f"crash_{secrets.token_hex(3)}"
    subprocess.run(  # noqa: S603 - our own console script
        [str(HUBINDEX), "users", "create", user, "--email", f"{user}@example.com",
         "--password-stdin"],
        input=PASSWORD, text=True, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    workers = 2 if options.backend == "postgresql" else 1
    server = Server(env, workers)
    receiver = Receiver().start()
    server.start()
    auth = (user, PASSWORD)
    try:
        with httpx.Client(base_url=server.base, timeout=30, auth=auth) as client:
            for repository in ("main", "full"):
                images = [
                    {"id": secrets.token_hex(32)}
                    for _ in range(limit if repository == "full" else 0)
                ]
                made = client.put(f"/v1/repositories/{user}/{repository}/", json=images)
                assert made.status_code == 200, made.text
                _hook(server.base, auth, f"{user}/{repository}", receiver.url)
        met = _crash(server, receiver, user, auth, database_url, options)
        met = _outage(server, receiver, user, auth, options) and met
    finally:
        server.stop()
        receiver.stop()
    print(f"crash-webhooks ({options.backend}): goal {'met' if met else 'NOT met'}")
    return 0 if met else 1


def _hook(base: str, auth: tuple[str, str], path: str, url: str) -> None:
    """A webhook on ``path`` with one hook to ``url``."""
    with httpx.Client(base_url=base, timeout=30, headers=_bearer(base, auth)) as client:
        made = client.post(f"/v2/repositories/{path}/webhooks", json={"name": "crash"})
        assert made.status_code == 201, made.text
        hook = client.post(
            f"/v2/repositories/{path}/webhooks/{made.json()['id']}/hooks", json={"hook_url": url}
        )
        assert hook.status_code == 201, hook.text


def _bearer(base: str, auth: tuple[str, str]) -> dict[str, str]:
    answer = httpx.post(f"{base}/v2/auth/token", json={"identifier": auth[0], "secret": auth[1]})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _push(base: str, auth: tuple[str, str], user: str, repository: str, tag: str) -> int | None:
    """One push of a new image tagged ``tag``: its status, None if no answer came."""
    image = {"id": secrets.token_hex(32), "Tag": tag}
    try:
        answer = httpx.put(
            f"{base}/v1/repositories/{user}/{repository}/images",
            json=[image],
            auth=auth,
            timeout=30,
        )
    except httpx.TransportError:
        return None
    return answer.status_code


def _tags(receiver: Receiver, repository: str) -> Counter[str]:
    return Counter(
        delivery.json["push_data"]["tag"]
        for delivery in list(receiver.received)
        if delivery.json["repository"]["name"] == repository and delivery.json["event"] == "push"
    )


def _crash(  # noqa: PLR0917 - one call, each argument named there
    server: Server,
    receiver: Receiver,
    user: str,
    auth: tuple[str, str],
    database_url: str,
    options: argparse.Namespace,
) -> bool:
    # A slow receiver that fails every delivery until the server is killed: at the kill every
    # acknowledged push waits in the outbox for a retry, or is in flight under a lease.
    receiver.delay = options.receiver_delay
    receiver.status = 503
    acknowledged: set[str] = set()
    unanswered: set[str] = set()
    refused_full = 0
    answered_full: list[int | None] = []
    lock = threading.Lock()
    killed = threading.Event()

    def one(number: int) -> None:
        nonlocal refused_full
        tag = f"crash-{number}"
        status = _push(server.base, auth, user, "main", tag)
        full = _push(server.base, auth, user, "full", f"full-{number}")
        with lock:
            answered_full.append(full)
            if full == 409:
                refused_full += 1
            if status == 204:
                acknowledged.add(tag)
            else:
                unanswered.add(tag)
            if len(acknowledged) >= options.kill_after and not killed.is_set():
                killed.set()
                server.kill()

    started = time.monotonic()
    with ThreadPoolExecutor(options.pushers) as pool:
        list(pool.map(one, range(options.pushes)))
    before_restart = len(set(_tags(receiver, "main")) & acknowledged)
    receiver.delay = 0.0
    receiver.status = 200
    print(
        f"burst: {len(acknowledged)} pushes acknowledged, {len(unanswered)} unanswered or failed"
        f" (the server killed with SIGKILL after {options.kill_after}),"
        f" {refused_full} refused pushes to the full repository"
    )
    server.start()
    restarted = time.monotonic()
    deadline = restarted + 120
    while not acknowledged <= set(_tags(receiver, "main")) and time.monotonic() < deadline:
        time.sleep(0.2)
    delivered = _tags(receiver, "main")
    missing = acknowledged - set(delivered)
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as connection:
        held = connection.execute(
            text(
                "SELECT count(*) FROM images i JOIN repositories r ON r.id = i.repository_id"
                " WHERE r.name = 'main'"
            )
        ).scalar()
    engine.dispose()
    committed_unanswered = int(held or 0) - len(acknowledged)
    unanswered_delivered = set(delivered) & unanswered
    full_delivered = sum(_tags(receiver, "full").values())
    duplicates = sum(count - 1 for count in delivered.values())
    print(
        f"after restart: {len(set(delivered) & acknowledged)}/{len(acknowledged)} acknowledged"
        f" pushes delivered ({before_restart} before the restart)"
        f" within {time.monotonic() - restarted:.1f} s of it (missing: {len(missing)});"
        f" {committed_unanswered} unanswered pushes had committed, {len(unanswered_delivered)}"
        f" of them delivered; {full_delivered} deliveries of refused pushes;"
        f" {duplicates} deliveries repeated (at least once: allowed after a kill);"
        f" {time.monotonic() - started:.1f} s in all"
    )
    # A delivery of an unanswered push is right only where it committed: its image is held.
    return (
        not missing
        and full_delivered == 0
        and len(unanswered_delivered) <= committed_unanswered
        and refused_full > 0
    )


def _outage(
    server: Server,
    receiver: Receiver,
    user: str,
    auth: tuple[str, str],
    options: argparse.Namespace,
) -> bool:
    before = Counter(receiver.received_ids())
    receiver.stop()
    acknowledged: set[str] = set()
    stop_at = time.monotonic() + options.down_seconds
    number = 0
    while time.monotonic() < stop_at:
        tag = f"down-{number}"
        if _push(server.base, auth, user, "main", tag) == 204:
            acknowledged.add(tag)
        number += 1
        time.sleep(max(0.0, min(0.2, stop_at - time.monotonic())))
    receiver.start()
    back = time.monotonic()
    deadline = back + 3 * options.retry_max_seconds + 60
    while not acknowledged <= set(_tags(receiver, "main")) and time.monotonic() < deadline:
        time.sleep(0.2)
    arrived = acknowledged & set(_tags(receiver, "main"))
    ids = Counter(receiver.received_ids()) - before
    twice = sum(1 for count in ids.values() if count > 1)
    print(
        f"receiver down {options.down_seconds:.0f} s during {len(acknowledged)} acknowledged"
        f" pushes: {len(arrived)} delivered within {time.monotonic() - back:.1f} s of its"
        f" return; {twice} deliveries arrived twice"
    )
    return arrived == acknowledged and twice == 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
