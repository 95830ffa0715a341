"""``hubindex backup`` and ``restore`` on real SQLite files: each refusal is one ``hubindex:``
line and exit status 1, and a failed backup leaves no file behind."""

import sqlite3
from pathlib import Path

import pytest

from server.cli import main as cli
from server.errors import BackupError, CommandError, HubIndexError


@pytest.fixture(autouse=True)
def _logging_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.logging.config, "dictConfig", lambda _config: None)


def _run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("HUBINDEX_DATABASE_URL", url)
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "hubindex.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE accounts (name TEXT)")
        connection.execute("INSERT INTO accounts VALUES ('alice')")
    return path


def test_backup_error_is_a_command_error_of_the_server_s_tree():
    assert BackupError.__mro__[1:3] == (CommandError, HubIndexError)


def test_a_backup_copies_the_database_and_refuses_to_overwrite(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database: Path, tmp_path
):
    copy = tmp_path / "copy.db"
    status, out, err = _run(monkeypatch, capsys, f"sqlite:///{database}", "backup", str(copy))
    assert (status, err) == (0, "")
    assert out == f"hubindex: backed up {database} to {copy} ({copy.stat().st_size} bytes)\n"
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT name FROM accounts").fetchall() == [("alice",)]
    again = _run(monkeypatch, capsys, f"sqlite:///{database}", "backup", str(copy))
    assert again == (1, "", f"hubindex: {copy} exists: name a new file\n")


def test_a_backup_that_cannot_be_written_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database: Path, tmp_path
):
    target = tmp_path / "missing-folder" / "copy.db"
    status, out, err = _run(monkeypatch, capsys, f"sqlite:///{database}", "backup", str(target))
    assert (status, out) == (1, "")
    assert err.startswith(f"hubindex: cannot back up {database} to {target}: ")
    assert err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hubindex.db"]


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_an_in_memory_database_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path, command: str
):
    result = _run(monkeypatch, capsys, "sqlite:///:memory:", command, str(tmp_path / "x.db"))
    assert result == (
        1,
        "",
        "hubindex: an in-memory SQLite database has nothing to back up or restore\n",
    )


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("backup", "hubindex: PostgreSQL is backed up with its own tool: pg_dump --format=custom"
                   " --file=/b/x.dump 'postgresql://hub:***@db.internal/hub' (restore with"
                   " pg_restore --clean --dbname=...)\n"),
        ("restore", "hubindex: PostgreSQL is restored with its own tool: pg_restore --clean"
                    " --dbname='postgresql://hub:***@db.internal/hub' /b/x.dump\n"),
    ],
)  # fmt: skip
def test_postgresql_names_its_own_tool_without_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str, said: str
):
    url = "postgresql+psycopg://hub:db-secret@db.internal/hub"
    assert _run(monkeypatch, capsys, url, command, "/b/x.dump") == (1, "", said)


def test_a_restore_from_a_missing_file_is_refused_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
):
    target = tmp_path / "hubindex.db"
    missing = tmp_path / "no-such.db"
    result = _run(monkeypatch, capsys, f"sqlite:///{target}", "restore", str(missing))
    assert result == (1, "", f"hubindex: {missing}: no such file\n")
    assert not target.exists()


def test_a_restore_of_a_database_that_is_not_hubindex_s_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database: Path, tmp_path
):
    target = tmp_path / "target.db"
    result = _run(monkeypatch, capsys, f"sqlite:///{target}", "restore", str(database))
    assert result == (1, "", f"hubindex: {database} is not a hubindex database\n")
    assert not target.exists()
