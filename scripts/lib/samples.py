"""What the published API page (scripts/docs) shows beyond the public spec: a curl command per
operation, made from the spec alone (its parameters' and bodies' examples, its security schemes
by type), the spec's tag groups, and the reader's own index as the server.

The samples go into the copy of the spec Redoc renders (``x-codeSamples``), never into the
published openapi.json, which stays free of extensions. They call ``$INDEX``, the reader's own
index (the page's introduction says to set it).
"""

import json
import shlex
from typing import Any

from server.spec.document import operations

INDEX = "$INDEX"
ANONYMOUS = "**Anonymous requests are allowed**; credentials, when sent, must be right.\n\n"


def with_samples(public: dict[str, Any]) -> dict[str, Any]:
    """``public`` with an ``x-codeSamples`` curl entry on every operation (a new dict)."""
    spec = json.loads(json.dumps(public))
    for path, method, operation, item in operations(spec):
        parameters = [
            _deref(spec, p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]
        ]
        security = operation.get("security", spec.get("security", []))
        operation["x-codeSamples"] = [
            {
                "lang": "Shell",
                "label": "curl",
                "source": curl(
                    spec,
                    path=path,
                    method=method,
                    operation=operation,
                    parameters=parameters,
                    security=security,
                ),
            }
        ]
    return spec


def curl(
    spec: dict[str, Any],
    *,
    path: str,
    method: str,
    operation: dict[str, Any],
    parameters: list[dict[str, Any]],
    security: list[dict[str, list[str]]],
) -> str:
    query: list[str] = []
    words = ["curl"]
    if method != "get":
        words += ["-X", method.upper()]
    for parameter in parameters:
        value = _example(spec, parameter)
        if value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        match parameter["in"]:
            case "path":
                path = path.replace("{" + parameter["name"] + "}", text)
            case "query" if parameter.get("required") or "example" in parameter:
                query.append(f"{parameter['name']}={text}")
            case "header":
                words += ["-H", f"{parameter['name']}: {text}"]
    credentials, credential_query = _credentials(spec, security)
    words += credentials
    query += credential_query
    body = operation.get("requestBody")
    if body is not None:
        media_type, media = next(iter(_deref(spec, body).get("content", {}).items()))
        example = _example(spec, media)
        words += ["-H", f"Content-Type: {media_type}"]
        if example is not None:
            words += [
                "-d",
                example
                if isinstance(example, str) and "json" not in media_type
                else json.dumps(example),
            ]
    url = f"{INDEX}{path}" + (f"?{'&'.join(query)}" if query else "")
    return " ".join([*map(shlex.quote, words), f'"{url}"'])


def _credentials(
    spec: dict[str, Any], security: list[dict[str, list[str]]]
) -> tuple[list[str], list[str]]:
    """The first way the operation accepts, by each scheme's type, as curl's words and query
    items; none when anonymous requests are allowed."""
    if not security or {} in security:
        return [], []
    schemes = spec.get("components", {}).get("securitySchemes", {})
    words: list[str] = []
    query: list[str] = []
    for name in security[0]:
        scheme = _deref(spec, schemes.get(name, {}))
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic":
            words += ["-u", "alice:PASSWORD"]
        elif scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
            words += ["-H", "Authorization: Bearer TOKEN"]
        elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            value = "Token TOKEN" if scheme.get("name", "").lower() == "authorization" else "KEY"
            words += ["-H", f"{scheme['name']}: {value}"]
        elif scheme.get("type") == "apiKey" and scheme.get("in") == "cookie":
            words += ["--cookie", f"{scheme['name']}=KEY"]
        elif scheme.get("type") == "apiKey" and scheme.get("in") == "query":
            query.append(f"{scheme['name']}=KEY")
    return words, query


def _example(spec: dict[str, Any], node: dict[str, Any]) -> Any:
    """The first example of a parameter or a media type: its own, else its schema's."""
    if "example" in node:
        return node["example"]
    for example in node.get("examples", {}).values():
        return _deref(spec, example).get("value")
    return _deref(spec, node.get("schema", {})).get("example")


def _deref(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


class PageError(Exception):
    """What makes the page's extras wrong; one line."""


def for_page(spec: dict[str, Any], public: dict[str, Any]) -> dict[str, Any]:
    """What Redoc renders: ``public`` with a curl sample on every operation, the spec's tag
    groups (``x-tagGroups``), and the reader's index as the server."""
    page = with_samples(public)
    for _path, _method, operation, _item in operations(page):
        if {} in operation.get("security", page.get("security", [])):
            # Redoc lists the schemes an operation accepts, never that it needs none.
            operation["description"] = ANONYMOUS + operation.get("description", "")
    groups = spec.get("x-tagGroups")
    if groups:
        grouped = {tag for group in groups for tag in group.get("tags", [])}
        used = {
            tag for _p, _m, operation, _i in operations(page) for tag in operation.get("tags", [])
        }
        if missing := sorted(used - grouped):
            raise PageError(
                f"x-tagGroups: tags {', '.join(missing)} are in no group: the page would hide them"
            )
        page["x-tagGroups"] = groups
    page["servers"] = [
        {
            "url": "{index}",
            "description": "Your index (in the code samples: $INDEX)",
            "variables": {
                "index": {"default": "http://127.0.0.1:5000", "description": "Your index's address"}
            },
        }
    ]
    return page
