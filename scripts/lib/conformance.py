"""Run the Schemathesis CLI against a live ``hubindex serve`` (run it as scripts/conformance).

    scripts/conformance [--backend sqlite|postgresql] [--max-time S] [--seed N] [--examples K]
                        [--keep-server | --url URL --database-url DB --admin NAME:PASSWORD]
                        [-- SCHEMATHESIS ARGS]

Starts the server on a free loopback port over a fresh database with an administrator, runs
every check and phase (schemathesis.toml holds the budget and the exceptions), then stops the
server and removes the database. Cases authenticate as that administrator, or with a genuine
token where an operation takes only tokens, and ``users.confirm`` gets genuine codes
(tests/contract/cli_hooks.py), so those operations are fuzzed past their refusals. PostgreSQL
uses HUBINDEX_TEST_POSTGRES_URL, or this machine's server at 127.0.0.1:5432 when it is unset.

The stateful phase follows the spec's links; the run prints how many it exercised (``API links:
C of N exercised``) and fails when one was not, unless ``--seed`` asked for a random campaign.

``--keep-server`` leaves the server and its database there when the run ends and prints how to
target it again (``--url``) and how to stop it. ``--url`` runs against a server that is already
running; the hooks then need its database and administrator (``--database-url``, ``--admin``,
or HUBINDEX_CONFORMANCE_DATABASE_URL and HUBINDEX_CONFORMANCE_ADMIN).

When the run fails, the server's log and its database are kept, and the run prints how to
start the same server again, on the same port, so that Schemathesis's "Reproduce with" command
works as printed (the throwaway accounts' credentials are printed as they are, not filtered).

The cases are deterministic (the same on every run, as CI wants) unless ``--seed N`` asks for
a random campaign: then every phase, stateful included, draws its cases from that seed, and the
same seed draws them again. ``--examples K`` sets the cases per operation. Exit status:
Schemathesis's, or 1 when a link was not exercised.
"""

import argparse
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONFIG = ROOT / "schemathesis.toml"
DETERMINISTIC = "deterministic = true"
# Real credentials for every operation, and real codes for users.confirm (imported from ROOT).
HOOKS = "tests.contract.cli_hooks"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATABASE_VARIABLE = "HUBINDEX_CONFORMANCE_DATABASE_URL"
ADMIN_VARIABLE = "HUBINDEX_CONFORMANCE_ADMIN"
# Schemathesis's summary of the stateful phase: "API Links: 3 covered / 14 selected / ...".
LINKS = re.compile(r"API Links:\s+(\d+) covered / (\d+) selected")
# How Schemathesis names a failure it stored to replay: "st replay gmQBkm".
REPLAY = re.compile(r"^\s*st replay (\S+)\s*$")
SAY = "scripts/conformance:"


@dataclass
class Database:
    """The throwaway database of one run, and how to remove it."""

    url: str
    scratch: Path
    postgres_name: str | None = None
    postgres_admin_url: str | None = None

    def remove(self) -> None:
        if self.postgres_name is not None and self.postgres_admin_url is not None:
            import psycopg

            with psycopg.connect(self.postgres_admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.postgres_name}" WITH (FORCE)')
        shutil.rmtree(self.scratch, ignore_errors=True)

    def removal(self) -> str:
        """The shell command that removes what ``remove`` removes."""
        command = f"rm -r {shlex.quote(str(self.scratch))}"
        if self.postgres_name is None:
            return command
        admin = (self.postgres_admin_url or "").replace("postgresql+psycopg", "postgresql")
        drop = f'DROP DATABASE "{self.postgres_name}" WITH (FORCE)'
        return f"psql {shlex.quote(admin)} -c {shlex.quote(drop)} && {command}"


@dataclass
class Outcome:
    code: int  # Schemathesis's exit status, or 1 when it exercised fewer links than the spec has
    failed: bool  # whether Schemathesis itself found a failure
    replays: list[str]  # the failures it stored, by id


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/conformance", description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--max-time", type=int, default=120, help="Schemathesis time budget (s)")
    parser.add_argument("--seed", type=int, help="a random campaign from this seed")
    parser.add_argument("--examples", type=int, help="cases per operation (default: the toml's)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--keep-server", action="store_true", help="leave the server running; print its URL"
    )
    target.add_argument("--url", help="target this running server instead of starting one")
    parser.add_argument(
        "--database-url", help=f"with --url: its database (or ${DATABASE_VARIABLE})"
    )
    parser.add_argument("--admin", help=f"with --url: NAME:PASSWORD (or ${ADMIN_VARIABLE})")
    parser.add_argument("--junit", type=Path, help="also write a JUnit XML report there (CI)")
    parser.add_argument("schemathesis_args", nargs="*", help="more Schemathesis CLI arguments")
    args = parser.parse_args(argv)
    if args.url is not None:
        database_url = args.database_url or os.environ.get(DATABASE_VARIABLE)
        admin = args.admin or os.environ.get(ADMIN_VARIABLE)
        if not database_url or not admin or ":" not in admin:
            parser.error(
                "--url needs --database-url and --admin NAME:PASSWORD (as --keep-server prints)"
            )
        outcome = _schemathesis(args, args.url.rstrip("/"), database_url, admin)
        if outcome.failed:
            print(f"{SAY} failed against {args.url}, which is still there: reproduce with")
            _print_commands(outcome, database_url, admin)
        return outcome.code
    return _with_own_server(args)


def _with_own_server(args: argparse.Namespace) -> int:
    database = _database(args.backend)
    keep = False
    try:
        admin = f"conformance:{secrets.token_urlsafe(16)}"
        env = _environment(database.url)
        _hubindex(env, "db", "upgrade")
        name, _, password = admin.partition(":")
        _hubindex(
            env, "users", "create", name, "--email", "conformance@example.com",
            "--admin", "--password-stdin", stdin=password + "\n",
        )  # fmt: skip
        server = _start_server(env, database.scratch / "serve.log")
        try:
            outcome = _schemathesis(args, server.url, database.url, admin, database.scratch)
        finally:
            if not args.keep_server:
                server.stop()
        _report_server_errors(server.log)
        if args.keep_server:
            keep = True
            _print_kept(server, database, admin)
        elif outcome.failed:
            keep = True
            _print_reproduction(server, database, admin, outcome)
        return outcome.code
    finally:
        if not keep:
            database.remove()


def _schemathesis(
    args: argparse.Namespace, url: str, database_url: str, admin: str, scratch: Path | None = None
) -> Outcome:
    config = _config(args.seed, scratch)
    command = [
        str(BIN / "schemathesis"), "--config-file", str(config),
        "run", f"{url}/openapi.json", "--url", url,
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        *_generation(args.seed),
        *([] if args.examples is None else ["--max-examples", str(args.examples)]),
        "--max-time", str(args.max_time),
        "--workers", "1",  # more crashed CPython 3.11 (docs/stack-notes.md)
        *_report(args.junit),
        *args.schemathesis_args,
    ]  # fmt: skip
    mode = "deterministic" if args.seed is None else f"random, seed {args.seed}"
    backend = "a running server" if args.url else args.backend
    print(f"{SAY} {backend}, {mode}: {' '.join(command[:5])} ...", flush=True)
    hooks = _hook_environment(database_url, admin)
    process = subprocess.Popen(  # noqa: S603 - the virtualenv's own tool
        command,
        cwd=ROOT,
        env={**os.environ, **hooks},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    links: tuple[int, int] | None = None
    replays: list[str] = []
    for line in process.stdout:
        sys.stdout.write(line)
        found = LINKS.search(line)
        if found is not None:
            links = int(found.group(1)), int(found.group(2))
        stored = REPLAY.match(line)
        if stored is not None and stored.group(1) not in replays:
            replays.append(stored.group(1))
    code = process.wait()
    if links is None:
        return Outcome(code, code != 0, replays)
    covered, declared = links
    print(f"{SAY} API links: {covered} of {declared} exercised by the stateful phase")
    if covered < declared and args.seed is None and code == 0:
        print(
            f"{SAY} every link of the spec must be exercised: a chain the stateful phase did"
            " not reach (tests/contract/test_conformance.py names which)"
        )
        return Outcome(1, False, replays)
    return Outcome(code, code != 0, replays)


def _report(junit: Path | None) -> list[str]:
    return [] if junit is None else ["--report", "junit", "--report-junit-path", str(junit)]


def _hook_environment(database_url: str, admin: str) -> dict[str, str]:
    return {"SCHEMATHESIS_HOOKS": HOOKS, DATABASE_VARIABLE: database_url, ADMIN_VARIABLE: admin}


def _generation(seed: int | None) -> list[str]:
    return ["--generation-deterministic"] if seed is None else ["--seed", str(seed)]


def _config(seed: int | None, scratch: Path | None) -> Path:
    """schemathesis.toml, or for a seeded campaign a copy that is not deterministic: the
    toml's ``deterministic = true`` would otherwise make ``--seed`` a no-op."""
    if seed is None:
        return CONFIG
    text = CONFIG.read_text(encoding="utf-8")
    if DETERMINISTIC not in text:
        sys.exit(f"{SAY} {CONFIG.name} no longer says {DETERMINISTIC!r}")
    folder = scratch or Path(tempfile.mkdtemp(prefix="hubindex-conformance-"))
    random = folder / "schemathesis.toml"
    random.write_text(text.replace(DETERMINISTIC, "deterministic = false"), encoding="utf-8")
    return random


# The server's settings for a conformance run, beside the database's.
SERVER_SETTINGS = {
    # Generated registrations must log in without a mailbox.
    "HUBINDEX_EMAIL_CONFIRMATION": "off",
    # Schemathesis sends wrong passwords on purpose; counting them would lock its own
    # administrator out. The throttle has its own tests.
    "HUBINDEX_LOGIN_FAILURES_PER_ACCOUNT": "0",
    "HUBINDEX_LOGIN_FAILURES_PER_ADDRESS": "0",
    # Nor may its registrations and new addresses, all from one address, be refused
    # (tests/contract/credentials.py conformance_settings, the same for the in-process run).
    "HUBINDEX_REGISTRATIONS_PER_ADDRESS": "0",
    "HUBINDEX_NEW_EMAILS_PER_ADDRESS": "0",
    "HUBINDEX_EMAILS_PER_ACCOUNT": "0",
    "HUBINDEX_VALIDATE_RESPONSES": "true",
    "HUBINDEX_LOG_LEVEL": "warning",
    "HUBINDEX_ARGON2_TIME_COST": "1",
    "HUBINDEX_ARGON2_MEMORY_KIB": "64",
    "HUBINDEX_ARGON2_PARALLELISM": "1",
}


def _environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "HUBINDEX_DATABASE_URL": database_url, **SERVER_SETTINGS}


def _database(backend: str) -> Database:
    scratch = Path(tempfile.mkdtemp(prefix="hubindex-conformance-"))
    if backend == "sqlite":
        return Database(f"sqlite:///{scratch / 'hubindex.db'}", scratch)
    import psycopg
    from sqlalchemy.engine import make_url

    base = os.environ.get("HUBINDEX_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    url = make_url(base)
    name = f"hubindex_conformance_{secrets.token_hex(6)}"
    admin_url = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database_url = url.set(drivername="postgresql+psycopg", database=name)
    return Database(database_url.render_as_string(False), scratch, name, admin_url)


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
        sys.exit(f"{SAY} hubindex {args[0]} failed:\n{result.stderr}")


def _start_server(env: dict[str, str], log: Path) -> Server:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            _serve_command(port),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # --keep-server: it outlives this script's terminal
        )
    server = Server(process, url, port, log)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/v1/_ping", timeout=1).close()  # noqa: S310
            return server
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                if process.poll() is None:
                    server.stop()
                sys.exit(f"{SAY} the server did not start:\n{log.read_text()}")
            time.sleep(0.05)


def _serve_command(port: int) -> list[str]:
    return [str(BIN / "hubindex"), "serve", "--port", str(port), "--no-migrate"]


def _report_server_errors(log: Path) -> None:
    errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
    if errors:
        print(f"{SAY} the server logged errors:\n{log.read_text()}")


def _print_kept(server: Server, database: Database, admin: str) -> None:
    again = [
        "scripts/conformance", "--url", server.url,
        "--database-url", database.url, "--admin", admin,
    ]  # fmt: skip
    print(
        f"{SAY} the server is still running at {server.url} (pid {server.process.pid}),"
        f" its log at {server.log}\n"
        f"  the administrator: {admin} (a throwaway account)\n"
        f"  run again against it: {shlex.join(again)}\n"
        f"  stop it and remove its database: kill {server.process.pid} && {database.removal()}"
    )


def _print_reproduction(server: Server, database: Database, admin: str, outcome: Outcome) -> None:
    settings = {"HUBINDEX_DATABASE_URL": database.url, **SERVER_SETTINGS}
    start = ["env", *(f"{k}={v}" for k, v in settings.items()), *_serve_command(server.port)]
    print(
        f"{SAY} failed. The server's log: {server.log}\n"
        f"  The server is stopped; its database is kept. To reproduce, start it again on the"
        f" same port (from {ROOT}):\n"
        f"    {shlex.join(start)}\n"
        f"  then (from {ROOT}):"
    )
    _print_commands(outcome, database.url, admin)
    print(f"  Afterwards stop the server and remove its database: {database.removal()}")


def _print_commands(outcome: Outcome, database_url: str, admin: str) -> None:
    """How to send the failing requests again: Schemathesis's own commands, which need the
    hooks' settings to replay a stored sequence."""
    print('    each "Reproduce with" curl command above, as printed')
    replay = [
        "env", *(f"{k}={v}" for k, v in _hook_environment(database_url, admin).items()),
        str(BIN / "schemathesis"), "--config-file", str(CONFIG), "replay",
    ]  # fmt: skip
    for stored in outcome.replays:
        print(f"    {shlex.join([*replay, stored])}")
    print(f"  The administrator: {admin} (a throwaway account).")


if __name__ == "__main__":
    sys.exit(main())
