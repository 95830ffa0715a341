"""What a valid OpenAPI document can still get wrong, checked by ``scripts/generate``.

openapi-spec-validator checks each part of the document against the OpenAPI schema; it does not
check the parts against each other. This module does, before anything is generated or served:

- the document is OpenAPI 3.0 (Connexion 3.3 loads no other; 3.1 is refused on its ``openapi``
  field rather than by a stack trace);
- every ``example`` and every value of ``examples`` (of a parameter, a header, a media type, a
  schema at any depth) is valid against its schema: Schemathesis sends them as valid requests
  and the published docs show them;
- every link names an operation that exists (``operationId``, or a local ``operationRef``),
  only parameters that operation has, and reads from the request and response only what they
  have (``$request.path.NAME``, ``$request.body#/field``, ``$response.body#/field``).

Each problem is ``(at, message)``: ``at`` is the path to the node at fault, as in a JSON pointer
(scripts/lib/spec_positions.py), which the generator prints with its line and column.
"""

from collections.abc import Iterator
from typing import Any

from spec_positions import At, parts

Problem = tuple[At, str]
SUPPORTED_VERSION = "3.0."
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")
# A schema's subschemas, by the keyword that holds them (one, a list, or a mapping).
_ONE = ("items", "not", "additionalProperties")
_LIST = ("allOf", "anyOf", "oneOf")
_MAPPING = ("properties",)


def version(spec: dict[str, Any]) -> Iterator[Problem]:
    """The one problem a document of another OpenAPI version has, on its ``openapi`` field."""
    value = spec.get("openapi")
    if isinstance(value, str) and not value.startswith(SUPPORTED_VERSION):
        yield (
            ("openapi",),
            f"OpenAPI {value} is not supported: write an OpenAPI 3.0.x document"
            " (Connexion 3.3, which serves it, loads 3.0 only)",
        )


def problems(spec: dict[str, Any]) -> Iterator[Problem]:
    """Every example that contradicts its schema, then every broken link."""
    seen: set[Problem] = set()
    for problem in (*examples(spec), *links(spec)):
        if problem not in seen:
            seen.add(problem)
            yield problem


# --- Examples -------------------------------------------------------------------------------


def examples(spec: dict[str, Any]) -> Iterator[Problem]:
    components = spec.get("components") or {}
    for name, schema in _items(components.get("schemas")):
        yield from _schema_examples(spec, schema, ("components", "schemas", name))
    for kind in ("parameters", "headers"):
        for name, node in _items(components.get(kind)):
            yield from _holder_examples(spec, node, ("components", kind, name))
    for name, body in _items(components.get("requestBodies")):
        yield from _content_examples(spec, body, ("components", "requestBodies", name))
    for name, response in _items(components.get("responses")):
        yield from _response_examples(spec, response, ("components", "responses", name))
    for path, item in _items(spec.get("paths")):
        for index, parameter in enumerate(_list(item.get("parameters"))):
            yield from _holder_examples(spec, parameter, ("paths", path, "parameters", index))
        for method, operation in _operations(item):
            at = ("paths", path, method)
            for index, parameter in enumerate(_list(operation.get("parameters"))):
                yield from _holder_examples(spec, parameter, (*at, "parameters", index))
            if isinstance(operation.get("requestBody"), dict):
                yield from _content_examples(spec, operation["requestBody"], (*at, "requestBody"))
            for status, response in _items(operation.get("responses")):
                yield from _response_examples(spec, response, (*at, "responses", status))


def _response_examples(spec: dict[str, Any], response: Any, at: At) -> Iterator[Problem]:
    if not isinstance(response, dict) or "$ref" in response:
        return  # checked where it is defined
    yield from _content_examples(spec, response, at)
    for name, header in _items(response.get("headers")):
        yield from _holder_examples(spec, header, (*at, "headers", name))


def _content_examples(spec: dict[str, Any], holder: Any, at: At) -> Iterator[Problem]:
    if not isinstance(holder, dict) or "$ref" in holder:
        return
    for media_type, media in _items(holder.get("content")):
        yield from _holder_examples(spec, media, (*at, "content", media_type))


def _holder_examples(spec: dict[str, Any], holder: Any, at: At) -> Iterator[Problem]:
    """A parameter, a header or a media type: its examples against its schema, then the
    schema's own."""
    if not isinstance(holder, dict) or "$ref" in holder:
        return
    schema = holder.get("schema")
    if isinstance(schema, dict):
        if "example" in holder:
            yield from _mismatch(spec, schema, holder["example"], (*at, "example"))
        for name, written in _items(holder.get("examples")):
            example_at, example = _resolved(spec, written, (*at, "examples", name))
            if isinstance(example, dict) and "value" in example:
                yield from _mismatch(spec, schema, example["value"], (*example_at, "value"))
        yield from _schema_examples(spec, schema, (*at, "schema"))
    for media_type, media in _items(holder.get("content")):
        yield from _holder_examples(spec, media, (*at, "content", media_type))


def _schema_examples(spec: dict[str, Any], schema: Any, at: At) -> Iterator[Problem]:
    if not isinstance(schema, dict) or "$ref" in schema:
        return  # a named schema is checked in components
    if "example" in schema:
        yield from _mismatch(spec, schema, schema["example"], (*at, "example"))
    for keyword in _ONE:
        yield from _schema_examples(spec, schema.get(keyword), (*at, keyword))
    for keyword in _LIST:
        for index, subschema in enumerate(_list(schema.get(keyword))):
            yield from _schema_examples(spec, subschema, (*at, keyword, index))
    for keyword in _MAPPING:
        for name, subschema in _items(schema.get(keyword)):
            yield from _schema_examples(spec, subschema, (*at, keyword, name))


def _mismatch(
    spec: dict[str, Any], schema: dict[str, Any], value: Any, at: At
) -> Iterator[Problem]:
    """The example ``value`` against ``schema`` in OpenAPI 3.0's flavour of JSON Schema
    (``nullable``, formats), its references resolved in the whole document."""
    from jsonschema.exceptions import best_match
    from openapi_schema_validator import OAS30Validator

    root = {**schema, "components": spec.get("components") or {}}
    validator = OAS30Validator(root, format_checker=OAS30Validator.FORMAT_CHECKER)
    error = best_match(validator.iter_errors(value))
    if error is not None:
        words = error.message if len(error.message) <= 120 else error.message[:117] + "..."
        yield (*at, *error.absolute_path), f"the example contradicts its schema: {words}"


# --- Links ------------------------------------------------------------------------------------


def links(spec: dict[str, Any]) -> Iterator[Problem]:
    """Each link of each operation's responses, read in the context of that operation."""
    by_id = {
        operation["operationId"]: (("paths", path, method), operation, item)
        for path, item in _items(spec.get("paths"))
        for method, operation in _operations(item)
        if isinstance(operation.get("operationId"), str)
    }
    for path, item in _items(spec.get("paths")):
        for method, operation in _operations(item):
            source = (operation, item)
            for status, written in _items(operation.get("responses")):
                response_at, response = _resolved(
                    spec, written, ("paths", path, method, "responses", status)
                )
                if not isinstance(response, dict):
                    continue
                for name, link_written in _items(response.get("links")):
                    link_at, link = _resolved(spec, link_written, (*response_at, "links", name))
                    if isinstance(link, dict):
                        yield from _link(spec, by_id, (*source, response), link, link_at)


def _link(
    spec: dict[str, Any],
    by_id: dict[str, tuple[At, dict[str, Any], dict[str, Any]]],
    context: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
    link: dict[str, Any],
    at: At,
) -> Iterator[Problem]:
    """One link, read in ``context``: the operation, its path item and the response."""
    operation, item, response = context
    source = operation, item
    target: tuple[dict[str, Any], dict[str, Any]] | None = None
    if isinstance(link.get("operationId"), str):
        found = by_id.get(link["operationId"])
        if found is None:
            yield (
                (*at, "operationId"),
                f"the link names operationId {link['operationId']!r}, "
                + ("which no operation has"),
            )
        else:
            target = found[1], found[2]
    elif isinstance(link.get("operationRef"), str):
        ref = link["operationRef"]
        node = _node(spec, ref) if ref.startswith("#/paths/") else None
        if not isinstance(node, dict) or len(parts(ref)) != 3:
            yield (*at, "operationRef"), f"the link's operationRef {ref!r} names no operation here"
        else:
            target = node, spec["paths"][parts(ref)[1]]
    for key, value in _items(link.get("parameters")):
        if target is not None and not _has_parameter(spec, *target, key):
            where = "" if "." not in key else " there"
            yield (*at, "parameters", key), f"the linked operation has no parameter {key!r}{where}"
        yield from _expression(spec, source, response, value, (*at, "parameters", key))
    if "requestBody" in link:
        yield from _expression(spec, source, response, link["requestBody"], (*at, "requestBody"))


def _has_parameter(
    spec: dict[str, Any], operation: dict[str, Any], item: dict[str, Any], key: str
) -> bool:
    location, dot, name = key.partition(".")
    if not dot or location not in PARAMETER_LOCATIONS:
        location, name = "", key
    for written in (*_list(item.get("parameters")), *_list(operation.get("parameters"))):
        _, parameter = _resolved(spec, written, ())
        if (
            isinstance(parameter, dict)
            and parameter.get("name") == name
            and (not location or parameter.get("in") == location)
        ):
            return True
    return False


def _expression(
    spec: dict[str, Any],
    source: tuple[dict[str, Any], dict[str, Any]],
    response: dict[str, Any],
    value: Any,
    at: At,
) -> Iterator[Problem]:
    """A runtime expression that reads what the request or the response does not have."""
    if not isinstance(value, str) or not value.startswith("$"):
        return  # a constant
    operation, item = source
    head, _, pointer = value.partition("#")
    if head in ("$url", "$method", "$statusCode") or head.startswith("$response.header."):
        return
    for location in ("path", "query", "header"):
        prefix = f"$request.{location}."
        if head.startswith(prefix):
            if not _has_parameter(spec, operation, item, f"{location}.{head[len(prefix) :]}"):
                yield at, f"{value!r}: the operation has no {location} parameter of that name"
            return
    if head in ("$request.body", "$response.body"):
        holder = operation.get("requestBody") if head == "$request.body" else response
        _, holder = _resolved(spec, holder, ())
        schemas = [
            media.get("schema")
            for _, media in _items((holder or {}).get("content"))
            if isinstance(media, dict)
        ]
        if not any(_schema_has(spec, schema, _pointer_parts(pointer)) for schema in schemas):
            yield at, f"{value!r}: the {head[1:].replace('.', ' ')} has no such field"
        return
    yield at, f"{value!r} is not a runtime expression hubindex's tools read"


def _pointer_parts(pointer: str) -> list[str]:
    return [] if pointer in ("", "/") else parts("#" + pointer)


def _schema_has(spec: dict[str, Any], schema: Any, path: list[str]) -> bool:
    """Whether a value of ``schema`` can have something at ``path``."""
    _, schema = _resolved(spec, schema, ())
    if not isinstance(schema, dict):
        return False
    if not path:
        return True
    for combined in _LIST:
        if any(_schema_has(spec, part, path) for part in _list(schema.get(combined))):
            return True
    head, rest = path[0], path[1:]
    properties = schema.get("properties") or {}
    if head in properties:
        return _schema_has(spec, properties[head], rest)
    if head.isdigit() and "items" in schema:
        return _schema_has(spec, schema["items"], rest)
    extra = schema.get("additionalProperties")
    return isinstance(extra, dict) and _schema_has(spec, extra, rest)


# --- The document ------------------------------------------------------------------------------


def _resolved(spec: dict[str, Any], node: Any, at: At) -> tuple[At, Any]:
    """``node`` at ``at``, or what its local ``$ref`` names, and where."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            break
        seen.add(ref)
        at, node = _followed(spec, ref)
    return at, node


def _followed(spec: dict[str, Any], ref: str) -> tuple[At, Any]:
    return tuple(parts(ref)), _node(spec, ref)


def _node(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in parts(ref):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def _items(node: Any) -> list[tuple[str, Any]]:
    return [(str(key), value) for key, value in node.items()] if isinstance(node, dict) else []


def _list(node: Any) -> list[Any]:
    return node if isinstance(node, list) else []


def _operations(item: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    from server.spec.document import HTTP_METHODS

    if isinstance(item, dict):
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield method, item[method]
