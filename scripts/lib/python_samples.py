"""A Python sample per operation for the published page (scripts/docs): the call of the typed
client (generated/client, ``generated.client``) that makes the request the curl sample makes.

The names come from the client itself: its module for the operation is found the way
openapi-python-client names it (the operation's first tag, its operationId), and the module's
``sync_detailed`` says which keyword each parameter takes and which model a body is. The
values are the spec's examples, made into the client's models by their own ``from_dict``, then
written back as the constructor calls a reader would type. Credentials come from the
environment, as in the curl samples: ``USERNAME`` and ``PASSWORD`` for Basic, ``TOKEN`` for a
token, ``API_KEY`` for another key.
"""

import datetime
import enum
import importlib
import json
import re
import subprocess
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from openapi_python_client.config import ConfigFile
from openapi_python_client.strings import PythonIdentifier

CLIENT = "generated.client"
# The prefix openapi-python-client gives a name that is no Python identifier (its default).
FIELD_PREFIX = ConfigFile.model_fields["field_prefix"].default
# The width the page's code panel shows without scrolling; ruff formats the samples to it.
WIDTH = 72
RUFF = Path(sys.executable).parent / "ruff"


class SampleError(Exception):
    """The client has no call for an operation, or a value it cannot write; one line."""


def module_name(operation: dict[str, Any]) -> str:
    """The client's module for ``operation``, as openapi-python-client places it."""
    tag = PythonIdentifier((operation.get("tags") or ["default"])[0], "tag")
    return f"{CLIENT}.api.{tag}.{PythonIdentifier(operation['operationId'], FIELD_PREFIX)}"


def python(
    *,
    operation: dict[str, Any],
    arguments: dict[tuple[str, str], Any],
    body: Any,
    credentials: list[tuple[dict[str, Any], str]],
    base_url: str,
) -> str:
    """The sample: ``arguments`` are the parameters' values by (in, name), ``body`` the request
    body's value (None: no body), ``credentials`` the schemes of one security requirement."""
    full = module_name(operation)
    try:
        module = importlib.import_module(full)
    except ImportError:
        raise SampleError(
            f"{operation['operationId']}: the client has no module {full}: run scripts/generate"
        ) from None
    call = module.sync_detailed
    hints = typing.get_type_hints(call)
    names = {"os"} if credentials else set()
    imports: dict[str, set[str]] = {}
    keywords: list[tuple[str, str]] = []
    for (where, name), value in arguments.items():
        keyword = _keyword(hints, name, where, operation["operationId"])
        keywords.append((keyword, _value(value, hints[keyword], imports)))
    if body is not None:
        keywords.append(("body", _value(body, hints["body"], imports)))
    client, client_class = _client(credentials, base_url, names)
    imports.setdefault(CLIENT, set()).add(client_class)
    tag_package, function = full.rsplit(".", 1)
    imports.setdefault(tag_package, set()).add(function)
    lines = [f"import {name}" for name in sorted(names)]
    if lines:
        lines.append("")
    lines += [
        f"from {package} import {', '.join(sorted(imports[package]))}"
        for package in sorted(imports)
    ]
    lines += ["", *client]
    lines += [
        f"    {line}"
        for line in _call(f"response = {function}.sync_detailed", [*keywords, ("client", "client")])
    ]
    lines.append("print(response.status_code, response.parsed)")
    return formatted("\n".join(lines) + "\n")


def formatted(code: str) -> str:
    """``code`` as ruff formats it, WIDTH wide, whatever the project's own settings."""
    result = subprocess.run(  # noqa: S603 - the pinned ruff from the virtualenv
        [str(RUFF), "format", "--isolated", f"--line-length={WIDTH}", "-"],
        input=code,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SampleError(f"ruff cannot format a sample: {result.stderr.strip()}\n{code}")
    return result.stdout


def _keyword(hints: dict[str, Any], name: str, where: str, operation_id: str) -> str:
    """The keyword of the parameter ``name`` (in ``where``): its Python name, or with its
    location appended where two parameters had the same one."""
    for keyword in (
        PythonIdentifier(name, FIELD_PREFIX),
        f"{PythonIdentifier(name, FIELD_PREFIX)}_{where}",
    ):
        if keyword in hints:
            return keyword
    raise SampleError(f"{operation_id}: the client's call takes no keyword for {where} {name!r}")


def _client(
    credentials: list[tuple[dict[str, Any], str]], base_url: str, names: set[str]
) -> tuple[list[str], str]:
    """The lines that make ``client``, and its class: Client, or AuthenticatedClient for the one
    scheme that sets a prefixed Authorization-like header."""
    authenticated: list[tuple[str, str]] = []
    extra: list[tuple[str, str]] = []
    before: list[str] = []
    for scheme, _name in credentials:
        kind, where = scheme.get("type"), scheme.get("in")
        http = str(scheme.get("scheme", "")).lower()
        if kind == "http" and http == "basic" and not authenticated:
            names.add("base64")
            before.append("credentials = f\"{os.environ['USERNAME']}:{os.environ['PASSWORD']}\"")
            authenticated = [
                ("prefix", '"Basic"'),
                ("token", "base64.b64encode(credentials.encode()).decode()"),
            ]
        elif kind == "http" and http == "bearer" and not authenticated:
            authenticated = [("token", 'os.environ["TOKEN"]')]
        elif kind == "apiKey" and where == "header" and not authenticated:
            header = scheme["name"]
            word = authorization_word(scheme) if header.lower() == "authorization" else None
            variable = "TOKEN" if header.lower() == "authorization" else "API_KEY"
            authenticated = [
                ("prefix", json.dumps(word or "")),
                ("token", f'os.environ["{variable}"]'),
            ]
            if header != "Authorization":
                authenticated.insert(0, ("auth_header_name", json.dumps(header)))
        elif kind == "apiKey" and where == "cookie":
            extra.append(("cookies", f'{{{json.dumps(scheme["name"])}: os.environ["API_KEY"]}}'))
        elif kind == "apiKey" and where == "query":
            params = f'{{"params": {{{json.dumps(scheme["name"])}: os.environ["API_KEY"]}}}}'
            extra.append(("httpx_args", params))
        elif kind == "apiKey" and where == "header":
            extra.append(("headers", f'{{{json.dumps(scheme["name"])}: os.environ["API_KEY"]}}'))
    class_name = "AuthenticatedClient" if authenticated else "Client"
    keywords = [("base_url", json.dumps(base_url)), *authenticated, *extra]
    (made,) = _call(class_name, keywords)
    return [*before, f"with {made} as client:"], class_name


def authorization_word(scheme: dict[str, Any]) -> str | None:
    """The word an API key in ``Authorization`` is sent after, as the scheme's description
    shows it (``Authorization: Token signature=...``); None when it shows none."""
    found = re.search(r"Authorization: ([A-Za-z][\w-]*) ", scheme.get("description", ""))
    return found.group(1) if found else None


def _call(head: str, keywords: list[tuple[str, str]]) -> list[str]:
    """``head(keyword=value, ...)`` on one line: ruff splits it where it is too long."""
    return [f"{head}({', '.join(f'{k}={v}' for k, v in keywords)})"]


# --------------------------------------------------------------------------------------------
# Values: the spec's example, made into what the call's annotation takes, written as code.


def _value(example: Any, annotation: Any, imports: dict[str, set[str]]) -> str:
    return _code(_convert(example, annotation), imports)


def _convert(example: Any, annotation: Any) -> Any:
    """``example`` (JSON) as the value of type ``annotation`` the client's call takes."""
    options = _options(annotation)
    if isinstance(example, list):
        for option in options:
            if typing.get_origin(option) is list:
                (item,) = typing.get_args(option) or (Any,)
                return [_convert(value, item) for value in example]
        return example
    for option in options:
        if isinstance(option, type) and issubclass(option, enum.Enum):
            try:
                return option(example)
            except ValueError:
                continue
        from_dict: Callable[[Any], Any] | None = getattr(option, "from_dict", None)
        if isinstance(example, dict) and from_dict is not None:
            return from_dict(example)
        if isinstance(example, str) and option in (datetime.datetime, datetime.date):
            return option.fromisoformat(example)  # a date-time or date parameter
    return example


def _options(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a.__name__ != "Unset"]
    return [annotation]


def _code(value: Any, imports: dict[str, set[str]]) -> str:
    if isinstance(value, enum.Enum):
        _import(imports, type(value))
        return f"{type(value).__name__}.{value.name}"
    if attrs.has(type(value)):
        _import(imports, type(value))
        fields = [
            f"{field.name}={_code(getattr(value, field.name), imports)}"
            for field in attrs.fields(type(value))
            if field.init and type(getattr(value, field.name)).__name__ != "Unset"
        ]
        # Fields the schema does not name (additional_properties) are left out.
        return f"{type(value).__name__}({', '.join(fields)})"
    if isinstance(value, list):
        return "[" + ", ".join(_code(item, imports) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))}: {_code(v, imports)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, datetime.datetime | datetime.date):
        kind = type(value).__name__  # datetime or date, which parse their own isoformat()
        imports.setdefault("datetime", set()).add(kind)
        return f"{kind}.fromisoformat({json.dumps(value.isoformat())})"
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value) if not isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    raise SampleError(f"no way to write a {type(value).__name__} in a sample")


def _import(imports: dict[str, set[str]], cls: type) -> None:
    package = cls.__module__.rsplit(".", 1)[0]
    if package == f"{CLIENT}.models":  # the models package re-exports every model
        imports.setdefault(package, set()).add(cls.__name__)
    else:
        imports.setdefault(cls.__module__, set()).add(cls.__name__)
