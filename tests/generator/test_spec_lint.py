"""scripts/lib/spec_lint.py (run by scripts/check) on the real spec and on edited copies."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

SPEC = ROOT / "spec" / "openapi.yaml"
LINT = ROOT / "scripts" / "lib" / "spec_lint.py"


def _lint(spec: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LINT), str(spec)], capture_output=True, text=True, check=False
    )


def _edited(tmp_path: Path, edit) -> Path:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    edit(spec)
    copy = tmp_path / "openapi.yaml"
    copy.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return copy


def test_the_real_spec_passes():
    result = _lint(SPEC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("field", ["summary", "description"])
def test_an_operation_without_a_summary_or_description_fails_and_is_named(tmp_path, field):
    spec = _edited(tmp_path, lambda s: s["paths"]["/v1/search"]["get"].pop(field))
    result = _lint(spec)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"GET /v1/search: missing {field}"]


def test_a_blank_summary_counts_as_missing(tmp_path):
    spec = _edited(tmp_path, lambda s: s["paths"]["/v1/users/"]["post"].update(summary="  "))
    result = _lint(spec)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["POST /v1/users/: missing summary"]


def _drop_client_errors(operation: dict) -> None:
    for code in [code for code in operation["responses"] if str(code).startswith("4")]:
        del operation["responses"][code]


def test_an_operation_without_4xx_responses_fails(tmp_path):
    spec = _edited(
        tmp_path,
        lambda s: _drop_client_errors(
            s["paths"]["/v1/repositories/{namespace}/{repository}/"]["put"]
        ),
    )
    result = _lint(spec)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "PUT /v1/repositories/{namespace}/{repository}/: missing error responses "
        "(no 4xx documented)"
    ]


def test_an_anonymous_operation_with_input_still_needs_4xx(tmp_path):
    """users.confirm needs no credentials but takes a code: a client can get that wrong."""
    spec = _edited(tmp_path, lambda s: _drop_client_errors(s["paths"]["/v1/users/confirm"]["get"]))
    result = _lint(spec)
    assert result.returncode == 1
    assert "GET /v1/users/confirm: missing error responses" in result.stdout


def test_ping_may_go_without_4xx_but_not_once_it_needs_credentials(tmp_path):
    def bare_ping(spec: dict) -> None:
        _drop_client_errors(spec["paths"]["/v1/_ping"]["get"])

    assert _lint(_edited(tmp_path, bare_ping)).returncode == 0

    def secure_ping(spec: dict) -> None:
        bare_ping(spec)
        spec["paths"]["/v1/_ping"]["get"]["security"] = [{"basicAuth": []}]

    result = _lint(_edited(tmp_path, secure_ping))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "GET /v1/_ping: missing error responses (no 4xx documented)"
    ]


def test_every_problem_is_listed(tmp_path):
    def strip(spec: dict) -> None:
        spec["paths"]["/v1/users/"]["get"].pop("summary")
        spec["paths"]["/v1/users/"]["get"].pop("description")
        _drop_client_errors(spec["paths"]["/v1/search"]["get"])

    result = _lint(_edited(tmp_path, strip))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "GET /v1/users/: missing summary",
        "GET /v1/users/: missing description",
        "GET /v1/search: missing error responses (no 4xx documented)",
    ]
    assert "3 documentation problem(s)" in result.stderr
