"""scripts/lib/docs.py as a module (scripts/lib is no package)."""

import importlib.util
from types import ModuleType

from tests.conftest import ROOT


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hubindex_docs", ROOT / "scripts/lib/docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs = _load()
