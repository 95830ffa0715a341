"""`hubindex serve`'s options reach uvicorn (uvicorn itself is replaced: no server starts)."""

from typing import Any

import pytest

from server import cli


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
