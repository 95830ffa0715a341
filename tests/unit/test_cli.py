"""The `hubindex` command's parts, their effects replaced: `serve`'s options reach uvicorn (no
server starts), `users create` applies the rules of a registration (no account is made)."""

import importlib.metadata
import io
import socket
import subprocess
import sys
from typing import Any

import httpx
import pytest

from server.cli import accounts, serve, users
from server.cli import main as cli
from server.spec.checkout import ROOT


@pytest.fixture(autouse=True)
def _logging_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` configures logging for the process; in the test process that would change
    what later tests' log captures see (the access log at INFO level)."""
    monkeypatch.setattr(cli.logging.config, "dictConfig", lambda _config: None)


@pytest.fixture
def uvicorn_options(monkeypatch: pytest.MonkeyPatch, tmp_path) -> dict[str, Any]:
    monkeypatch.setenv("HUBINDEX_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    captured: dict[str, Any] = {}
    monkeypatch.setattr(
        serve.uvicorn, "run", lambda app, **options: captured.update(options, app=app)
    )
    # Port 5000 may be taken on this machine: whether it is, is a test of its own.
    monkeypatch.setattr(serve, "_refuse_taken_address", lambda _host, _port: None)
    return captured


def test_forwarded_allow_ips_is_passed_to_uvicorn(uvicorn_options: dict[str, Any]):
    assert cli.main(["serve", "--forwarded-allow-ips", "10.0.0.1,10.0.0.2"]) == 0
    assert uvicorn_options["forwarded_allow_ips"] == "10.0.0.1,10.0.0.2"


def test_without_the_option_uvicorn_keeps_its_default(uvicorn_options: dict[str, Any]):
    assert cli.main(["serve"]) == 0
    assert uvicorn_options["forwarded_allow_ips"] is None


@pytest.fixture
def created(monkeypatch: pytest.MonkeyPatch, tmp_path) -> list[tuple[Any, ...]]:
    """``hubindex users create`` with the account's creation replaced: what it was given."""
    monkeypatch.setenv("HUBINDEX_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        accounts,
        "create_user",
        lambda _settings, *args, command: calls.append((*args, command)),
    )
    return calls


def _create(monkeypatch: pytest.MonkeyPatch, name: str, email: str, password: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli.main(["users", "create", name, "--email", email, "--password-stdin"])


def test_users_create_passes_a_valid_account_on(
    monkeypatch: pytest.MonkeyPatch, created: list[tuple[Any, ...]]
):
    assert _create(monkeypatch, "op_user", "op@example.com", "op-password") == 0
    assert created == [("op_user", "op@example.com", "op-password", False, "users create")]


@pytest.mark.parametrize(
    ("name", "email", "password", "message"),
    [
        pytest.param("ab", "op@example.com", "op-password",
                     "username: 'ab' does not match '^[a-z0-9_]{4,30}$'", id="short username"),
        pytest.param("op_user", "", "op-password", "email: '' is not a 'email'",
                     id="empty email"),
        pytest.param("op_user", "not-an-address", "op-password",
                     "email: 'not-an-address' is not a 'email'", id="malformed email"),
        pytest.param("op_user", "op@example.com", "pw", "password: does not satisfy minLength 5",
                     id="short password"),
        pytest.param("op_user", "op@example.com", "pass\x07word",
                     "password: does not satisfy pattern '^[^\\\\x00-\\\\x1f\\\\x7f]*$'",
                     id="control character in the password"),
    ],
)  # fmt: skip
def test_users_create_applies_the_rules_of_a_registration_in_its_words(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    created: list[tuple[Any, ...]],
    name: str,
    email: str,
    password: str,
    message: str,
):
    assert _create(monkeypatch, name, email, password) == 1
    assert capsys.readouterr().err == f"hubindex: {message}\n"
    assert created == []


def test_reload_watches_the_handlers_and_the_generated_tree(uvicorn_options: dict[str, Any]):
    assert cli.main(["serve", "--reload"]) == 0
    assert uvicorn_options["reload"] is True
    assert uvicorn_options["reload_dirs"] == [str(ROOT / "server"), str(ROOT / "generated")]
    assert set(uvicorn_options["reload_includes"]) == {"*.py", "sources.sha256"}


def test_without_reload_uvicorn_gets_no_reload_options(uvicorn_options: dict[str, Any]):
    assert cli.main(["serve"]) == 0
    assert uvicorn_options["reload"] is False
    assert uvicorn_options["reload_dirs"] is None
    assert uvicorn_options["reload_includes"] is None


def test_reload_with_several_workers_is_refused_in_one_line(
    uvicorn_options: dict[str, Any], capsys: pytest.CaptureFixture[str]
):
    assert cli.main(["serve", "--reload", "--workers", "2"]) == 1
    assert uvicorn_options == {}
    assert capsys.readouterr().err == (
        "hubindex: --reload serves with one worker: leave out --workers or --reload\n"
    )


def test_a_stale_tree_is_refused_in_one_line_before_uvicorn_starts(
    uvicorn_options: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    monkeypatch.setattr(
        serve.freshness, "stale", lambda: "spec/openapi.yaml changed since scripts/generate ran"
    )
    assert cli.main(["serve"]) == 1
    assert uvicorn_options == {}
    assert capsys.readouterr().err == (
        "hubindex: generated/ is stale: spec/openapi.yaml changed since scripts/generate ran;"
        " run scripts/generate\n"
    )


def test_a_worker_refuses_a_stale_tree_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(serve.freshness, "stale", lambda: "templates/x.jinja changed")
    with pytest.raises(SystemExit) as exited:
        serve.create_app_for_uvicorn()
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "hubindex: generated/ is stale: templates/x.jinja changed; run scripts/generate\n"
    )


@pytest.mark.anyio
async def test_a_reload_onto_a_stale_tree_answers_503_saying_what_is_stale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """A process that exited would leave the requests waiting on the reloader's socket."""
    monkeypatch.setattr(serve.freshness, "stale", lambda: "spec/openapi.yaml changed")
    app = serve.create_app_for_reload()
    message = "generated/ is stale: spec/openapi.yaml changed; run scripts/generate"
    assert capsys.readouterr().err == f"hubindex: {message}\n"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/v1/_ping")
    assert response.status_code == 503
    assert response.json() == {"error": message}


def test_each_mode_hands_uvicorn_its_factory(uvicorn_options: dict[str, Any]):
    assert cli.main(["serve"]) == 0
    assert (uvicorn_options["app"], uvicorn_options["factory"]) == (
        "server.cli.serve:create_app_for_uvicorn",
        True,
    )
    assert cli.main(["serve", "--reload"]) == 0
    assert uvicorn_options["app"] == "server.cli.serve:create_app_for_reload"


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"hubindex {importlib.metadata.version('hubindex')}\n"


# What a command imports when it runs, and the command line alone must not: the request path,
# the database and the server, a second and more of each start (`--help`, `--version`).
HEAVY_MODULES = (
    "connexion",
    "sqlalchemy",
    "alembic",
    "uvicorn",
    "server.app",
    "server.composition",
)


def test_the_command_line_is_parsed_without_importing_what_the_commands_do():
    """In a process of its own: this one has imported all of it already."""
    program = (
        "import sys\n"
        "from server.cli import main\n"
        "main.parser().parse_args(['users', 'list'])\n"
        "print(' '.join(m for m in sys.argv[1:] if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", program, *HEAVY_MODULES],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.split() == []


def test_several_workers_on_sqlite_are_refused_in_one_line(
    uvicorn_options: dict[str, Any], capsys: pytest.CaptureFixture[str]
):
    assert cli.main(["serve", "--workers", "2"]) == 1
    assert uvicorn_options == {}
    assert capsys.readouterr().err == (
        "hubindex: --workers 2: SQLite is served by one process; use --workers 1, or"
        " PostgreSQL (HUBINDEX_DATABASE_URL=postgresql+psycopg://...) for several\n"
    )


def test_several_workers_on_postgresql_reach_uvicorn(
    uvicorn_options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HUBINDEX_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(serve, "upgrade", lambda _url: [])
    monkeypatch.setattr(serve.secrets_key, "prepare", lambda _settings: None)
    assert cli.main(["serve", "--workers", "2"]) == 0
    assert uvicorn_options["workers"] == 2


def test_a_port_in_use_is_refused_in_one_line_before_uvicorn_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("HUBINDEX_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    started: list[str] = []
    monkeypatch.setattr(serve.uvicorn, "run", lambda app, **_options: started.append(app))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 1
    assert started == []
    assert capsys.readouterr().err == f"hubindex: cannot listen on 127.0.0.1:{port}: it is in use\n"


def test_an_address_not_of_this_machine_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("HUBINDEX_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr(serve.uvicorn, "run", lambda app, **_options: None)
    assert cli.main(["serve", "--host", "192.0.2.1", "--port", "5000"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hubindex: cannot listen on 192.0.2.1:5000: ")
    assert err.count("\n") == 1


def test_a_damaged_installed_package_is_named_as_such(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(
        serve.freshness, "stale", lambda: "generated/requests.py is not what it was"
    )
    monkeypatch.setattr(serve, "is_checkout", lambda: False)
    with pytest.raises(SystemExit) as exited:
        serve.create_app_for_uvicorn()
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "hubindex: the installed package is damaged: generated/requests.py is not what it was;"
        " install hubindex again\n"
    )


@pytest.fixture
def account_calls(monkeypatch: pytest.MonkeyPatch, tmp_path) -> list[tuple[Any, ...]]:
    """The account work of ``hubindex users ...`` replaced: which function, with what."""
    monkeypatch.setenv("HUBINDEX_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    calls: list[tuple[Any, ...]] = []
    for name in ("set_active", "delete_user", "set_password"):
        monkeypatch.setattr(
            accounts,
            name,
            lambda _settings, *args, command, name=name: calls.append((name, *args, command)),
        )
    return calls


@pytest.mark.parametrize(
    ("command", "stdin", "call", "said"),
    [
        (["disable", "op_user"], "", ("set_active", "op_user", False, "users disable"),
         "disabled op_user: its logins and tokens are refused"),
        (["enable", "op_user"], "", ("set_active", "op_user", True, "users enable"),
         "enabled op_user"),
        (["activate", "op_user"], "", ("set_active", "op_user", True, "users enable"),
         "enabled op_user"),
        (["delete", "op_user"], "", ("delete_user", "op_user", "users delete"), "deleted op_user"),
        (["set-password", "op_user", "--password-stdin"], "new-password\n",
         ("set_password", "op_user", "new-password", "users set-password"),
         "set the password of op_user"),
    ],
)  # fmt: skip
def test_each_users_command_does_its_work_and_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    account_calls: list[tuple[Any, ...]],
    command: list[str],
    stdin: str,
    call: tuple[Any, ...],
    said: str,
):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert cli.main(["users", *command]) == 0
    assert account_calls == [call]
    assert capsys.readouterr() == (f"hubindex: {said}\n", "")


def test_activate_is_declared_as_another_name_of_enable(capsys: pytest.CaptureFixture[str]):
    parser = cli.parser()
    enable = parser.parse_args(["users", "enable", "op_user"])
    activate = parser.parse_args(["users", "activate", "op_user"])
    assert activate.run is enable.run
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["users", "--help"])
    assert exited.value.code == 0
    assert "enable (activate)" in capsys.readouterr().out


def test_every_users_command_of_the_table_is_listed_in_the_help(
    capsys: pytest.CaptureFixture[str],
):
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["users", "--help"])
    listed = capsys.readouterr().out
    assert all(f"    {command.name}" in listed for command in users.COMMANDS)
    assert {command.name for command in users.COMMANDS} == {
        "create", "list", "show", "disable", "enable", "delete", "set-password"
    }  # fmt: skip
