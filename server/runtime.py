"""What the generated operation modules call.

Generated glue (``generated/operations``) turns a request into typed arguments, calls the
hand-written handler in ``server.handlers`` and gives its result to :meth:`Operation.respond`,
which checks it against the responses the spec documents and writes it.
"""

import importlib
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from connexion import request as current_request
from connexion.lifecycle import ConnexionRequest
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.responses import Response

from server.credentials import SCHEME_CREDENTIALS, Credential, parse_authorization
from server.errors import AuthenticationFailed, InvalidRequest, NotImplementedYet
from server.responses import JSON

Handler = Callable[..., Awaitable[Any]]
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's answer when the default (first documented 2xx, no headers) won't do."""

    status: int
    body: BaseModel | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Call:
    """One request as a handler sees it."""

    request: ConnexionRequest
    credential: Credential | None

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)


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


_adapters: dict[Any, TypeAdapter[Any]] = {}


def parse_header(call: Call, name: str, annotation: Any) -> Any:
    """A header parameter, typed as the spec declares it (Connexion has validated it)."""
    raw = call.header(name)
    if raw is None:
        return None
    adapter = _adapters.get(annotation) or _adapters.setdefault(annotation, TypeAdapter(annotation))
    try:
        return adapter.validate_python(raw)
    except ValidationError:
        raise InvalidRequest(f"header {name}: invalid value") from None


def parse_body(model: type[ModelT], body: Any) -> ModelT:
    """The request body as its generated model; a mismatch names the field."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in ("body", *first["loc"]))
        raise InvalidRequest(f"{where}: {first['msg']}") from None


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec, as the generated glue declares it."""

    operation_id: str
    handler: Handler | None
    # Alternatives of security schemes, as in the spec; an empty one means anonymous is allowed.
    security: tuple[tuple[str, ...], ...]
    # Status code -> the model of its body (None: no body).
    responses: Mapping[int, type[BaseModel] | None]

    @property
    def success_status(self) -> int:
        return min(status for status in self.responses if 200 <= status < 300)

    def begin(self) -> Call:
        """Start a call: 501 without a handler; the credential, if the security accepts it."""
        if self.handler is None:
            raise NotImplementedYet()
        if not self.security:
            return Call(current_request, None)
        credential = parse_authorization(current_request.headers.get("Authorization"))
        if credential is None:
            if () not in self.security:
                raise AuthenticationFailed("authentication required")
        elif not any(_accepts(scheme, credential) for option in self.security for scheme in option):
            kind = type(credential).__name__.removesuffix("Credential")
            raise AuthenticationFailed(f"{kind} credentials are not accepted here")
        return Call(current_request, credential)

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


def _accepts(scheme: str, credential: Credential) -> bool:
    return isinstance(credential, SCHEME_CREDENTIALS[scheme])
