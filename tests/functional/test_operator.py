"""What an operator relies on: help, config, one log line per request, metrics, shutdown."""

import asyncio
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from server import logs
from server.app import create_app
from server.settings import Settings
from server.spec.checkout import ROOT
from server.version import VERSION
from tests.functional.support import WANT_TOKEN, new_repository
from tests.harness import FAST_HASHING, HUBINDEX, Index, hubindex, token_header

# Each test starts `hubindex serve` processes: run with the slow layers.
pytestmark = pytest.mark.slow

COMMANDS = [[], ["serve"], ["db"], ["db", "upgrade"], ["users"], ["users", "create"],
            ["users", "activate"], ["users", "list"], ["users", "show"], ["users", "disable"],
            ["users", "enable"], ["users", "delete"], ["users", "set-password"], ["config"],
            ["backup"], ["restore"], ["images"], ["images", "orphans"], ["audit"],
            ["audit", "export"], ["secrets"], ["secrets", "rotate"],
            ["secrets", "reseal"]]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "hubindex")
def test_every_command_has_help(command: list[str]):
    result = subprocess.run(
        [str(HUBINDEX), *command, "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: hubindex")
    assert "help" in result.stdout


def test_users_create_makes_an_active_administrator_from_a_password_on_stdin(index: Index):
    hubindex(
        "users", "create", "operator_made", "--email", "op@example.com", "--admin",
        "--password-stdin",
        database_url=index.database_url,
        stdin="op-password\n",
    )  # fmt: skip
    assert index.client.get("/v1/users/", auth=("operator_made", "op-password")).text == '"OK"'
    created = index.client.put(
        "/v1/repositories/library/made_by_admin/", json=[], auth=("operator_made", "op-password")
    )
    assert created.status_code == 200


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "create", "ab", "--email", "x@example.com"], "pw-long-enough\n", "username"),
        (["users", "create", "abcd", "--email", "nope"], "pw-long-enough\n", "email"),
        (["users", "create", "abcd", "--email", "x@example.com"], "pw\n", "password"),
        (["users", "activate", "nobody_here"], "", "nobody_here"),
    ],
)
def test_bad_operator_input_is_one_line_and_no_traceback(
    index: Index, args: list[str], stdin: str, message: str
):
    if args[1] == "create":
        args = [*args, "--password-stdin"]
    result = hubindex(*args, database_url=index.database_url, stdin=stdin, check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_users_activate_activates_without_the_mailed_code(index: Index):
    account = index.account(active=False)
    assert index.client.get("/v1/users/", auth=account.auth).status_code == 403
    hubindex("users", "activate", account.username, database_url=index.database_url)
    assert index.client.get("/v1/users/", auth=account.auth).status_code == 200


def test_config_prints_every_setting_with_passwords_masked(tmp_path: Path):
    url = "postgresql+psycopg://hub:db-secret@127.0.0.1:1/hub"
    result = hubindex("config", database_url=url)
    lines = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert lines["HUBINDEX_DATABASE_URL"] == "postgresql+psycopg://hub:***@127.0.0.1:1/hub"
    assert lines["HUBINDEX_EMAIL_CONFIRMATION"] == "required"
    assert "db-secret" not in result.stdout


def test_each_request_is_one_log_line_with_its_path_user_and_request_id_but_no_secret(
    index: Index, caplog: pytest.LogCaptureFixture
):
    """Through the logging tree (the harness's set-up): the same fields as serve's lines."""
    account = index.account()
    with caplog.at_level("INFO", logger="hubindex.access"):
        index.client.get("/v1/users/", auth=account.auth, headers={"X-Request-ID": "incident-1"})
        index.client.get("/v1/users/", auth=(account.username, "wrong-password"))
        index.client.get("/v1/repositories/someone/app/images")
        index.client.get("/v1/users/confirm", params={"code": "a-code-to-keep-out"})
    lines = [r for r in caplog.records if r.name == "hubindex.access"]
    assert [
        (r.request["path"], r.request["route"], r.request["status"], r.request["user"])
        for r in lines
    ] == [
        ("/v1/users/", "/v1/users/", 200, account.username),
        ("/v1/users/", "/v1/users/", 401, "-"),
        ("/v1/repositories/someone/app/images",
         "/v1/repositories/{namespace}/{repository}/images", 404, "-"),
        ("/v1/users/confirm", "/v1/users/confirm", 404, "-"),
    ]  # fmt: skip
    assert all(r.request["duration_ms"] > 0 for r in lines)
    assert all(r.request["client"] == "127.0.0.1" for r in lines)
    assert lines[0].request["request_id"] == "incident-1"
    assert len({r.request["request_id"] for r in lines}) == 4
    assert account.password not in caplog.text
    assert "wrong-password" not in caplog.text
    assert "a-code-to-keep-out" not in caplog.text


def test_access_lines_still_pending_are_written_when_the_app_shuts_down(
    index: Index, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(logs, "FLUSH_SECONDS", 3600.0)  # the writer's thread writes nothing
    logger = logging.getLogger(logs.ACCESS_LOGGER)
    stream = io.StringIO()
    handler = logs.LineHandler("text", stream)
    monkeypatch.setattr(logger, "handlers", [handler])
    monkeypatch.setattr(logger, "propagate", False)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        for n in range(20):
            index.client.get("/v1/_ping", headers={"X-Request-ID": f"s-{n}"})
        assert stream.getvalue() == ""
        index.stop()
        written = stream.getvalue()  # before close(), which would write what is pending
    finally:
        logger.setLevel(level)
        handler.close()
    ids = [line.rpartition(" id=")[2] for line in written.splitlines()]
    assert ids == [f"s-{n}" for n in range(20)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log


@pytest.fixture
def serve(database_url: str, tmp_path: Path) -> Iterator:
    started: list[Served] = []

    def start(*args: str, **env: str) -> Served:
        port = _free_port()
        log = tmp_path / f"serve-{port}.log"
        environment = {
            **os.environ,
            "HUBINDEX_DATABASE_URL": database_url,
            **{f"HUBINDEX_{k.upper()}": str(v) for k, v in FAST_HASHING.items()},
            **env,
        }
        with log.open("w") as output:
            process = subprocess.Popen(
                [str(HUBINDEX), "serve", "--port", str(port), *args],
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        served = Served(process, f"http://127.0.0.1:{port}", log)
        started.append(served)
        deadline = time.monotonic() + 30
        with httpx.Client(timeout=1) as polls:  # one SSL context, not one a try (40 ms of CPU)
            while True:
                try:
                    polls.get(f"{served.url}/v1/_ping")
                    return served
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"hubindex serve did not start:\n{log.read_text()}")
                    time.sleep(0.05)

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
        served.process.wait(timeout=10)


def test_serve_with_smtp_and_no_public_url_refuses_to_start_in_one_line(database_url: str):
    result = subprocess.run(
        [str(HUBINDEX), "serve", "--port", str(_free_port())],
        env={**os.environ, "HUBINDEX_DATABASE_URL": database_url,
             "HUBINDEX_SMTP_URL": "smtp://127.0.0.1:25"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("hubindex: configuration error: HUBINDEX_PUBLIC_URL:")
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_json_logs_are_one_object_per_line(serve):
    served = serve("--log-format", "json")
    httpx.get(f"{served.url}/v1/search", params={"q": "nothing"})
    served.process.terminate()
    served.process.wait(timeout=30)
    events = [json.loads(line) for line in served.log.read_text().splitlines()]
    requests = [e for e in events if e["logger"] == "hubindex.access"]
    assert {(e["route"], e["operation"], e["status"]) for e in requests} >= {
        ("/v1/_ping", "ping.get", 200),
        ("/v1/search", "search.query", 200),
    }
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", e["time"]) for e in events)
    assert all(e["client"] == "127.0.0.1" and e["request_id"] for e in requests)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_serve_logs_every_request_before_it_exits_and_echoes_request_ids(serve, log_format):
    served = serve("--log-format", log_format)
    with httpx.Client(base_url=served.url) as client:
        for n in range(300):
            answer = client.get(
                f"/v1/repositories/ns/r{n}/images", headers={"X-Request-ID": f"r-{n}"}
            )
            assert answer.headers["X-Request-ID"] == f"r-{n}"
        docs = client.get("/docs/")
        confirm = client.get("/v1/users/confirm", params={"code": "a-code-to-keep-out"})
    assert (docs.status_code, confirm.status_code) == (200, 404)
    assert docs.headers["X-Request-ID"]
    assert confirm.headers["X-Request-ID"]
    served.process.terminate()  # at once: the last lines are still pending in the writer
    served.process.wait(timeout=30)
    log = served.log.read_text()
    assert "a-code-to-keep-out" not in log
    if log_format == "json":
        access = [e for e in map(json.loads, log.splitlines()) if e["logger"] == "hubindex.access"]
        ids = [e["request_id"] for e in access]
        assert [e["path"] for e in access if e["request_id"] == "r-299"] == [
            "/v1/repositories/ns/r299/images"
        ]
    else:
        access = [line for line in log.splitlines() if " hubindex.access: " in line]
        ids = [line.rpartition(" id=")[2] for line in access]
    assert ids[-302:-2] == [f"r-{n}" for n in range(300)]
    assert ids[-2:] == [docs.headers["X-Request-ID"], confirm.headers["X-Request-ID"]]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_warning_logged_while_serving_names_the_request_id_the_answer_echoes(serve, log_format):
    """Without SMTP, a registration logs its confirmation link as a warning."""
    served = serve("--log-format", log_format)
    echoed = []
    for n, sent in enumerate(({"X-Request-ID": "signup-1"}, {})):
        account = {
            "username": f"warned_{n}",
            "password": "a-password",
            "email": f"w{n}@example.com",
        }
        answer = httpx.post(f"{served.url}/v1/users/", json=account, headers=sent)
        assert answer.status_code == 201, answer.text
        echoed.append(answer.headers["X-Request-ID"])
    assert echoed[0] == "signup-1"
    assert re.fullmatch(r"[0-9a-f]{16}", echoed[1])
    served.process.terminate()
    served.process.wait(timeout=30)
    lines = served.log.read_text().splitlines()
    if log_format == "json":
        events = [json.loads(line) for line in lines]
        warned = [e.get("request_id") for e in events if e["logger"] == "server.services.mail"]
        started = [e for e in events if "started: engine" in e.get("message", "")]
        assert [("request_id" in e) for e in started] == [False]
    else:
        mail = [line for line in lines if " WARNING server.services.mail: " in line]
        warned = [line.rpartition(" id=")[2] for line in mail]
        started = [line for line in lines if "started: engine" in line]
        assert [(" id=" in line) for line in started] == [False]
    assert warned == echoed


def test_metrics_are_off_by_default_and_served_on_their_own_port_when_asked(serve):
    port = _free_port()
    served = serve(HUBINDEX_METRICS_PORT=str(port))
    httpx.get(f"{served.url}/v1/search", params={"q": "x"})
    httpx.get(f"{served.url}/v1/search", params={"q": "x", "n": "0"})
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert 'hubindex_requests_total{operation="search.query",status="200"} 1.0' in metrics
    assert 'hubindex_requests_total{operation="search.query",status="400"} 1.0' in metrics
    assert "hubindex_request_duration_seconds_bucket" in metrics
    assert "hubindex_db_connections_in_use" in metrics
    assert httpx.get(f"{served.url}/metrics").status_code == 404


def test_sigterm_lets_a_request_in_flight_finish(serve):
    served = serve()
    account = {"username": "slowpoke", "password": "slow-password", "email": "s@example.com"}
    body = json.dumps(account).encode()
    result: dict[str, httpx.Response] = {}

    def slow_upload() -> Iterator[bytes]:
        for byte in body:
            yield bytes([byte])
            time.sleep(0.02)  # about a second in all: the server is stopped meanwhile

    def register() -> None:
        result["response"] = httpx.post(
            f"{served.url}/v1/users/",
            content=slow_upload(),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )

    client = threading.Thread(target=register)
    client.start()
    time.sleep(0.3)
    served.process.send_signal(signal.SIGTERM)
    client.join(timeout=30)
    assert result["response"].status_code == 201
    # uvicorn shuts down gracefully, then re-raises the signal to exit as terminated by it.
    assert served.process.wait(timeout=30) == -signal.SIGTERM
    assert "Finished server process" in served.log.read_text()


# Operator commands on accounts -----------------------------------------------------------------


def test_users_list_and_show_tell_state_role_repositories_and_addresses(index: Index):
    owner = index.account()
    unconfirmed = index.account(active=False)
    new_repository(index, owner)
    listed = hubindex("users", "list", database_url=index.database_url).stdout.splitlines()
    assert listed[0].split() == ["USERNAME", "STATE", "ROLE", "REPOSITORIES", "EMAIL"]
    rows = {line.split()[0]: line.split()[1:] for line in listed[1:]}
    assert rows[owner.username] == ["active", "user", "1", owner.email]
    assert rows[unconfirmed.username] == ["unconfirmed", "user", "0", unconfirmed.email]
    shown = hubindex("users", "show", owner.username, database_url=index.database_url).stdout
    assert f"username: {owner.username}\nstate: active\nrole: user\n" in shown
    assert "repositories: 1\n" in shown
    assert f"email: {owner.email} (confirmed)\n" in shown
    missing = hubindex("users", "show", "nobody_here", database_url=index.database_url, check=False)
    assert (missing.returncode, missing.stderr) == (1, "hubindex: user nobody_here not found\n")


def test_images_orphans_prints_each_id_no_repository_lists_with_when_it_was_last_listed(
    index: Index,
):
    """One ``ID<TAB>LAST_LISTED`` line each, oldest first, past one batch of 1,000; the ids a
    repository still lists are left out; the same as the administrators' operation."""
    owner = index.account()
    big = new_repository(index, owner, images=1001)
    kept = new_repository(index, owner)
    assert index.client.put(
        f"/v1/repositories/{kept.path}/images", json=[{"id": big.images[0]}],
        headers={"Authorization": owner.basic},
    ).status_code == 204  # fmt: skip
    gone = new_repository(index, owner)
    empty = hubindex("images", "orphans", database_url=index.database_url)
    assert (empty.stdout, empty.stderr) == ("", "")
    for repository in (big, gone):
        deleted = index.client.delete(
            f"/v1/repositories/{repository.path}/", headers={"Authorization": owner.basic}
        )
        assert deleted.status_code == 202, deleted.text

    printed = hubindex("images", "orphans", database_url=index.database_url).stdout.splitlines()

    rows = [line.split("\t") for line in printed]
    assert all(len(row) == 2 for row in rows)
    assert sorted(row[0] for row in rows) == sorted([*big.images[1:], *gone.images])
    times = [datetime.fromisoformat(row[1]) for row in rows]
    assert times == sorted(times)
    assert {row[0]: row[1] for row in rows}[gone.images[0]] == rows[-1][1]  # deleted last


def test_audit_export_prints_an_accounts_events_as_json_lines_oldest_first(index: Index):
    owner = index.account()
    first, second = new_repository(index, owner), new_repository(index, owner)
    exported = hubindex("audit", "export", owner.username, database_url=index.database_url)
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [(event["action"], event["name"]) for event in events] == [
        ("repo.create", first.path),
        ("repo.create", second.path),
    ]
    assert events[0]["actor"] == owner.username
    assert events[0]["account"] == owner.username
    assert events[0]["timestamp"].endswith("Z")
    assert exported.stderr == f"hubindex: exported 2 events of {owner.username}\n"
    later = hubindex(
        "audit", "export", owner.username, "--from", "2999-01-01", database_url=index.database_url
    )
    assert later.stdout == ""
    earlier = hubindex(
        "audit", "export", owner.username, "--to", "2000-01-01T00:00:00+00:00",
        database_url=index.database_url,
    )  # fmt: skip
    assert earlier.stdout == ""
    bad = hubindex(
        "audit", "export", owner.username, "--from", "soon", database_url=index.database_url,
        check=False,
    )  # fmt: skip
    assert bad.returncode == 2
    assert "'soon' is not an ISO 8601 date or time" in bad.stderr


def test_a_disabled_account_s_logins_and_tokens_stop_at_once_in_the_serving_process(
    index: Index,
):
    """The command runs in a process of its own; the server answers from this one, with its
    read cache and its password memo warm from the requests before."""
    account = index.account()
    repository = new_repository(index, account)
    issued = index.client.get(
        f"/v1/repositories/{repository.path}/images", headers=WANT_TOKEN, auth=account.auth
    )
    token = {"Authorization": token_header(issued)}
    images = f"/v1/repositories/{repository.path}/images"
    for _ in range(2):
        assert index.client.get("/v1/users/", auth=account.auth).status_code == 200
        assert index.client.get(images, headers=token).status_code == 200

    disabled = hubindex("users", "disable", account.username, database_url=index.database_url)
    assert (
        disabled.stdout
        == f"hubindex: disabled {account.username}: its logins and tokens are refused\n"
    )
    login = index.client.get("/v1/users/", auth=account.auth)
    assert (login.status_code, login.json()) == (403, {"error": "Account is not Active"})
    assert index.client.get(images, headers=token).status_code == 403

    hubindex("users", "enable", account.username, database_url=index.database_url)
    assert index.client.get("/v1/users/", auth=account.auth).status_code == 200
    assert index.client.get(images, headers=token).status_code == 200


def test_an_anonymous_reader_s_token_has_no_account_to_stop(index: Index):
    owner = index.account()
    repository = new_repository(index, owner)
    images = f"/v1/repositories/{repository.path}/images"
    token = {"Authorization": token_header(index.client.get(images, headers=WANT_TOKEN))}
    hubindex("users", "disable", owner.username, database_url=index.database_url)
    assert index.client.get(images, headers=token).status_code == 200


def test_set_password_replaces_the_password_at_once(index: Index):
    account = index.account()
    assert index.client.get("/v1/users/", auth=account.auth).status_code == 200
    hubindex(
        "users", "set-password", account.username, "--password-stdin",
        database_url=index.database_url, stdin="a-new-password\n",
    )  # fmt: skip
    assert index.client.get("/v1/users/", auth=account.auth).status_code == 401
    renewed = (account.username, "a-new-password")
    assert index.client.get("/v1/users/", auth=renewed).status_code == 200
    short = hubindex(
        "users", "set-password", account.username, "--password-stdin",
        database_url=index.database_url, stdin="pw\n", check=False,
    )  # fmt: skip
    assert (short.returncode, short.stderr) == (
        1,
        "hubindex: password: does not satisfy minLength 5\n",
    )
    assert index.client.get("/v1/users/", auth=renewed).status_code == 200


def test_delete_refuses_an_owner_of_repositories_and_deletes_one_without(index: Index):
    owner, other = index.account(), index.account()
    new_repository(index, owner)
    refused = hubindex(
        "users", "delete", owner.username, database_url=index.database_url, check=False
    )
    assert (refused.returncode, refused.stderr) == (
        1,
        f"hubindex: user {owner.username} owns 1 repositories: delete them first, or disable"
        " the account instead\n",
    )
    assert index.client.get("/v1/users/", auth=owner.auth).status_code == 200
    hubindex("users", "delete", other.username, database_url=index.database_url)
    assert index.client.get("/v1/users/", auth=other.auth).status_code == 401
    # Its address is free again.
    again = index.register(other.username, other.password, other.email)
    assert again.status_code == 201, again.text


# The database: upgrades, backup and restore, readiness -----------------------------------------


def test_db_upgrade_names_each_migration_it_applied_then_says_nothing_was_pending(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    first = hubindex("db", "upgrade", database_url=url).stdout.splitlines()
    migrations = sorted((ROOT / "server/storage/migrations/versions").glob("0*.py"))
    assert len(first) == len(migrations) >= 7
    assert first[0].startswith("hubindex: applied migration 0001: Initial schema")
    # Each names its revision (most are their file's number; some are longer ids).
    revisions = [
        re.search(r'^revision = "([^"]+)"', m.read_text(), re.MULTILINE).group(1)  # type: ignore[union-attr]
        for m in migrations
    ]
    assert [line.split()[3] for line in first] == [f"{revision}:" for revision in revisions]
    second = hubindex("db", "upgrade", database_url=url).stdout
    assert second == "hubindex: the database is up to date: no migration was pending\n"


def test_a_backup_taken_while_serving_restores_the_accounts_of_its_moment(
    index: Index, tmp_path: Path
):
    if not index.database_url.startswith("sqlite"):
        result = hubindex(
            "backup", str(tmp_path / "x"), database_url=index.database_url, check=False
        )
        assert result.returncode == 1
        assert result.stderr.startswith(
            "hubindex: PostgreSQL is backed up with its own tool: pg_dump --format=custom"
        )
        assert result.stderr.count("\n") == 1
        return
    before = index.account()
    backup = tmp_path / "backup.db"
    taken = hubindex("backup", str(backup), database_url=index.database_url)
    assert taken.stdout.startswith(
        f"hubindex: backed up {index.database_url.removeprefix('sqlite:///')} to {backup} ("
    )
    again = hubindex("backup", str(backup), database_url=index.database_url, check=False)
    assert (again.returncode, again.stderr) == (1, f"hubindex: {backup} exists: name a new file\n")
    after = index.account()
    index.stop()
    restored = hubindex("restore", str(backup), database_url=index.database_url)
    assert restored.stdout.startswith("hubindex: restored ")
    index.start()
    assert index.client.get("/v1/users/", auth=before.auth).status_code == 200
    assert index.client.get("/v1/users/", auth=after.auth).status_code == 401


def test_restore_refuses_a_file_that_is_no_hubindex_database(tmp_path: Path):
    # SQLite's alone: PostgreSQL restores with pg_restore.
    other = tmp_path / "other.db"
    create_engine(f"sqlite:///{other}").connect().close()
    target = f"sqlite:///{tmp_path / 'hubindex.db'}"
    result = hubindex("restore", str(other), database_url=target, check=False)
    assert (result.returncode, result.stderr) == (
        1,
        f"hubindex: {other} is not a hubindex database\n",
    )


def test_ready_answers_200_when_migrated_and_503_naming_a_pending_migration(index: Index):
    assert index.client.get("/v1/_ready").json() == {
        "ready": True,
        "database": "ok",
        "migrations": "ok",
    }
    engine = create_engine(index.database_url)
    try:
        with engine.begin() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
        answer = index.client.get("/v1/_ready")
        assert answer.status_code == 503
        assert answer.json() == {
            "ready": False,
            "database": "ok",
            "migrations": f"pending: the database is at 0006, this hubindex needs {head}",
        }
        assert index.client.get("/v1/_ping").status_code == 200  # liveness is not readiness
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
        engine.dispose()
    assert index.client.get("/v1/_ready").status_code == 200


def test_ready_answers_503_when_the_database_does_not_answer(tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'missing' / 'hub.db'}", **FAST_HASHING)

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/v1/_ready")

    answer = asyncio.run(ask())
    assert (answer.status_code, answer.json()) == (
        503,
        {"ready": False, "database": "unreachable", "migrations": "unknown"},
    )


def test_the_bare_address_leads_to_the_docs(index: Index):
    answer = index.client.get("/")
    assert (answer.status_code, answer.headers["Location"]) == (307, "/docs/")
    assert index.client.get("/", follow_redirects=True).status_code == 200


# Starting --------------------------------------------------------------------------------------


def test_version_is_in_the_start_up_line_and_in_the_metrics(serve):
    port = _free_port()
    served = serve(HUBINDEX_METRICS_PORT=str(port))
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert 'hubindex_build_info{python="' in metrics
    assert f'version="{VERSION}"}} 1.0' in metrics
    version = subprocess.run(
        [str(HUBINDEX), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout == f"hubindex {VERSION}\n"
    served.process.terminate()
    served.process.wait(timeout=30)
    assert f"hubindex {VERSION} started: engine fast, database " in served.log.read_text()


def test_a_port_in_use_is_one_hubindex_line_and_status_1(database_url: str):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = hubindex("serve", "--port", str(port), database_url=database_url, check=False)
    assert (result.returncode, result.stderr) == (
        1,
        f"hubindex: cannot listen on 127.0.0.1:{port}: it is in use\n",
    )
    assert result.stdout == ""
