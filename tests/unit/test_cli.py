"""The `hubindex` command's parts, their effects replaced: `serve`'s options reach uvicorn (no
server starts), `users create` applies the rules of a registration (no account is made)."""

import io
from typing import Any

import pytest

from server import cli


@pytest.fixture(autouse=True)
def _logging_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` configures logging for the process; in the test process that would change
    what later tests' log captures see (the access log at INFO level)."""
    monkeypatch.setattr(cli.logging.config, "dictConfig", lambda _config: None)


@pytest.fixture
def uvicorn_options(monkeypatch: pytest.MonkeyPatch, tmp_path) -> dict[str, Any]:
    monkeypatch.setenv("HUBINDEX_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    captured: dict[str, Any] = {}
    monkeypatch.setattr(cli.uvicorn, "run", lambda *_args, **options: captured.update(options))
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
    monkeypatch.setattr(cli, "create_user", lambda _settings, *args: calls.append(args))
    return calls


def _create(monkeypatch: pytest.MonkeyPatch, name: str, email: str, password: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli.main(["users", "create", name, "--email", email, "--password-stdin"])


def test_users_create_passes_a_valid_account_on(
    monkeypatch: pytest.MonkeyPatch, created: list[tuple[Any, ...]]
):
    assert _create(monkeypatch, "op_user", "op@example.com", "op-password") == 0
    assert created == [("op_user", "op@example.com", "op-password", False)]


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
