"""List the operations of the spec still answered by a generated 501 stub (no handler yet).

python scripts/lib/stubs.py             list them
python scripts/lib/stubs.py --strict    list them, and exit 1 if there are any
"""

import sys
import warnings


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    # Starlette 1.10 deprecates the test client Connexion imports; that is not ours to fix.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from generated.operations import OPERATIONS

    stubs = [operation.operation_id for operation in OPERATIONS if operation.handler is None]
    if not stubs:
        print(f"scripts/check: all {len(OPERATIONS)} operations have handlers")
        return 0
    print(f"scripts/check: {len(stubs)} of {len(OPERATIONS)} operations answer 501 (no handler):")
    for operation_id in stubs:
        print(f"  {operation_id}")
    return 1 if strict else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
