"""What scripts/generate would write as generated/requests.py for a spec, loaded as a module."""

import importlib.util
import sys
import types
from typing import Any

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("codegen", ROOT / "scripts" / "lib" / "codegen.py")
assert _spec is not None
assert _spec.loader is not None
codegen = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("codegen", codegen)
_spec.loader.exec_module(codegen)


def compiled(spec: dict[str, Any]) -> types.ModuleType:
    module = types.ModuleType("compiled_requests")
    exec(compile(codegen.render_requests(spec), "<requests.py>", "exec"), module.__dict__)
    return module
