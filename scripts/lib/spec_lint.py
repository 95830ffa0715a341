"""Fail when an operation of the spec is not documented well enough to publish (scripts/check).

python scripts/lib/spec_lint.py [SPEC]    SPEC defaults to spec/openapi.yaml

Every operation needs a summary, a description and at least one documented 4xx response. Only an
operation that needs no credentials (its security is empty) and takes no parameters and no body,
such as GET /v1/_ping, may go without a 4xx. Each problem is printed as `METHOD PATH: missing
...`; the exit status is 1 when there is any.
"""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # this checkout's server package, in a copy of it too

from server.spec.document import operations  # noqa: E402


def problems(spec: dict[str, Any]) -> Iterator[str]:
    """Each problem of ``spec``, as ``METHOD PATH: missing ...``."""
    root_security = spec.get("security", [])
    for path, method, operation, item in operations(spec):
        where = f"{method.upper()} {path}"
        for field in ("summary", "description"):
            if not _text(operation.get(field)):
                yield f"{where}: missing {field}"
        if not _has_client_error(operation) and not _may_go_without(
            operation, item.get("parameters") or [], root_security
        ):
            yield f"{where}: missing error responses (no 4xx documented)"


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _has_client_error(operation: dict[str, Any]) -> bool:
    responses = operation.get("responses") or {}
    return any(str(code).upper().startswith("4") for code in responses)


def _may_go_without(
    operation: dict[str, Any], shared_parameters: list[Any], root_security: list[Any]
) -> bool:
    """No credentials, no parameters, no body: nothing a client can get wrong."""
    security = operation.get("security", root_security) or []
    needs_credentials = any(requirement for requirement in security)
    takes_input = bool(operation.get("parameters") or shared_parameters) or bool(
        operation.get("requestBody")
    )
    return not needs_credentials and not takes_input


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / "spec" / "openapi.yaml"
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        print(f"spec_lint: {error}", file=sys.stderr)
        return 2
    found = list(problems(spec if isinstance(spec, dict) else {}))
    for problem in found:
        print(problem)
    if found:
        print(
            f"scripts/check: {len(found)} documentation problem(s) in {path.name}: every "
            "operation needs a summary, a description and its 4xx responses",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
