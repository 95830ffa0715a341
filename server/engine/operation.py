"""What the generated operation modules call.

Generated glue (``generated/operations``) is called by an engine (``server.engine.fast`` or
Connexion's own pipeline, ``server.engine.reference``) with the request, the app's state and
the request's values as typed keyword arguments; it calls the hand-written handler in
``server.handlers`` and gives its result to :meth:`Operation.respond`, which checks it against
the responses the spec documents and writes it.
"""

import importlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from server.auth import Account, Grant, Identity
from server.composition import AppState
from server.engine.response_json import Writer, writer_for
from server.errors import AuthenticationFailed, NotImplementedYet
from server.handlers.call import Call, Reply, client_address
from server.http.access_log import REQUEST_INFO
from server.http.credentials import SCHEME_CREDENTIALS, Credential, parse_authorization
from server.http.responses import JSON

Handler = Callable[..., Awaitable[Any]]


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
        """One call of the handler: authenticated, in one transaction committed at the end.

        501 without a handler. Credentials are checked only where the spec asks for them, and
        refused (401) when wrong even where an anonymous call would have been allowed.
        """
        if self.handler is None:
            raise NotImplementedYet()
        credential = self._credential(request)
        async with state.unit_of_work(writes=self.writes) as services:
            identity = await services.identify(credential, client_address(request))
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
        content = self.writers[reply.status](reply.body)
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
