"""Run the Schemathesis CLI against a live ``hubindex serve`` (run it as scripts/conformance).

    scripts/conformance [--backend sqlite|postgresql] [--max-time S] [--seed N] [--examples K]
                        [-- SCHEMATHESIS ARGS]

Starts the server on a free loopback port over a fresh database with an administrator,
runs every check and phase (schemathesis.toml holds the budget and the exceptions), then
stops the server and removes the database. Cases authenticate as that administrator, or with
a genuine token where an operation takes only tokens, and ``users.confirm`` gets genuine codes
(tests/contract/cli_hooks.py), so those operations are fuzzed past their refusals.
PostgreSQL uses HUBINDEX_TEST_POSTGRES_URL, or this machine's server at 127.0.0.1:5432 when it
is unset.

The cases are deterministic (the same on every run, as CI wants) unless ``--seed N`` asks for
a random campaign: then every phase, stateful included, draws its cases from that seed, and the
same seed draws them again. ``--examples K`` sets the cases per operation. Exit status:
Schemathesis's.
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADMIN = ("conformance", secrets.token_urlsafe(16))
CONFIG = ROOT / "schemathesis.toml"
DETERMINISTIC = "deterministic = true"
# Real credentials for every operation, and real codes for users.confirm (imported from ROOT).
HOOKS = "tests.contract.cli_hooks"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/conformance", description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--max-time", type=int, default=120, help="Schemathesis time budget (s)")
    parser.add_argument("--seed", type=int, help="a random campaign from this seed")
    parser.add_argument("--examples", type=int, help="cases per operation (default: the toml's)")
    parser.add_argument("schemathesis_args", nargs="*", help="more Schemathesis CLI arguments")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="hubindex-conformance-") as scratch,
        _database(args.backend, Path(scratch)) as database_url,
    ):
        env = _environment(database_url)
        _hubindex(env, "db", "upgrade")
        _hubindex(
            env, "users", "create", ADMIN[0], "--email", "conformance@example.com",
            "--admin", "--password-stdin", stdin=ADMIN[1] + "\n",
        )  # fmt: skip
        config = _config(args.seed, Path(scratch))
        with _server(env, Path(scratch) / "serve.log") as url:
            command = [
                str(BIN / "schemathesis"), "--config-file", str(config),
                "run", f"{url}/openapi.json", "--url", url,
                "--checks", "all",
                "--phases", "examples,coverage,fuzzing,stateful",
                *_generation(args.seed),
                *([] if args.examples is None else ["--max-examples", str(args.examples)]),
                "--max-time", str(args.max_time),
                "--workers", "1",  # more crashed CPython 3.11 (docs/stack-notes.md)
                *args.schemathesis_args,
            ]  # fmt: skip
            mode = "deterministic" if args.seed is None else f"random, seed {args.seed}"
            print(f"scripts/conformance: {args.backend}, {mode}: {' '.join(command[:5])} ...")
            hooks = {
                "SCHEMATHESIS_HOOKS": HOOKS,
                "HUBINDEX_CONFORMANCE_DATABASE_URL": database_url,
                "HUBINDEX_CONFORMANCE_ADMIN": ":".join(ADMIN),
            }
            return subprocess.run(  # noqa: S603
                command, cwd=ROOT, env={**os.environ, **hooks}, check=False
            ).returncode


def _generation(seed: int | None) -> list[str]:
    return ["--generation-deterministic"] if seed is None else ["--seed", str(seed)]


def _config(seed: int | None, scratch: Path) -> Path:
    """schemathesis.toml, or for a seeded campaign a copy that is not deterministic: the
    toml's ``deterministic = true`` would otherwise make ``--seed`` a no-op."""
    if seed is None:
        return CONFIG
    text = CONFIG.read_text(encoding="utf-8")
    if DETERMINISTIC not in text:
        sys.exit(f"scripts/conformance: {CONFIG.name} no longer says {DETERMINISTIC!r}")
    random = scratch / "schemathesis.toml"
    random.write_text(text.replace(DETERMINISTIC, "deterministic = false"), encoding="utf-8")
    return random


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "HUBINDEX_DATABASE_URL": database_url,
        # Generated registrations must log in without a mailbox.
        "HUBINDEX_EMAIL_CONFIRMATION": "off",
        # Schemathesis sends wrong passwords on purpose; counting them would lock its own
        # administrator out. The throttle has its own tests.
        "HUBINDEX_LOGIN_FAILURES_PER_ACCOUNT": "0",
        "HUBINDEX_LOGIN_FAILURES_PER_ADDRESS": "0",
        "HUBINDEX_VALIDATE_RESPONSES": "true",
        "HUBINDEX_LOG_LEVEL": "warning",
        "HUBINDEX_ARGON2_TIME_COST": "1",
        "HUBINDEX_ARGON2_MEMORY_KIB": "64",
        "HUBINDEX_ARGON2_PARALLELISM": "1",
    }


@contextmanager
def _database(backend: str, scratch: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{scratch / 'hubindex.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    base = os.environ.get("HUBINDEX_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    url = make_url(base)
    name = f"hubindex_conformance_{secrets.token_hex(6)}"
    admin_url = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin_url.render_as_string(False), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _hubindex(env: dict[str, str], *args: str, stdin: str = "") -> None:
    result = subprocess.run(  # noqa: S603 - our own console script
        [str(BIN / "hubindex"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"scripts/conformance: hubindex {args[0]} failed:\n{result.stderr}")


@contextmanager
def _server(env: dict[str, str], log: Path) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - our own console script
            [str(BIN / "hubindex"), "serve", "--port", str(port), "--no-migrate"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/v1/_ping", timeout=1).close()  # noqa: S310
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"scripts/conformance: the server did not start:\n{log.read_text()}")
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
        if errors:
            print(f"scripts/conformance: the server logged errors:\n{log.read_text()}")


if __name__ == "__main__":
    sys.exit(main())
