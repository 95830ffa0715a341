"""List what does not line up between the spec's operations and the hand-written handlers.

python scripts/lib/stubs.py             list them
python scripts/lib/stubs.py --strict    list them, and exit 1 if there are any

- operations still answered by a generated 501 stub (no handler yet);
- handlers that no operation calls any more: operationId ``module.name`` calls
  ``server.handlers.module.name``, so after a rename or a removal in the spec the old function
  stays behind. A handler is a public async function (the glue calls nothing else) defined in
  a public module of server/handlers/; private names (``_helper``, ``_docker.py``), plain
  functions and imported names are not.
"""

import importlib
import inspect
import pkgutil
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # this checkout's server and generated packages, in a copy too

from server.spec.checkout import shown  # noqa: E402

HANDLERS = "server.handlers"


def unused_handlers(operation_ids: Iterable[str]) -> list[str]:
    """``module.name (path:line)`` of each handler that no operationId names."""
    called = set(operation_ids)
    package = importlib.import_module(HANDLERS)
    unused = []
    for found in sorted(pkgutil.iter_modules(package.__path__), key=lambda found: found.name):
        if found.name.startswith("_"):
            continue
        module = importlib.import_module(f"{HANDLERS}.{found.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.iscoroutinefunction(value):
                continue
            if value.__module__ != module.__name__ or f"{found.name}.{name}" in called:
                continue
            where = Path(inspect.getfile(value))
            line = inspect.getsourcelines(value)[1]
            unused.append(f"{found.name}.{name} ({shown(where)}:{line})")
    return unused


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    # Starlette 1.10 deprecates the test client Connexion imports; that is not ours to fix.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from generated.operations import OPERATIONS

    stubs = [operation.operation_id for operation in OPERATIONS if operation.handler is None]
    unused = unused_handlers(operation.operation_id for operation in OPERATIONS)
    if not stubs:
        print(f"scripts/check: all {len(OPERATIONS)} operations have handlers")
    else:
        print(
            f"scripts/check: {len(stubs)} of {len(OPERATIONS)} operations answer 501 (no handler):"
        )
        for operation_id in stubs:
            print(f"  {operation_id}")
    if unused:
        label = "error" if strict else "warning"
        print(
            f"scripts/check: {label}: {len(unused)} handler(s) no operation calls (an operationId"
            " renamed or removed from the spec?):"
        )
        for handler in unused:
            print(f"  {handler}")
    return 1 if strict and (stubs or unused) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
