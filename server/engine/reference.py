"""The reference engine (``HUBINDEX_ENGINE=connexion``): Connexion's own request pipeline calls
the same generated glue as ``server.engine.fast`` does.

Connexion routes the request, parses its parameters (``pythonic_params``), validates them and the
body, and calls the function it resolved an operationId to with the values as keyword arguments.
That function is an adapter made here: it takes the values, the request from Connexion's own
context and the app's state, and calls the glue with them explicitly. Its signature names the
path and query parameters and the body, since Connexion decides from a function's signature what
to parse and pass (a ``**kwargs`` would make it parse a body an operation does not have).
Connexion passes no header or cookie parameters, so the adapter reads those from the request
Connexion validated them on. A body Connexion validated is parsed as its model by pydantic, and so
is an object parameter (Connexion hands one over as a dict, ``{}`` when the query holds none of
it); a value of a format the models type (``date``...) is typed as the fast engine types it
(``server.http.formats``). What Connexion's validators are given besides the spec, its formats
and a 400 where it would crash, is in ``server.engine.connexion_checks``.
Which operation has which parameters and body model, the adapters read from the table
scripts/generate compiled (``generated/requests.py``), as the fast engine does; Connexion's own
reading of the spec is its own.
"""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from connexion import context
from connexion.utils import is_null
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from server.composition import AppState
from server.errors import AuthenticationFailed, InvalidRequest
from server.http import formats
from server.http.access_log import REQUEST_INFO
from server.http.body import FORM_KIND, JSON_KIND, MULTIPART_KIND, TEXT_KIND, parse_body
from server.http.credentials import presented_credential
from server.http.forms import text_body
from server.http.parameters import build_object, header
from server.http.responses import response_for
from server.http.routing import Router
from server.http.validation import BodyCheck

Glue = Callable[..., Awaitable[Response]]
Adapter = Callable[..., Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class _Read:
    """A header or cookie parameter, which the adapter reads from the request itself."""

    name: str
    location: str
    argument: str
    nullable: bool
    typed: Callable[[Any], Any] | None


def _typing(parameter: dict[str, Any], models: ModuleType) -> Callable[[Any], Any] | None:
    """What turns the value Connexion passes for ``parameter`` into the one the glue takes."""
    if parameter["object"] is not None:
        model, name = getattr(models, parameter["model"]), parameter["name"]
        return lambda value: None if value == {} else build_object(model, name, value)
    typed = formats.typed(parameter["format"])
    if typed is None:
        return None
    if parameter["array"] is not None:
        return lambda value: [typed(item) for item in value]
    return typed


@dataclass(frozen=True, slots=True)
class _Body:
    """An operation's body, as the glue takes it from what Connexion passes."""

    model: Any  # None: a text body
    kinds: dict[str, str]
    required: bool
    files: tuple[str, ...]
    check: BodyCheck

    def value(self, request: Request, arguments: dict[str, Any]) -> Any:
        """JSON as its model; a form's typed fields and its files (Connexion passes them apart)
        as its model; a text body as its text, checked here: Connexion passes it as bytes,
        unchecked (it has no validator for text/ types)."""
        given = arguments.get("body")
        content_type = request.headers.get("content-type")
        if content_type is None:
            # Connexion guesses the first declared media type and passes the bytes: refused
            # as the fast engine refuses it.
            if given in (None, b"", {}):
                return self._empty()
            accepted = ", ".join(self.kinds)
            raise InvalidRequest(f"the request body has no Content-Type: send {accepted}")
        kind = self.kinds.get(content_type.partition(";")[0].strip().lower(), JSON_KIND)
        if kind == TEXT_KIND:
            raw = given if isinstance(given, bytes) else b""
            if not raw:
                return self._empty()
            text = text_body(raw, content_type)
            self.check.check(text)
            return text
        if kind in (FORM_KIND, MULTIPART_KIND):
            fields = dict(given or {})
            for name in self.files:
                file = arguments.pop(name, None)
                if file is not None:
                    fields[name] = file
            return parse_body(self.model, fields) if fields else None
        return None if given is None else parse_body(self.model, given)

    def _empty(self) -> None:
        if self.required:
            raise InvalidRequest("the request body must not be empty")


def adapters(
    compiled: ModuleType, models: ModuleType, resolve: Callable[[str], Glue], state: AppState
) -> dict[str, Adapter]:
    """An adapter for every operation of ``compiled`` (``generated/requests.py``), by
    operationId."""
    made = {}
    for operation in compiled.OPERATIONS:
        operation_id = operation["operation_id"]
        parameters = operation["parameters"]
        passed = {p["argument"] for p in parameters if p["location"] in ("path", "query")}
        body = operation["body"]
        files: tuple[str, ...] = ()
        if body is not None:
            passed.add("body")
            # Connexion passes each file of a multipart body by its property's own name.
            files = tuple(field["name"] for field in body["fields"] or () if field["file"])
            passed.update(files)
        read = tuple(
            _Read(p["name"], p["location"], p["argument"], p["nullable"], _typing(p, models))
            for p in parameters
            if p["location"] in ("header", "cookie")
        )
        typing = {
            p["argument"]: typed
            for p in parameters
            if p["location"] in ("path", "query") and (typed := _typing(p, models)) is not None
        }
        made[operation_id] = _adapter(
            operation_id,
            template=operation["template"],
            glue=resolve(operation_id),
            state=state,
            passed=frozenset(passed),
            read=read,
            typing=typing,
            body=None
            if body is None
            else _Body(
                model=None if body["model"] is None else getattr(models, body["model"]),
                kinds=body["kinds"],
                required=body["required"],
                files=files,
                check=BodyCheck(
                    getattr(compiled, f"validate_{body['schema']}"),
                    compiled.SCHEMAS[body["schema"]],
                ),
            ),
        )
    return made


def _adapter(
    operation_id: str,
    *,
    template: str,
    glue: Glue,
    state: AppState,
    passed: frozenset[str],
    read: tuple[_Read, ...],
    typing: dict[str, Callable[[Any], Any]],
    body: "_Body | None",
) -> Adapter:
    async def adapter(**values: Any) -> Response:
        scope = context.scope._get_current_object()
        request = Request(scope, context.receive._get_current_object())
        info = scope.get(REQUEST_INFO)
        if info is not None:
            info["route"], info["operation"] = template, operation_id
        arguments = dict(values)
        for argument, typed in typing.items():
            if arguments.get(argument) is not None:
                arguments[argument] = typed(arguments[argument])
                if arguments[argument] is None:
                    del arguments[argument]
        uploads: list[Any] = []
        if body is not None:
            for name in body.files:
                given = arguments.get(name)
                uploads.extend(
                    given if isinstance(given, list) else () if given is None else [given]
                )
            arguments["body"] = body.value(request, arguments)
        for parameter in read:
            source = request.headers if parameter.location == "header" else request.cookies
            raw = source.get(parameter.name)
            if raw is None:
                continue
            # Connexion validated the text as it came (it coerces no header or cookie), so a
            # value that got this far is what its schema accepts as text.
            if parameter.nullable and is_null(raw):
                arguments[parameter.argument] = None
            else:
                typed = parameter.typed
                arguments[parameter.argument] = raw if typed is None else typed(raw)
        try:
            return await glue(request, state, **arguments)
        finally:
            for upload in uploads:  # open until the handler returns, as on the fast engine
                await upload.close()

    adapter.__name__ = adapter.__qualname__ = operation_id
    adapter.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in sorted(passed)]
    )
    return adapter


class CredentialsFirst:
    """ASGI middleware in front of Connexion: what the fast engine does first, before Connexion
    reads and validates the body. A request to an operation that needs credentials it does not
    carry (or carries in a scheme the operation does not accept, or malformed) is answered 401
    here, so that neither engine waits for, holds or validates the body of a request it will
    refuse."""

    def __init__(self, app: ASGIApp, *, compiled: ModuleType) -> None:
        self.app = app
        paths: dict[str, dict[str, str]] = {}
        self.security: dict[str, tuple[tuple[str, ...], ...]] = {}
        for operation in compiled.OPERATIONS:
            operation_id = operation["operation_id"]
            paths.setdefault(operation["template"], {})[operation["method"]] = operation_id
            self.security[operation_id] = tuple(tuple(o) for o in operation["security"])
        self.router = Router(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            match = self.router.match(scope["method"], scope["path"])
            security = () if match is None else self.security[match.operation_id]
            if security:
                try:
                    presented_credential(security, header(scope, b"authorization"))
                except AuthenticationFailed as error:
                    await response_for(error)(scope, receive, send)
                    return
        await self.app(scope, receive, send)
