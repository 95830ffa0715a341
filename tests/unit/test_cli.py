"""`hubindex serve`'s options reach uvicorn (uvicorn itself is replaced: no server starts)."""

from typing import Any

import pytest

from server import cli
from server.checkout import ROOT


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


def test_reload_watches_the_handlers_the_generated_tree_and_the_spec(
    uvicorn_options: dict[str, Any],
):
    assert cli.main(["serve", "--reload"]) == 0
    assert uvicorn_options["reload"] is True
    assert uvicorn_options["reload_dirs"] == [
        str(ROOT / "server"),
        str(ROOT / "generated"),
        str(ROOT / "spec"),
    ]
    assert set(uvicorn_options["reload_includes"]) == {"*.py", "openapi.yaml", "sources.sha256"}


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
        cli.freshness, "stale", lambda: "spec/openapi.yaml changed since scripts/generate ran"
    )
    assert cli.main(["serve"]) == 1
    assert uvicorn_options == {}
    assert capsys.readouterr().err == (
        "hubindex: generated/ is stale: spec/openapi.yaml changed since scripts/generate ran;"
        " run scripts/generate\n"
    )


def test_the_factory_uvicorn_calls_refuses_a_stale_tree_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """What a worker started by --reload does after an edit of the spec alone."""
    monkeypatch.setattr(cli.freshness, "stale", lambda: "templates/x.jinja changed")
    with pytest.raises(SystemExit) as exited:
        cli.create_app_for_uvicorn()
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "hubindex: generated/ is stale: templates/x.jinja changed; run scripts/generate\n"
    )
