"""What the published API page (scripts/docs) shows beyond the public spec: a curl command and
a call of the typed Python client per operation, made from the spec alone (its parameters' and
bodies' examples, its security schemes by type), the spec's tag groups, and the reader's own
index as the server.

The samples go into the copy of the spec Redoc renders (``x-codeSamples``), never into the
published openapi.json, which stays free of extensions. They call ``BASE_URL`` until the reader
sets the address of their own index on the page (its script, page.js, rewrites them), and take
credentials from the environment: ``USERNAME`` and ``PASSWORD`` for Basic, ``TOKEN`` for a
token, ``API_KEY`` for any other key.
"""

import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its neighbours, when loaded by path

from python_samples import SampleError, authorization_word, python

from server.spec.document import operations

BASE_URL = "http://127.0.0.1:5000"
SERVER = "Your index (set its address in the field at the top of the page)"
# A curl command longer than this is written one option a line.
WIDTH = 72
ANONYMOUS = "**Anonymous requests are allowed**; credentials, when sent, must be right.\n\n"
# The samples' labels, in the order the page's tabs show them.
LABELS = ("curl", "Python")


class Shell(str):
    """A word of a curl command already quoted for the shell (it expands a variable)."""


@dataclass
class Request:
    """One operation's sample request, from the spec's examples."""

    method: str
    path: str
    arguments: dict[tuple[str, str], Any]  # by (in, name): path, query and header values
    media_type: str | None
    body: Any
    credentials: list[tuple[dict[str, Any], str]]  # (scheme, its name): one requirement's


def with_samples(public: dict[str, Any]) -> dict[str, Any]:
    """``public`` with ``x-codeSamples`` (curl, Python) on every operation (a new dict)."""
    spec = json.loads(json.dumps(public))
    for path, method, operation, item in operations(spec):
        request = sample_request(spec, path, method, operation, item)
        try:
            code = python(
                operation=operation,
                arguments=request.arguments,
                body=request.body,
                credentials=request.credentials,
                base_url=BASE_URL,
            )
        except SampleError as error:
            raise PageError(f"Python sample: {error}") from None
        operation["x-codeSamples"] = [
            {"lang": "Shell", "label": "curl", "source": curl(request)},
            {"lang": "Python", "label": "Python", "source": code},
        ]
    return spec


def sample_request(
    spec: dict[str, Any], path: str, method: str, operation: dict[str, Any], item: dict[str, Any]
) -> Request:
    """What the samples of an operation send: every parameter that is required or has an
    example of its own, the body's example (else one made from its schema), and the first
    security requirement's schemes (none where anonymous requests are allowed)."""
    parameters = {
        (p["in"], p["name"]): p
        for p in (
            _deref(spec, p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]
        )
    }
    arguments: dict[tuple[str, str], Any] = {}
    for key, parameter in parameters.items():
        if parameter.get("required") or "example" in parameter or parameter.get("examples"):
            value = _example(spec, parameter)
            if value is None:
                value = made_example(spec, parameter.get("schema", {}), parameter["name"])
            arguments[key] = value
    media_type, body = None, None
    if "requestBody" in operation:
        content = _deref(spec, operation["requestBody"]).get("content", {})
        media_type, media = next(iter(content.items()))
        body = _example(spec, media)
        if body is None:
            body = made_example(spec, media.get("schema", {}), "body")
    security = operation.get("security", spec.get("security", []))
    schemes = spec.get("components", {}).get("securitySchemes", {})
    credentials = (
        []
        if not security or {} in security
        else [(_deref(spec, schemes.get(name, {})), name) for name in security[0]]
    )
    return Request(method, path, arguments, media_type, body, credentials)


def made_example(spec: dict[str, Any], schema: dict[str, Any], name: str) -> Any:
    """A value of ``schema`` for a sample where the spec gives no example: its example,
    default or first enum value, else a placeholder of its type (a string: ``name`` in capitals)."""
    schema = _deref(spec, schema)
    given = [schema[key] for key in ("example", "default") if key in schema]
    given += schema.get("enum", [])[:1]
    parts = [*schema.get("allOf", []), *schema.get("oneOf", []), *schema.get("anyOf", [])]
    if given or parts:
        return given[0] if given else made_example(spec, parts[0], name)
    match schema.get("type"):
        case "object":
            value: Any = {
                key: made_example(spec, part, key)
                for key, part in schema.get("properties", {}).items()
                if key in schema.get("required", []) or "example" in _deref(spec, part)
            }
        case "array":
            value = [made_example(spec, schema.get("items", {}), name)]
        case "integer" | "number":
            value = schema.get("minimum", 1)
        case "boolean":
            value = True
        case _:
            value = name.upper().replace("-", "_")
    return value


def curl(request: Request) -> str:
    path = request.path
    query: list[str] = []
    words: list[str] = ["curl"]
    if request.method != "get":
        words += ["-X", request.method.upper()]
    for (where, name), value in request.arguments.items():
        text = value if isinstance(value, str) else json.dumps(value)
        match where:
            case "path":
                path = path.replace("{" + name + "}", text)
            case "query":
                query.append(f"{name}={text}")
            case "header":
                words += ["-H", f"{name}: {text}"]
            case "cookie":
                words += ["--cookie", f"{name}={text}"]
    credentials, credential_query = _credentials(request.credentials)
    words += credentials
    if request.media_type is not None:
        words += _body(request.media_type, request.body)
    # In double quotes: the page rewrites BASE_URL there; a key from the environment expands.
    url = _escaped(f"{BASE_URL}{path}")
    items = [*map(_escaped, query), *credential_query]
    if items:
        url += "?" + "&".join(items)
    quoted = [word if isinstance(word, Shell) else shlex.quote(word) for word in words]
    one_line = " ".join([*quoted, f'"{url}"'])
    if len(one_line) <= WIDTH:
        return one_line
    # One option (with its value) a line, as a reader would break it.
    method = quoted[1:3] if quoted[1:2] == ["-X"] else []
    lines = [" ".join(["curl", *method])]
    for word in quoted[1 + len(method) :]:
        if word.startswith("-"):
            lines.append(word)
        else:
            lines[-1] += f" {word}"
    lines.append(f'"{url}"')
    return " \\\n  ".join(lines)


def _body(media_type: str, example: Any) -> list[str]:
    """curl's words for a body: a form field by field (curl then sets the type, and for
    multipart its boundary), anything else as the text of its example."""
    form = {"application/x-www-form-urlencoded": "--data-urlencode", "multipart/form-data": "-F"}
    if media_type in form and isinstance(example, dict):
        fields = [
            (name, item)
            for name, value in example.items()
            for item in (value if isinstance(value, list) else [value])
        ]
        return [
            word
            for name, item in fields
            for word in (
                form[media_type],
                f"{name}={item if isinstance(item, str) else json.dumps(item)}",
            )
        ]
    text = example if isinstance(example, str) and "json" not in media_type else json.dumps(example)
    return ["-H", f"Content-Type: {media_type}", "-d", text]


def _escaped(text: str) -> str:
    """``text`` as the shell reads it back between double quotes."""
    for special in ("\\", '"', "$", "`"):
        text = text.replace(special, "\\" + special)
    return text


def _credentials(credentials: list[tuple[dict[str, Any], str]]) -> tuple[list[str], list[str]]:
    """The schemes' credentials, from the environment, as curl's words and query items."""
    words: list[str] = []
    query: list[str] = []
    for scheme, _name in credentials:
        kind, where = scheme.get("type"), scheme.get("in")
        http = str(scheme.get("scheme", "")).lower()
        if kind == "http" and http == "basic":
            words += ["-u", Shell('"$USERNAME:$PASSWORD"')]
        elif kind == "http" and http == "bearer":
            words += ["-H", Shell('"Authorization: Bearer $TOKEN"')]
        elif kind == "apiKey" and where == "header" and scheme["name"].lower() == "authorization":
            word = authorization_word(scheme)
            value = f"{word} $TOKEN" if word else "$TOKEN"
            words += ["-H", Shell(f'"{scheme["name"]}: {value}"')]
        elif kind == "apiKey" and where == "header":
            words += ["-H", Shell(f'"{scheme["name"]}: $API_KEY"')]
        elif kind == "apiKey" and where == "cookie":
            words += ["--cookie", Shell(f'"{scheme["name"]}=$API_KEY"')]
        elif kind == "apiKey" and where == "query":
            query.append(f"{scheme['name']}=$API_KEY")
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
    """What Redoc renders: ``public`` with code samples on every operation, the spec's tag
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
    # An address, not a `{index}` variable: Redoc would show that one resolved against the
    # page's own location (file:///.../{index}). page.js swaps it for the reader's.
    page["servers"] = [{"url": BASE_URL, "description": SERVER}]
    return page
