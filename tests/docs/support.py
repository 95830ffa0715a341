"""scripts/lib/docs.py and scripts/lib/samples.py as modules (scripts/lib is no package)."""

import importlib.util
from types import ModuleType

from tests.conftest import ROOT


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"hubindex_{name}", ROOT / f"scripts/lib/{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs = _load("docs")
samples = _load("samples")
