"""What the generated operation modules call.

Generated glue (``generated/operations``) is called by an engine (``server.dispatch`` or
Connexion's own pipeline, see ``server.app``) with the request, the app's state and the
request's values as typed keyword arguments; it calls the hand-written handler in
``server.handlers`` and gives its result to :meth:`Operation.respond`, which checks it against
the responses the spec documents and writes it.
"""

import functools
import importlib
import inspect
import logging
import types
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, EmailStr, RootModel, SecretStr, TypeAdapter, ValidationError
from pydantic.networks import validate_email
from starlette.requests import Request
from starlette.responses import Response

from server.auth import Account, Grant, Identity
from server.credentials import SCHEME_CREDENTIALS, Credential, parse_authorization
from server.errors import AuthenticationFailed, InvalidRequest, NotImplementedYet
from server.observability import REQUEST_INFO
from server.responses import JSON
from server.settings import Settings
from server.state import AppState, Services
from server.validation import schema_check

Handler = Callable[..., Awaitable[Any]]
ModelT = TypeVar("ModelT", bound=BaseModel)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's answer when the default (first documented 2xx, no headers) won't do."""

    status: int
    body: BaseModel | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Call:
    """One request as a handler sees it."""

    request: Request
    identity: Identity
    services: Services
    settings: Settings
    _after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    @property
    def address(self) -> str:
        """The client's address (its proxy's, unless uvicorn trusts the proxy)."""
        return _address(self.request)

    def after_commit(self, task: Callable[[], Awaitable[None]]) -> None:
        """Run ``task`` once the request's transaction is committed (e.g. send a mail)."""
        self._after_commit.append(task)

    async def _run_after_commit(self) -> None:
        for task in self._after_commit:
            try:
                await task()
            except Exception:
                logger.exception(
                    "a task after %s %s failed", self.request.method, self.request.url.path
                )


def _address(request: Request) -> str:
    client = request.client
    return client.host if client else ""


def find_handler(module: str, name: str) -> Handler | None:
    """The handler ``module.name``, or None when it is not written yet."""
    try:
        handlers = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name == module:
            return None
        raise
    handler = getattr(handlers, name, None)
    if handler is not None and not inspect.iscoroutinefunction(handler):
        raise TypeError(f"handler {module}.{name} must be an async function")
    return handler


def construct(model: type[ModelT], value: Any) -> ModelT:
    """``value``, which the model's schema accepted, as the model, without validating it again:
    the compiled validator of its schema decided (``server.validation``). What pydantic would
    make of a field is made the same way (a secret wrapped, an email normalised, nested
    models built); ``tests/unit/test_validation.py`` shows it equals ``model_validate``."""
    return _builder(model)(value)


Build = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


@functools.cache
def _builder(annotation: Any) -> Build:  # noqa: PLR0911 - one case a kind of annotation
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in arguments if a is not type(None)]
        if len(options) == 1:
            inner = _builder(options[0])
            return _identity if inner is _identity else lambda v: None if v is None else inner(v)
    elif origin is list and len(arguments) == 1:
        item = _builder(arguments[0])
        return _identity if item is _identity else lambda v: [item(x) for x in v]
    elif origin is typing.Literal or annotation in (str, int, bool, Any):
        return _identity
    elif annotation is float:
        return float
    elif annotation is SecretStr:
        return SecretStr
    elif annotation is EmailStr:
        return lambda v: validate_email(v)[1]
    elif isinstance(annotation, type) and issubclass(annotation, RootModel):
        root = _builder(annotation.model_fields["root"].annotation)
        return lambda v: annotation.model_construct(root=root(v))
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_builder(annotation)
    # Anything else pydantic validates, as before (the generated models have none of it).
    return TypeAdapter(annotation).validate_python


def _model_builder(model: type[BaseModel]) -> Build:
    fields = {
        (info.alias or name): (name, _builder(info.annotation))
        for name, info in model.model_fields.items()
    }

    def build(value: dict[str, Any]) -> BaseModel:
        values = {}
        for key, item in value.items():
            known = fields.get(key)
            if known is None:
                values[key] = item  # extra="allow": kept as it came
            else:
                values[known[0]] = known[1](item)
        return model.model_construct(**values)

    return build


def parse_body(model: type[ModelT], body: Any) -> ModelT:
    """The request body as its generated model; a mismatch names the field."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest(describe(error, prefix="body")) from None


class BodyRules(Generic[ModelT]):
    """Rules of the spec that a handler (or an operator's command) applies itself, where the
    protocol puts them: the spec's schema of ``model``'s name (``RegistrationRules``), judged
    by its validator compiled in ``generated/requests.py``, in the dispatcher's words
    (``body.email: ...``; ``prefix`` names the body), then built as the model."""

    def __init__(self, model: type[ModelT], *, prefix: str = "body") -> None:
        self._model = model
        self._prefix = prefix
        self._check = schema_check(model.__name__, prefix)

    def parse(self, body: Any) -> ModelT:
        self._check.check(body)
        return construct(self._model, body)


def describe(error: ValidationError, prefix: str = "") -> str:
    """The first problem of a pydantic error, naming its field: ``body.password: ...``."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in (prefix, *first["loc"]) if part != "")
    if first["type"] in ("too_short", "string_too_short"):
        return f"{where}: must be at least {first['ctx']['min_length']} characters"
    return f"{where}: {first['msg']}"


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec, as the generated glue declares it."""

    operation_id: str
    handler: Handler | None
    # Alternatives of security schemes, as in the spec; an empty one means anonymous is allowed.
    security: tuple[tuple[str, ...], ...]
    # Whether it runs in a writing unit of work: every method but GET and HEAD, and an
    # operation the spec marks x-hubindex-writes.
    writes: bool
    # Status code -> the model of its body (None: no body).
    responses: Mapping[int, type[BaseModel] | None]

    @property
    def success_status(self) -> int:
        return min(status for status in self.responses if 200 <= status < 300)

    @asynccontextmanager
    async def call(self, request: Request, state: AppState) -> AsyncIterator[Call]:
        """One call of the handler: authenticated, in one transaction committed at the end.

        501 without a handler. Credentials are checked only where the spec asks for them, and
        refused (401) when wrong even where an anonymous call would have been allowed.
        """
        if self.handler is None:
            raise NotImplementedYet()
        credential = self._credential(request)
        async with state.unit_of_work(writes=self.writes) as services:
            identity = await services.identify(credential, _address(request))
            request.scope.get(REQUEST_INFO, {})["user"] = _label(identity)
            call = Call(request, identity, services, state.settings)
            yield call
        await call._run_after_commit()

    def _credential(self, request: Request) -> Credential | None:
        if not self.security:
            return None
        credential = parse_authorization(request.headers.get("Authorization"))
        if credential is None:
            if () not in self.security:
                raise AuthenticationFailed("authentication required")
        elif not any(_accepts(scheme, credential) for option in self.security for scheme in option):
            kind = type(credential).__name__.removesuffix("Credential")
            raise AuthenticationFailed(f"{kind} credentials are not accepted here")
        return credential

    def respond(self, result: Reply | BaseModel | None) -> Response:
        reply = result if isinstance(result, Reply) else Reply(self.success_status, result)
        if reply.status not in self.responses:
            raise RuntimeError(f"{self.operation_id} answered undocumented status {reply.status}")
        model = self.responses[reply.status]
        if model is None:
            if reply.body is not None:
                raise RuntimeError(f"{self.operation_id} {reply.status} documents no body")
            return Response(status_code=reply.status, headers=dict(reply.headers))
        if not isinstance(reply.body, model):
            raise RuntimeError(
                f"{self.operation_id} {reply.status} must answer {model.__name__},"
                f" not {type(reply.body).__name__}"
            )
        content = reply.body.model_dump_json(exclude_none=True).encode()
        return Response(content, reply.status, headers=dict(reply.headers), media_type=JSON)


def _label(identity: Identity) -> str:
    """Who called, for the log: a username, or what a token allowed; never a secret."""
    match identity:
        case Account():
            return identity.username
        case Grant():
            return f"token:{identity.repository}:{identity.access}"
        case _:
            return "-"


def _accepts(scheme: str, credential: Credential) -> bool:
    return isinstance(credential, SCHEME_CREDENTIALS[scheme])
