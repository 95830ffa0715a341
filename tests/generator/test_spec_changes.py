"""scripts/lib/spec_changes.py (scripts/changes, run by scripts/check with --check) on a git
repository of its own: a released spec, then edits of the working tree judged against it."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

SPEC = ROOT / "spec" / "openapi.yaml"
CHANGES = ROOT / "scripts" / "lib" / "spec_changes.py"


@pytest.fixture(scope="module", autouse=True)
def _optic() -> None:
    """Optic from package-lock.json, installed as scripts/check installs it."""
    node_tools = subprocess.run(
        [str(ROOT / "scripts" / "lib" / "node-tools")], capture_output=True, text=True, check=False
    )
    assert node_tools.returncode == 0, node_tools.stderr


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "PATH": "/usr/bin:/bin",
        },
    )


def _write(repo: Path, spec: dict[str, Any]) -> None:
    path = repo / "spec" / "openapi.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A repository whose one commit released the real spec as 1.0.0."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    spec["info"]["version"] = "1.0.0"
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _write(repo, spec)
    _git(repo, "add", "spec")
    _git(repo, "commit", "-q", "-m", "1.0.0")
    return repo, spec


def _changes(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHANGES), "--repo", str(repo), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_added_response_is_no_break(repo):
    path, spec = repo
    responses = spec["paths"]["/v1/_ping"]["get"]["responses"]
    responses["503"] = {"description": "Going away."}
    _write(path, spec)

    result = _changes(path, "--check")

    assert result.returncode == 0, result.stderr
    assert "no breaking change since" in result.stdout


def test_a_removed_operation_fails_the_check_with_its_name(repo):
    path, spec = repo
    del spec["paths"]["/v1/_ping"]
    _write(path, spec)

    result = _changes(path, "--check")

    assert result.returncode == 1
    assert "GET /v1/_ping: [prevent operation removal]" in result.stderr
    assert "need a new major info.version (now 1.0.0)" in result.stderr


def test_a_new_major_version_announces_the_break(repo):
    path, spec = repo
    del spec["paths"]["/v1/_ping"]
    spec["info"]["version"] = "2.0.0"
    _write(path, spec)

    result = _changes(path, "--check")

    assert result.returncode == 0, result.stderr
    assert "announced by info.version 2.0.0" in result.stdout
    # A minor version is no announcement.
    spec["info"]["version"] = "1.1.0"
    _write(path, spec)
    assert _changes(path, "--check").returncode == 1


def test_once_released_the_new_version_is_the_base_and_the_changelog_lists_both(repo):
    path, spec = repo
    del spec["paths"]["/v1/_ping"]
    spec["info"]["version"] = "2.0.0"
    _write(path, spec)
    _git(path, "commit", "-q", "-am", "2.0.0")

    assert "no breaking change since" in _changes(path, "--check").stdout

    sys.path.insert(0, str(CHANGES.parent))
    try:
        from spec_changes import changelog_page
    finally:
        sys.path.remove(str(CHANGES.parent))
    page = changelog_page(path, spec)
    assert page.index("<h2>2.0.0 (") < page.index("<h2>1.0.0 (")
    assert "<code>GET /v1/_ping</code>: [prevent operation removal]" in page
    assert "not released" not in page


def test_the_real_spec_has_no_unannounced_break():
    result = _changes(ROOT, "--check")
    assert result.returncode == 0, result.stderr


def test_nothing_published_changed_is_judged_without_optic(repo, monkeypatch):
    """Only the x- extensions and a minor version differ: the published documents are equal,
    so there is nothing for Optic to judge, and nothing to install for it."""
    path, spec = repo
    edited = yaml.safe_load(yaml.safe_dump(spec))
    edited["info"]["version"] = "1.1.0"
    edited["paths"]["/v1/_ping"]["get"]["x-hubindex-note"] = "not published"
    sys.path.insert(0, str(CHANGES.parent))
    try:
        import spec_changes
    finally:
        sys.path.remove(str(CHANGES.parent))
    monkeypatch.setattr(spec_changes, "OPTIC", path / "no-optic-here")

    def install() -> None:
        pytest.fail("Optic was installed for documents that publish the same API")

    monkeypatch.setattr(spec_changes, "_install_optic", install)
    report = spec_changes.compare(spec, edited)
    assert (report.text, report.operations, report.breaking) == (spec_changes.NO_CHANGES, [], {})
    assert not report.major_bumped

    _write(path, edited)
    checked = _changes(path, "--check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("scripts/changes: no breaking change since")
