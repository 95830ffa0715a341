"""What the generated operation modules call.

Generated glue (``generated/operations``) is called by an engine (``server.dispatch`` or
Connexion's own pipeline, see ``server.app``) with the request, the app's state and the
request's values as typed keyword arguments; it calls the hand-written handler in
``server.handlers`` and gives its result to :meth:`Operation.respond`, which checks it against
the responses the spec documents and writes it.
"""

import importlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
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


def parse_body(model: type[ModelT], body: Any) -> ModelT:
    """The request body as its generated model; a mismatch names the field.

    After the compiled validator accepted it, pydantic only builds the model: it accepts every
    value the schema does (``tests/unit/test_validation.py``), and pydantic-core builds a
    model faster than Python could without validating (100 images: 59 µs; model_construct,
    nested: 226 µs)."""
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
        try:
            return self._model.model_validate(body)
        except ValidationError as error:
            raise InvalidRequest(describe(error, prefix=self._prefix)) from None


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
