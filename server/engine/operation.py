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
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.auth import IDENTITY
from server.composition import AppState
from server.engine.response_json import Writer, writer_for
from server.errors import DatabaseUnavailable, NotImplementedYet
from server.handlers.call import Call, Content, Encoded, Reply
from server.http.access_log import REQUEST_INFO
from server.http.responses import JSON, documented_key
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
    # Status code, range (2XX) or default -> the model of its JSON body (None: no JSON body).
    responses: Mapping[int | str, type[BaseModel] | None]
    # Status code, range or default -> the media types of a body that is not JSON.
    media: Mapping[int | str, tuple[str, ...]] = field(default_factory=dict)
    # Status code -> how its body is written as the spec's JSON (server/engine/response_json.py).
    writers: Mapping[int | str, Writer] = field(init=False)

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
        """The lowest documented 2xx; 200 where only 2XX or default documents success."""
        explicit = [s for s in self.responses if isinstance(s, int) and 200 <= s < 300]
        return min(explicit, default=200)

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

    def respond(self, result: Reply | BaseModel | Encoded | Content | None) -> Response:
        reply = result if isinstance(result, Reply) else Reply(self.success_status, result)
        status = reply.status
        key = status if status in self.responses else documented_key(status, self.responses)
        if key is None:
            raise RuntimeError(f"{self.operation_id} answered undocumented status {status}")
        model = self.responses[key]
        if model is None:
            if self.media and key in self.media:
                return self._content(reply, self.media[key])
            if reply.body is not None:
                raise RuntimeError(f"{self.operation_id} {status} documents no body")
            return Response(status_code=status, headers=dict(reply.headers))
        if isinstance(reply.body, Encoded) and reply.body.model is model:
            content = reply.body.content
        elif isinstance(reply.body, model):
            content = self.writers[key](reply.body)
        else:
            answered = reply.body.model if isinstance(reply.body, Encoded) else type(reply.body)
            raise RuntimeError(
                f"{self.operation_id} {status} must answer {model.__name__},"
                f" not {answered.__name__}"
            )
        return Response(content, status, headers=dict(reply.headers), media_type=JSON)

    def _content(self, reply: Reply, media: tuple[str, ...]) -> Response:
        """A body that is not JSON, with the media type the spec declares for it: bytes or
        text as they are, an iterator of them streamed."""
        media_type = reply.media_type or (media[0] if len(media) == 1 else None)
        if media_type not in media:
            raise RuntimeError(
                f"{self.operation_id} {reply.status} declares {', '.join(media)}: answer"
                f" Reply(..., media_type=) with one of them, not {media_type}"
            )
        body, headers = reply.body, dict(reply.headers)
        if isinstance(body, bytes | str):
            return Response(body, reply.status, headers=headers, media_type=media_type)
        if isinstance(body, AsyncIterable | Iterable) and not isinstance(body, BaseModel):
            return StreamingResponse(body, reply.status, headers=headers, media_type=media_type)
        raise RuntimeError(
            f"{self.operation_id} {reply.status} must answer bytes, str or an iterator of them"
            f" as {media_type}, not {type(body).__name__}"
        )


@cache
def _compiled_responses() -> dict[str, dict[int | str, Any]]:
    """Each operation's documented response schemas, references resolved, by status."""
    from generated import requests

    return {
        operation["operation_id"]: {
            status: None if response["schema"] is None else requests.SCHEMAS[response["schema"]]
            for status, response in operation["responses"].items()
        }
        for operation in requests.OPERATIONS
    }


def _response_schemas(operation_id: str) -> Mapping[int | str, Any]:
    return _compiled_responses().get(operation_id, {})
