"""A copy of the checkout to edit, and scripts/generate run in it."""

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

PYTHON = sys.executable


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the files scripts/generate reads and the server runs from."""
    copy = tmp_path / "checkout"
    for part in ("spec", "templates", "generated", "server", "scripts"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def generate(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, str(checkout / "scripts" / "lib" / "codegen.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=checkout,
    )


def edit_spec(checkout: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = checkout / "spec" / "openapi.yaml"
    spec = yaml.safe_load(path.read_text())
    edit(spec)
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
