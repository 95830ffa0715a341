"""Where a node of the spec is: a JSON pointer, and the line and column of the YAML it came from.

Every refusal of ``scripts/generate`` names the node at fault by its pointer (``/paths/~1v1~1users~1
/post/parameters/0/schema``) and the place of that node in the file, not the operation's line.
A refusal about part of an operation names its subject (a parameter, a body, a response, a
security scheme) and :func:`subject_at` finds where that is defined; :func:`position` turns a
pointer into ``(line, column)``.
"""

import functools
from typing import Any

import yaml

At = tuple[str | int, ...]


def pointer(at: At) -> str:
    """``at`` as a JSON pointer (RFC 6901): ``~`` as ``~0``, ``/`` as ``~1``."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in at)


def parts(ref: str) -> list[str]:
    """The parts of a local reference ``#/a/b~1c``: ``["a", "b/c"]``."""
    return [part.replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/")]


def position(text: str, at: At) -> tuple[int | None, int | None]:
    """Line and column (from 1) of the deepest node of ``at`` the document has: a mapping's
    entry by its key, a sequence's item by its first character."""
    node = _composed(text)
    if node is None:
        return None, None
    mark = node.start_mark
    for part in at:
        if isinstance(node, yaml.MappingNode):
            match = next((pair for pair in node.value if pair[0].value == str(part)), None)
            if match is None:
                break
            mark, node = match[0].start_mark, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


@functools.lru_cache(maxsize=2)
def _composed(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


def subject_at(spec: dict[str, Any], operation: At, subject: tuple[Any, ...] | None) -> At:
    """Where in the document the ``subject`` of a refusal about ``operation`` (``("paths",
    PATH, METHOD)``) is defined, a ``$ref`` followed to the component:

    - ``("parameter", NAME, IN, *rest)``: the parameter (the operation's, else its path
      item's), then ``rest`` (``"schema"``, ``"style"``);
    - ``("requestBody", *rest)`` and ``("response", STATUS, *rest)``: the body or the
      response, then ``rest`` (``"content", MEDIA_TYPE, "schema"``);
    - ``("security", SCHEME)``: the scheme in components, else the operation's requirement;
    - anything else, or nothing: below the operation itself.
    """
    if not subject:
        return operation
    kind, *rest = subject
    node = spec["paths"][operation[1]][operation[2]]
    if kind == "parameter":
        return _parameter_at(spec, operation, *rest)
    if kind == "requestBody":
        at, _ = _followed(spec, (*operation, "requestBody"), node.get("requestBody"))
        return (*at, *rest)
    if kind == "response":
        status, *rest = rest
        at: At = (*operation, "responses", status)
        if rest:  # the status itself, or what its response (perhaps a component) holds
            at, _ = _followed(spec, at, (node.get("responses") or {}).get(status))
        return (*at, *rest)
    if kind == "security":
        return _scheme_at(spec, operation, rest[0])
    return (*operation, *subject)


def _scheme_at(spec: dict[str, Any], operation: At, scheme: str) -> At:
    """The scheme in components, else the requirement naming it (the operation's or the root's)."""
    if scheme in ((spec.get("components") or {}).get("securitySchemes") or {}):
        return ("components", "securitySchemes", scheme)
    own = "security" in spec["paths"][operation[1]][operation[2]]
    return (*operation, "security") if own else ("security",)


def _parameter_at(spec: dict[str, Any], operation: At, name: str, location: str, *rest: Any) -> At:
    """The parameter of an operation (its own first, then its path item's), then ``rest``."""
    path_item = spec["paths"][operation[1]]
    for owner, holder in ((operation, path_item[operation[2]]), (operation[:2], path_item)):
        for index, parameter in enumerate(holder.get("parameters") or []):
            at, found = _followed(spec, (*owner, "parameters", index), parameter)
            if isinstance(found, dict) and (found.get("name"), found.get("in")) == (name, location):
                return (*at, *rest)
    return (*operation, "parameters")


def _followed(spec: dict[str, Any], at: At, node: Any) -> tuple[At, Any]:
    """``node`` at ``at``, or what its local ``$ref`` names, and where (a chain followed)."""
    seen = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            break
        seen.add(ref)
        target: Any = spec
        for part in parts(ref):
            if not isinstance(target, dict) or part not in target:
                return at, node
            target = target[part]
        at, node = tuple(parts(ref)), target
    return at, node
