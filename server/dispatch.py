"""The spec's operations, answered without Connexion's per-request layers.

Connexion builds the app from the spec: at start-up it resolves every operationId to its
generated glue, and it serves the Swagger UI and the spec itself. Its per-request machinery
(three nested routers, request objects and validators made per request, parameter decorators)
cost most of a request's CPU, so the requests for the spec's operations are answered here,
from the same spec compiled once: the routes (both slash spellings, 405 with ``Allow``), each
parameter's coercion and schema, the body's media types and schema. Then the generated glue is
called with the request, the app's state and every parameter by its Python name (Connexion's
pythonic rule). Anything else (the docs, unknown paths) goes on to Connexion.
"""

import contextlib
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from connexion.decorators.parameter import pythonic
from connexion.json_schema import resolve_refs
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from server.errors import HubIndexError, InvalidRequest, UnsupportedMediaType
from server.observability import REQUEST_INFO
from server.responses import JSON, error_response, response_for
from server.routing import Router
from server.spec import HTTP_METHODS
from server.state import AppState
from server.validation import BodyCheck, ParameterCheck, ResponseCheck, parse_json_body

Glue = Callable[..., Awaitable[Response]]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The order Connexion checks parameters in, which decides which error a request gets first.
_LOCATIONS = ("query", "path", "header", "cookie")
# What a nullable parameter's null is written as.
_NULL = "null"
# What separates the items of an array written as one value, by the parameter's style.
_DELIMITERS = {"form": ",", "simple": ",", "spaceDelimited": " ", "pipeDelimited": "|"}
# OpenAPI parameters are text: an integer is ASCII digits with an optional sign, a number
# that or a decimal with an optional exponent. Python's int() and float() also take spaces,
# underscores, other scripts' digits and "nan"/"inf": those stay strings, and the schema check
# refuses them in its own words.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _integer(raw: str) -> int:
    if _INTEGER.fullmatch(raw) is None:
        raise ValueError(raw)
    return int(raw)


def _number(raw: str) -> float:
    if _NUMBER.fullmatch(raw) is None or not math.isfinite(value := float(raw)):
        raise ValueError(raw)
    return value


def _boolean(raw: str) -> bool:
    # Connexion's reading: true or false, in any case.
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise ValueError(raw)
    return lowered == "true"


_COERCIONS: Mapping[str, Callable[[str], Any]] = {
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
}

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str
    required: bool
    argument: str  # the glue's keyword: the name by Connexion's pythonic rule
    coerce: Callable[[str], Any] | None  # of the value, or of each item of an array
    schema: ParameterCheck
    header_key: bytes  # the name as an ASGI scope carries header names: lower-case bytes
    nullable: bool = False
    # Arrays: None for a single value; "explode" when each occurrence of a query parameter is
    # one item (form style's default); else what separates the items of the one value.
    array: str | None = None

    def value(self, raw: list[str]) -> Any:
        """The value to pass on, from every value the request gave (the last one counts unless
        the parameter is an exploded array), coerced to the schema's type; InvalidRequest when
        it is wrong. None when the request gave none."""
        if not raw:
            if self.required:
                raise InvalidRequest(f"Missing {self.location} parameter '{self.name}'")
            return None
        if self.nullable and raw[-1] == _NULL:
            return None
        value: Any
        if self.array is None:
            value = self._coerced(raw[-1])
        else:
            items = raw if self.array == "explode" else raw[-1].split(self.array)
            value = [self._coerced(item) for item in items]
        problem = self.schema.check(value)
        if problem is not None:
            raise InvalidRequest(problem)
        return value

    def _coerced(self, raw: str) -> Any:
        if self.coerce is not None:
            with contextlib.suppress(ValueError):  # then the schema check says what is wrong
                return self.coerce(raw)
        return raw


@dataclass(frozen=True, slots=True)
class Body:
    required: bool
    media_types: tuple[str, ...]
    schema: BodyCheck

    async def read(self, scope: Scope, receive: Receive) -> Any:
        content_type = _header(scope, b"content-type")
        if content_type is not None:
            media_type = content_type.partition(";")[0].strip().lower()
            if media_type not in self.media_types:
                accepted = ", ".join(self.media_types)
                raise UnsupportedMediaType(
                    f"Content-Type {media_type or '(empty)'} is not accepted here: send {accepted}"
                )
        raw = await _read_body(receive)
        if not raw:
            if self.required:
                raise InvalidRequest("the request body must not be empty")
            return None
        if content_type is None:
            raise InvalidRequest(
                f"the request body has no Content-Type: send {', '.join(self.media_types)}"
            )
        body = parse_json_body(raw)
        self.schema.check(body)
        return body


@dataclass(frozen=True, slots=True)
class CompiledOperation:
    operation_id: str
    template: str
    glue: Glue
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: Mapping[int, ResponseCheck | None]  # None: no JSON body documented

    async def answer(
        self,
        request: Request,
        state: AppState,
        path_values: Mapping[str, str],
    ) -> Response:
        scope = request.scope
        arguments: dict[str, Any] = {}
        query: dict[str, list[str]] | None = None
        cookies: dict[str, str] | None = None
        for parameter in self.parameters:
            location = parameter.location
            raw: str | None
            if location == "query":
                if query is None:
                    query = _query(scope)
                values = query.get(parameter.name, [])
            else:
                if location == "path":
                    raw = path_values.get(parameter.name)
                elif location == "header":
                    raw = _header(scope, parameter.header_key)
                else:
                    if cookies is None:
                        cookies = cookie_parser(_header(scope, b"cookie") or "")
                    raw = cookies.get(parameter.name)
                values = [] if raw is None else [raw]
            value = parameter.value(values)
            if value is not None or (values and parameter.nullable):
                arguments[parameter.argument] = value
        if self.body is not None:
            arguments["body"] = await self.body.read(scope, request.receive)
        return await self.glue(request, state, **arguments)

    def problem_with(self, response: Response) -> str | None:
        """What makes ``response`` disagree with the responses the spec documents, if anything."""
        status = response.status_code
        if status not in self.responses:
            return f"status {status} is not documented"
        check = self.responses[status]
        if check is None:
            return None
        if response.media_type != JSON:
            return f"status {status} must be {JSON}, not {response.media_type}"
        return check.problem(json.loads(response.body))


class Dispatcher:
    """ASGI middleware answering the spec's operations; everything else goes on to ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        spec: Mapping[str, Any],
        resolve: Callable[[str], Glue],
        state: AppState,
        validate_responses: bool = False,
    ) -> None:
        self.app = app
        self.state = state
        self.validate_responses = validate_responses
        resolved = resolve_refs(spec)
        self.operations = compile_operations(resolved, resolve)
        self.router = Router(
            {
                template: {
                    method: item[method]["operationId"] for method in item if method in HTTP_METHODS
                }
                for template, item in resolved["paths"].items()
            }
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if _CONTROL.search(path):
            response = error_response(400, "the path contains control characters")
            await response(scope, receive, send)
            return
        match = self.router.match(method, path)
        if match is None:
            allowed = self.router.allowed(path)
            if not allowed:
                await self.app(scope, receive, send)
                return
            allow = ", ".join(sorted(allowed))
            response = error_response(405, f"{method} is not allowed here; use {allow}")
            response.headers["Allow"] = allow
            await response(scope, receive, send)
            return
        operation = self.operations[match.operation_id]
        info = scope.get(REQUEST_INFO)
        if info is not None:
            info["route"], info["operation"] = operation.template, operation.operation_id
        response = await self._answer(operation, scope, receive, match.path_parameters)
        await response(scope, receive, send)

    async def _answer(
        self,
        operation: CompiledOperation,
        scope: Scope,
        receive: Receive,
        path_values: Mapping[str, str],
    ) -> Response:
        request = Request(scope, receive)
        try:
            response = await operation.answer(request, self.state, path_values)
        except HubIndexError as error:
            return response_for(error)
        except Exception:
            logger.exception("unhandled error in %s", operation.operation_id)
            return error_response(500, "internal server error")
        if self.validate_responses:
            problem = operation.problem_with(response)
            if problem is not None:
                logger.error("%s answered against the spec: %s", operation.operation_id, problem)
                return error_response(500, f"the response does not match the spec: {problem}")
        return response


def compile_operations(
    spec: Mapping[str, Any], resolve: Callable[[str], Glue]
) -> dict[str, CompiledOperation]:
    """Every operation of a spec whose references are resolved, by operationId."""
    operations = {}
    for template, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if method not in item:
                continue
            definition = item[method]
            glue = resolve(definition["operationId"])
            operations[definition["operationId"]] = CompiledOperation(
                operation_id=definition["operationId"],
                template=template,
                glue=glue,
                parameters=_parameters(shared, definition.get("parameters", [])),
                body=_body(definition.get("requestBody")),
                responses=_responses(definition["responses"]),
            )
    return operations


def _parameters(shared: list[dict[str, Any]], own: list[dict[str, Any]]) -> tuple[Parameter, ...]:
    by_key = {(p["name"], p["in"]): p for p in shared} | {(p["name"], p["in"]): p for p in own}
    compiled = []
    for (name, location), definition in by_key.items():
        if location not in _LOCATIONS:
            raise ValueError(f"{location} parameters are not supported ({name})")
        schema = definition.get("schema", {})
        array = None
        coerce = _COERCIONS.get(schema.get("type", ""))
        if schema.get("type") == "array":
            style = definition.get("style", "form" if location in ("query", "cookie") else "simple")
            explode = definition.get("explode", style == "form")
            array = "explode" if explode and location == "query" else _DELIMITERS.get(style, ",")
            coerce = _COERCIONS.get(schema.get("items", {}).get("type", ""))
        compiled.append(
            Parameter(
                name=name,
                location=location,
                required=bool(definition.get("required")),
                argument=pythonic(name),  # the generated glue's names follow Connexion's rule
                coerce=coerce,
                schema=ParameterCheck(location, name, schema),
                header_key=name.lower().encode("latin-1"),
                nullable=bool(schema.get("nullable")),
                array=array,
            )
        )
    return tuple(sorted(compiled, key=lambda p: _LOCATIONS.index(p.location)))


def _body(definition: Mapping[str, Any] | None) -> Body | None:
    if definition is None:
        return None
    content = definition["content"]
    media_types = tuple(media_type.lower() for media_type in content)
    if media_types != (JSON,):
        raise ValueError(f"only {JSON} request bodies are supported, not {media_types}")
    return Body(
        required=bool(definition.get("required")),
        media_types=media_types,
        schema=BodyCheck(content[JSON]["schema"]),
    )


def _responses(definitions: Mapping[str, Any]) -> dict[int, ResponseCheck | None]:
    checks: dict[int, ResponseCheck | None] = {}
    for status, definition in definitions.items():
        schema = definition.get("content", {}).get(JSON, {}).get("schema")
        checks[int(status)] = None if schema is None else ResponseCheck(schema)
    return checks


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _query(scope: Scope) -> dict[str, list[str]]:
    """Every value of each query parameter, in order, as Starlette reads the query string."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
        values.setdefault(name, []).append(value)
    return values


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
