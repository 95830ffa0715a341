"""The spec's operations, answered without Connexion's per-request layers: a small executor of
what scripts/generate compiled from the spec into ``generated/requests.py``.

That module holds, as data, every operation's method and path template, its parameters
(location, spec name, Python name by Connexion's pythonic rule, the converter of their text,
array style, schema, the format that types them, an object's style and model), its body (media
types, schema, model) and its documented responses, and, as code, a validator compiled by
fastjsonschema for each schema. Nothing here reads the spec: the routes (both slash spellings,
405 with ``Allow``) are built from the table, each value is converted by the converter it names,
checked once, by its compiled validator, and typed by its format (an object built as its
model); the body
likewise, then built into its model by pydantic (``server.http.body.parse_body``, which accepts
all the schema accepts). The generated glue is called with the request, the app's state and
every value by its Python name. Anything else (the docs, unknown paths) goes on to Connexion.
"""

import functools
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from server.composition import AppState
from server.errors import AuthenticationFailed, HubIndexError
from server.http.access_log import REQUEST_INFO
from server.http.body import FORM_SCOPE_KEY, Body, parse_body
from server.http.challenges import Challenges, challenged
from server.http.formats import typed
from server.http.forms import Field, Form, close_files
from server.http.parameters import (
    CONVERTERS,
    ObjectShape,
    Parameter,
    build_object,
    header,
    query_values,
)
from server.http.responses import JSON, documented_key, error_response, response_for
from server.http.routing import Router
from server.http.security import STATE, VERIFIED, OperationSecurity, load_schemes
from server.http.validation import BodyCheck, ParameterCheck, ResponseCheck

Glue = Callable[..., Awaitable[Response]]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CompiledOperation:
    operation_id: str
    template: str
    glue: Glue
    parameters: tuple[Parameter, ...]
    body: Body | None
    security: OperationSecurity | None  # None: the operation needs no credentials
    challenges: Challenges  # what its 401 carries in WWW-Authenticate
    # By status, range (2XX) or default: what the spec documents.
    responses: Mapping[int | str, "Documented"]

    async def answer(
        self,
        request: Request,
        state: AppState,
        path_values: Mapping[str, str],
    ) -> Response:
        scope = request.scope
        if self.security is not None:
            # First, and before the body is read: a request without the credentials the
            # operation needs, or with wrong ones, is refused without waiting for (or holding)
            # its body. The glue hands what the checker answered to the handler.
            scope[STATE] = state
            scope[VERIFIED] = await self.security.verify(request)
        arguments: dict[str, Any] = {}
        query: dict[str, list[str]] | None = None
        values: Any
        cookies: dict[str, str] | None = None
        for parameter in self.parameters:
            location = parameter.location
            raw: str | None
            if location == "query":
                if query is None:
                    query = query_values(scope)
                # An object parameter reads the whole query.
                values = query.get(parameter.name, []) if parameter.shape is None else query
            else:
                if location == "path":
                    raw = path_values.get(parameter.name)
                elif location == "header":
                    raw = header(scope, parameter.header_key)
                else:
                    if cookies is None:
                        cookies = cookie_parser(header(scope, b"cookie") or "")
                    raw = cookies.get(parameter.name)
                values = [] if raw is None else [raw]
            value = parameter.value(values)
            if value is not None or (values and parameter.nullable):
                arguments[parameter.argument] = value
        body = self.body
        if body is not None and body.multipart:
            return await self._with_form(request, state, arguments)
        if body is not None:
            arguments["body"] = await body.read(scope, request.receive)
        return await self.glue(request, state, **arguments)

    async def _with_form(
        self, request: Request, state: AppState, arguments: dict[str, Any]
    ) -> Response:
        """The glue called with a body that may be a multipart form: its files are open until
        the glue has returned, then closed (a file on disk is removed)."""
        assert self.body is not None
        try:
            arguments["body"] = await self.body.read(request.scope, request.receive)
            return await self.glue(request, state, **arguments)
        finally:
            await close_files(request.scope.pop(FORM_SCOPE_KEY, None))

    def problem_with(self, response: Response) -> str | None:
        """What makes ``response`` disagree with the responses the spec documents, if anything."""
        status = response.status_code
        key = documented_key(status, self.responses)
        if key is None:
            return f"status {status} is not documented"
        documented = self.responses[key]
        if not documented.media_types:
            return None
        media_type = response.media_type
        if media_type not in documented.media_types:
            allowed = ", ".join(documented.media_types)
            return f"status {status} must be {allowed}, not {media_type}"
        content = getattr(response, "body", None)  # a streamed body is not checked
        if documented.check is None or content is None:
            return None
        if media_type == JSON:
            return documented.check.problem(json.loads(content))
        return documented.check.problem(content.decode(response.charset))


@dataclass(frozen=True, slots=True)
class Documented:
    """One documented response: its media types (none: no body) and the schema of its JSON or
    text body."""

    media_types: tuple[str, ...]
    check: ResponseCheck | None


class Dispatcher:
    """ASGI middleware answering the spec's operations; everything else goes on to ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        compiled: ModuleType,
        resolve: Callable[[str], Glue],
        state: AppState,
        models: ModuleType | None = None,
        validate_responses: bool = False,
    ) -> None:
        self.app = app
        self.state = state
        self.validate_responses = validate_responses
        self.operations = load_operations(compiled, resolve, models)
        paths: dict[str, dict[str, str]] = {}
        for operation in compiled.OPERATIONS:
            paths.setdefault(operation["template"], {})[operation["method"]] = operation[
                "operation_id"
            ]
        self.router = Router(paths)

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
        except AuthenticationFailed as error:
            return response_for(challenged(error, operation.challenges.of_request(scope)))
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


def load_operations(
    compiled: ModuleType, resolve: Callable[[str], Glue], models: ModuleType | None = None
) -> dict[str, CompiledOperation]:
    """Every operation of ``compiled`` (``generated/requests.py``, or a module like it), by
    operationId, its glue found by ``resolve``; a body built as its model of ``models``
    (without it, passed as JSON)."""
    schemas = compiled.SCHEMAS
    entries = getattr(compiled, "SECURITY_SCHEMES", {})
    schemes = load_schemes(entries)

    def builder(model: str) -> Callable[[Any], Any]:
        if models is None:
            return _as_it_is
        return functools.partial(parse_body, getattr(models, model))

    def validator(schema_id: str) -> Callable[..., Any]:
        return getattr(compiled, f"validate_{schema_id}")

    operations = {}
    for operation in compiled.OPERATIONS:
        body = operation["body"]
        challenges = Challenges.of(operation["security"], entries)
        operations[operation["operation_id"]] = CompiledOperation(
            operation_id=operation["operation_id"],
            template=operation["template"],
            glue=resolve(operation["operation_id"]),
            parameters=tuple(
                _parameter(parameter, validator(parameter["schema"]), schemas, models)
                for parameter in operation["parameters"]
            ),
            body=None
            if body is None
            else Body(
                required=body["required"],
                media_types=tuple(body["media_types"]),
                schema=BodyCheck(validator(body["schema"]), schemas[body["schema"]]),
                build=_as_it_is if body["model"] is None else builder(body["model"]),
                kinds=body["kinds"],
                form=None if body["fields"] is None else form_of(body["fields"]),
            ),
            security=OperationSecurity.of(operation["security"], schemes, challenges),
            challenges=challenges,
            responses={
                status: Documented(
                    tuple(response["media_types"]),
                    None
                    if response["schema"] is None
                    else ResponseCheck(schemas[response["schema"]]),
                )
                for status, response in operation["responses"].items()
            },
        )
    return operations


def form_of(fields: list[dict[str, Any]]) -> Form:
    """A form body's fields as generated/requests.py lists them."""
    return Form(
        Field(
            name=field["name"],
            convert=None if field["convert"] is None else CONVERTERS[field["convert"]],
            array=field["array"],
            file=field["file"],
        )
        for field in fields
    )


def _parameter(
    row: Mapping[str, Any],
    validate: Callable[..., Any],
    schemas: Mapping[str, Any],
    models: ModuleType | None,
) -> Parameter:
    """A parameter of the table, ready to read."""
    shape = None
    if row["object"] is not None:
        shape = ObjectShape(
            style=row["object"]["style"],
            properties={
                name: None if convert is None else CONVERTERS[convert]
                for name, convert in row["object"]["properties"].items()
            },
            build=_as_it_is
            if models is None
            else functools.partial(build_object, getattr(models, row["model"]), row["name"]),
        )
    return Parameter(
        name=row["name"],
        location=row["location"],
        required=row["required"],
        argument=row["argument"],
        coerce=None if row["convert"] is None else CONVERTERS[row["convert"]],
        schema=ParameterCheck(
            row["location"],
            row["name"],
            validate,
            schemas[row["schema"]],
            style=None if shape is None else shape.style,
        ),
        header_key=row["name"].lower().encode("latin-1"),
        nullable=row["nullable"],
        array=row["array"],
        typed=typed(row["format"]),
        shape=shape,
    )


def _as_it_is(value: Any) -> Any:
    return value
