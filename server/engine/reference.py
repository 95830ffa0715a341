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
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.security import SecurityAPI, SecurityMiddleware, SecurityOperation
from connexion.utils import is_null
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from server.composition import AppState
from server.errors import AuthenticationFailed, InvalidRequest
from server.http import formats
from server.http.access_log import REQUEST_INFO
from server.http.body import FORM_KIND, JSON_KIND, MULTIPART_KIND, TEXT_KIND, parse_body
from server.http.challenges import Challenges, challenged
from server.http.forms import text_body
from server.http.parameters import build_object
from server.http.security import STATE, VERIFIED, first_presented
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

    def uploads(self, arguments: dict[str, Any]) -> list[Any]:
        """The files Connexion passed (each by its property's own name), to close after."""
        found: list[Any] = []
        for name in self.files:
            given = arguments.get(name)
            found.extend(given if isinstance(given, list) else () if given is None else [given])
        return found

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
            challenges=Challenges.of(operation["security"], compiled.SECURITY_SCHEMES),
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
    challenges: Challenges,
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
        uploads = [] if body is None else body.uploads(arguments)
        # Open until the handler returns, as on the fast engine, or until the body is refused.
        try:
            if body is not None:
                arguments["body"] = body.value(request, arguments)
            for parameter in read:
                source = request.headers if parameter.location == "header" else request.cookies
                raw = source.get(parameter.name)
                if raw is None:
                    continue
                # Connexion validated the text as it came (it coerces no header or cookie), so
                # a value that got this far is what its schema accepts as text.
                if parameter.nullable and is_null(raw):
                    arguments[parameter.argument] = None
                else:
                    typed = parameter.typed
                    arguments[parameter.argument] = raw if typed is None else typed(raw)
            return await glue(request, state, **arguments)
        except AuthenticationFailed as error:  # the handler's own (authentication required)
            challenged(error, challenges.of_request(scope))
            raise
        finally:
            for upload in uploads:
                await upload.close()

    adapter.__name__ = adapter.__qualname__ = operation_id
    adapter.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in sorted(passed)]
    )
    return adapter


class StateInScope:
    """ASGI middleware in front of Connexion: puts the app's state in each request's scope,
    where the security checkers Connexion calls find it (``server.checkers``), as they do
    under the fast engine (whose Dispatcher puts it there)."""

    def __init__(self, app: ASGIApp, *, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[STATE] = self.state
        await self.app(scope, receive, send)


class _Operation(SecurityOperation):
    """Connexion's security of one operation: its own handler of each scheme's type reads the
    credentials and calls the checker the spec names; the alternatives are decided by
    hubindex's rule (server.http.security.first_presented), not Connexion's, which would try
    the next one after a refusal and so let wrong credentials through as an anonymous call."""

    def _get_verification_fn(self) -> Any:
        if not self.security:
            return self.security_handler_factory.security_passthrough
        factory = self.security_handler_factory
        # What a 401 carries, from the table scripts/generate compiled, as the fast engine
        # reads it (the spec Connexion loaded is the one generated beside it).
        from generated.requests import SECURITY_SCHEMES

        challenges = Challenges.of(
            [list(requirement.items()) for requirement in self.security], SECURITY_SCHEMES
        )
        checks = []
        used: set[str] = set()
        for requirement in self.security:
            if not requirement:
                continue
            readers = {}
            for name, scopes in requirement.items():
                used.add(name)
                reader = factory.parse_security_scheme(self.security_schemes[name], scopes)
                if reader is None:  # scripts/generate refuses such a scheme
                    raise RuntimeError(f"security scheme {name!r} has no checker Connexion reads")
                readers[name] = challenges.watching(name, reader)
            if len(readers) == 1:
                checks.extend(readers.values())
            else:
                checks.append(factory.verify_multiple_schemes(readers))
        anonymous = any(not requirement for requirement in self.security)
        reads_authorization = any(
            _reads_authorization(self.security_schemes[name]) for name in used
        )

        async def verify(request: ConnexionRequest) -> None:
            try:
                claims = await first_presented(checks, anonymous, reads_authorization, request)
            except AuthenticationFailed as error:
                challenged(error, challenges.of_request(request.scope))
                raise
            except ProblemException as problem:  # a refusal of Connexion's own readers
                if problem.status != 401:
                    raise
                refusal = AuthenticationFailed(problem_message(problem))
                raise challenged(refusal, challenges.of_request(request.scope)) from problem
            request.context.update({"user": claims.get("sub"), "token_info": claims})
            request.scope[VERIFIED] = claims

        return verify


def problem_message(problem: ProblemException) -> str:
    """A Connexion error's message in one line (jsonschema's goes on with the schema and the
    instance, over several)."""
    return str(problem.detail or problem.title).split("\n", 1)[0]


def _reads_authorization(scheme: dict[str, Any]) -> bool:
    if scheme.get("type") == "apiKey":
        return scheme.get("in") == "header" and str(scheme.get("name")).lower() == "authorization"
    return scheme.get("type") == "http"


class _SecurityAPI(SecurityAPI):
    def make_operation(self, operation: Any) -> SecurityOperation:
        return _Operation.from_operation(
            operation,
            next_app=self.next_app,
            security_handler_factory=self.security_handler_factory,
        )


class Security(SecurityMiddleware):
    """Connexion's security middleware, with hubindex's rule for the alternatives. Under the
    fast engine it only resolves every checker at start-up (a missing one fails then): the
    Dispatcher, in front, answers the operations."""

    api_cls = _SecurityAPI
