"""Pure steps that every app of a test run repeats on the same spec, done once per run.

``create_app`` parses ``spec/openapi.yaml`` and Connexion validates the document against the
OpenAPI schema: together most of an app's start-up, the same work on the same bytes for each
of the hundreds of apps the functional layers start. Both are pure, so the test process keeps
their outcome: a parsed document per text (each caller gets its own deep copy, since Connexion
edits what it is handed), and the documents that validated. A document not seen before is
parsed and validated as always, and an invalid one raises every time.
"""

import copy
import hashlib
import json
from typing import Any

import yaml
from connexion.spec import Specification

# Only documents this large are kept: a spec, not the small snippets tests parse.
MIN_CACHED_CHARS = 4096

_parsed: dict[str, Any] = {}
_valid: set[str] = set()


def install() -> None:
    """Memoise ``yaml.safe_load`` of large texts and Connexion's spec validation."""
    if getattr(yaml.safe_load, "memoised", False):
        return
    original_load = yaml.safe_load
    original_validate = Specification._validate_spec.__func__  # type: ignore[attr-defined]

    def safe_load(stream: Any) -> Any:
        if not isinstance(stream, str) or len(stream) < MIN_CACHED_CHARS:
            return original_load(stream)
        key = _digest(stream)
        if key not in _parsed:
            _parsed[key] = original_load(stream)
        return copy.deepcopy(_parsed[key])

    def validate_spec(cls: type[Specification], spec: dict[str, Any]) -> None:
        key = cls.__qualname__ + ":" + _digest(json.dumps(spec, sort_keys=True, default=repr))
        if key in _valid:
            return
        original_validate(cls, spec)
        _valid.add(key)

    safe_load.memoised = True  # type: ignore[attr-defined]
    yaml.safe_load = safe_load
    Specification._validate_spec = classmethod(validate_spec)  # type: ignore[assignment, method-assign]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
