"""What the server and the scripts read alike from an OpenAPI document.

The server may not import ``scripts/``; the generator, the documentation check and the docs
build import this module instead of each keeping their own copy.
"""

from collections.abc import Iterator
from typing import Any

# The operations of a path item, in the order the generator writes them.
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """``(path, method, operation, path item)`` for every operation, paths in document order.

    Tolerates a document that is not valid (yet): a path item or an operation that is not a
    mapping is skipped, so that a check can run before the validator has had its say.
    """
    paths = spec.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield path, method, operation, item
