"""What the generated operation modules call.

Generated glue (``generated/operations``) is called by an engine (``server.engine.fast`` or
Connexion's own pipeline, ``server.engine.reference``) with the request, the app's state and
the request's values as typed keyword arguments; it calls the hand-written handler in
``server.handlers`` and gives its result to :meth:`Operation.respond`, which checks it against
the responses the spec documents and writes it.
"""

import asyncio
import functools
import importlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from server.auth import IDENTITY
from server.composition import AppState
from server.engine.response_json import Writer, writer_for
from server.errors import DatabaseUnavailable, NotImplementedYet
from server.handlers.call import Call, Encoded, Reply
from server.http.access_log import REQUEST_INFO
from server.http.responses import JSON
from server.http.security import claims_of

Handler = Callable[..., Awaitable[Any]]
Glue = Callable[..., Awaitable[Response]]

logger = logging.getLogger(__name__)

# Before the one retry of a request that met a failed database: a terminated connection is
# replaced at once, a connection limit or a failover may take a moment.
RETRY_PAUSE_SECONDS = 0.05


def retrying(glue: Glue) -> Glue:
    """``glue`` (a generated operation function), run once more when its unit of work met a
    failed database (DatabaseUnavailable) where that is safe: the unit only read, or never had
    a connection. Otherwise, or when it fails again, the 503 it raised. The request's values
    (its body included) were read before, so the second run is handed the same."""

    @functools.wraps(glue)
    async def run(request: Request, state: AppState, **arguments: Any) -> Response:
        try:
            return await glue(request, state, **arguments)
        except DatabaseUnavailable as error:
            if not error.retry_safe:
                _log_unavailable(request, error, "not retried: the unit may have written")
                raise
            _log_unavailable(request, error, "retrying once")
        await asyncio.sleep(RETRY_PAUSE_SECONDS)
        try:
            return await glue(request, state, **arguments)
        except DatabaseUnavailable as error:
            _log_unavailable(request, error, "failed again")
            raise

    return run


def _log_unavailable(request: Request, error: DatabaseUnavailable, outcome: str) -> None:
    logger.warning(
        "database unavailable on %s %s (%s): %s",
        request.method, request.url.path, error.reason, outcome,
    )  # fmt: skip


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
    # Status code -> how its body is written as the spec's JSON (server/engine/response_json.py).
    writers: Mapping[int, Writer] = field(init=False)

    def __post_init__(self) -> None:
        schemas = _response_schemas(self.operation_id)
        writers = {
            status: writer_for(model, schemas.get(status) or {})
            for status, model in self.responses.items()
            if model is not None
        }
        object.__setattr__(self, "writers", writers)

    @property
    def success_status(self) -> int:
        return min(status for status in self.responses if 200 <= status < 300)

    @asynccontextmanager
    async def call(self, request: Request, state: AppState) -> AsyncIterator[Call]:
        """One call of the handler, in one transaction committed at the end, with what the
        operation's security checker answered.

        501 without a handler. The engine has decided the security before (and before the
        body was read: server/http/security.py); an operation with security that reaches
        here undecided is a bug of the engine, never an anonymous call.
        """
        if self.handler is None:
            raise NotImplementedYet()
        claims = claims_of(request.scope)
        if claims is None:
            if self.security:
                raise RuntimeError(f"{self.operation_id}: its security was not checked")
            claims = {}
        elif "sub" in claims:
            request.scope.get(REQUEST_INFO, {})["user"] = str(claims["sub"])
        identity = claims.get(IDENTITY)
        async with state.unit_of_work(writes=self.writes) as services:
            call = Call(request, identity, services, state.settings, claims)
            yield call
        await call._run_after_commit()

    def respond(self, result: Reply | BaseModel | Encoded | None) -> Response:
        reply = result if isinstance(result, Reply) else Reply(self.success_status, result)
        if reply.status not in self.responses:
            raise RuntimeError(f"{self.operation_id} answered undocumented status {reply.status}")
        model = self.responses[reply.status]
        if model is None:
            if reply.body is not None:
                raise RuntimeError(f"{self.operation_id} {reply.status} documents no body")
            return Response(status_code=reply.status, headers=dict(reply.headers))
        if isinstance(reply.body, Encoded) and reply.body.model is model:
            content = reply.body.content
        elif isinstance(reply.body, model):
            content = self.writers[reply.status](reply.body)
        else:
            answered = reply.body.model if isinstance(reply.body, Encoded) else type(reply.body)
            raise RuntimeError(
                f"{self.operation_id} {reply.status} must answer {model.__name__},"
                f" not {answered.__name__}"
            )
        return Response(content, reply.status, headers=dict(reply.headers), media_type=JSON)


@cache
def _compiled_responses() -> dict[str, dict[int, Any]]:
    """Each operation's documented response schemas, references resolved, by status."""
    from generated import requests

    return {
        operation["operation_id"]: {
            status: None if schema_id is None else requests.SCHEMAS[schema_id]
            for status, schema_id in operation["responses"].items()
        }
        for operation in requests.OPERATIONS
    }


def _response_schemas(operation_id: str) -> Mapping[int, Any]:
    return _compiled_responses().get(operation_id, {})
