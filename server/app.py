"""The ASGI application: Connexion, driven by the spec, around the generated glue.

Two engines answer the spec's operations (``HUBINDEX_ENGINE``): ``fast``, the default, where
``server.engine.fast`` answers them in front of Connexion; ``connexion``, where Connexion's own
request pipeline does (``server.engine.reference``). Both call the same generated glue.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml
from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.security import SecurityMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import RelativeResolver, Resolver
from connexion.utils import get_function_from_name
from prometheus_client import start_http_server
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect
from starlette.responses import RedirectResponse, Response

import generated
from generated import models, requests
from server.composition import AppState
from server.engine import reference
from server.engine.connexion_checks import VALIDATOR_MAP_OVERRIDES
from server.engine.fast import Dispatcher
from server.engine.operation import retrying
from server.errors import AuthenticationFailed, BodyIncomplete, HubIndexError
from server.http.access_log import RequestLogMiddleware
from server.http.body_limit import BodyLimitMiddleware
from server.http.metrics import Metrics
from server.http.responses import error_response, response_for
from server.logs import flush_all
from server.settings import Settings, check_mail_links, load_settings, mask_password
from server.version import VERSION

# The spec as scripts/generate wrote it beside the glue (its manifest covers it): JSON loads in
# a few milliseconds where PyYAML takes half a second; in a wheel, it is package data.
SPEC_PATH = Path(generated.__file__).resolve().parent / "openapi.json"
GLUE_PACKAGE = "generated.operations"
# Connexion's own security middleware, with hubindex's rule for a spec's alternatives: it calls
# the checkers the spec names (server/http/security.py) under the reference engine, and
# resolves them at start-up under both.
MIDDLEWARES = [
    reference.Security if m is SecurityMiddleware else m
    for m in ConnexionMiddleware.default_middlewares
]

logger = logging.getLogger(__name__)


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    """The OpenAPI document at ``path``: JSON, or YAML (with libyaml's loader when there)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def create_app(settings: Settings, *, spec_path: Path = SPEC_PATH) -> AsyncApp:
    check_mail_links(settings)
    spec = load_spec(spec_path)
    state = AppState(settings)

    metrics = Metrics(state.database.pool)

    @asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        # First: a process whose secrets key does not fit the database must not serve at all.
        await asyncio.to_thread(state.prepare_secrets)
        await state.start()
        # Only a serving process delivers webhooks (not an operator's command's state).
        await state.deliveries.start()
        await state.pulls.start()
        await state.audit_pruning.start()
        logger.info(
            "hubindex %s started: engine %s, database %s",
            VERSION,
            settings.engine,
            mask_password(settings.database_url),
        )
        metrics_server = None
        if settings.metrics_port is not None:
            metrics_server, _ = start_http_server(
                settings.metrics_port, settings.metrics_host, registry=metrics.registry
            )
        try:
            yield
        finally:
            if metrics_server is not None:
                metrics_server.shutdown()
                metrics_server.server_close()
            await state.close()
            flush_all()  # every request has ended: its access line is written before the exit

    app = AsyncApp(
        __name__,
        lifespan=lifespan,
        middlewares=list(MIDDLEWARES),
        swagger_ui_options=SwaggerUIOptions(
            swagger_ui_path="/docs",
            # No call to the public validator badge: the page works offline. Operation ids are
            # hidden (Swagger UI's default): a row shows method, path and summary; the id names a
            # handler of ours and a function of the Python client, whose samples site/ shows.
            swagger_ui_config={"validatorUrl": None, "displayOperationId": False},
        ),
    )

    def glue(operation_id: str) -> Any:
        return retrying(get_function_from_name(f"{GLUE_PACKAGE}.{operation_id}"))

    # The counts are kept only where they are served: they cost a request a few µs.
    observed = metrics if settings.metrics_port is not None else None
    app.add_middleware(
        RequestLogMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, metrics=observed
    )
    app.add_middleware(
        BodyLimitMiddleware,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        max_bytes=settings.max_body_bytes,
        buffer_bytes=settings.body_buffer_bytes,
    )
    if settings.engine == "connexion":
        # Connexion routes, parses and validates every request, then calls an adapter that
        # hands the request, the state and the values to the glue.
        adapters = reference.adapters(requests, models, glue, state)
        app.add_api(
            spec,
            resolver=Resolver(function_resolver=adapters.__getitem__),
            pythonic_params=True,
            validate_responses=settings.validate_responses,
            validator_map=VALIDATOR_MAP_OVERRIDES,
        )
        app.add_middleware(
            reference.StateInScope, position=MiddlewarePosition.BEFORE_EXCEPTION, state=state
        )
    else:
        # Connexion resolves every operation to its glue now, failing early on a missing one,
        # and serves the docs; the operations themselves are answered by the Dispatcher, in
        # front.
        app.add_api(spec, resolver=RelativeResolver(GLUE_PACKAGE), pythonic_params=True)
        app.add_middleware(
            Dispatcher,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            compiled=requests,
            resolve=glue,
            state=state,
            models=models,
            validate_responses=settings.validate_responses,
        )
    # Not an operation of the API (no Docker client asks for it, and it answers no JSON): a
    # person's way from the bare address to the docs, beside them, outside the spec.
    app.add_url_rule("/", "root", _to_the_docs)
    # The first two answer only under the connexion engine: the Dispatcher answers its own.
    app.add_error_handler(HubIndexError, _domain_error)
    app.add_error_handler(ProblemException, _problem)
    app.add_error_handler(UnicodeDecodeError, _not_utf8)
    app.add_error_handler(MultiPartException, _bad_multipart)
    app.add_error_handler(ClientDisconnect, _client_gone)
    app.add_error_handler(HTTPException, _http_error)
    app.add_error_handler(Exception, _unexpected)
    return app


def create_app_from_environment() -> AsyncApp:
    """The factory ``hubindex serve`` hands to uvicorn."""
    return create_app(load_settings())


def _to_the_docs(_request: object) -> Response:
    return RedirectResponse("/docs/", status_code=307)


# Connexion's error handlers answer with a ConnexionResponse, not a Starlette one.
def _domain_error(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    assert isinstance(error, HubIndexError)
    return _for_connexion(response_for(error))


def _problem(_request: ConnexionRequest, problem: Exception) -> ConnexionResponse:
    """Connexion's own errors (validation, content type) as ``{"error": ...}``."""
    assert isinstance(problem, ProblemException)
    message = reference.problem_message(problem)
    if problem.status == 401:  # Connexion's security handlers: answered as hubindex's own
        return _domain_error(_request, AuthenticationFailed(message))
    return _for_connexion(error_response(problem.status, message, problem.headers))


def _not_utf8(_request: ConnexionRequest, _error: Exception) -> ConnexionResponse:
    """Connexion decodes a JSON body without catching this (protocol.md, Errors: 400)."""
    return _for_connexion(error_response(400, "the request body is not valid UTF-8"))


def _bad_multipart(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    """Connexion parses a multipart body without catching this (a missing boundary, a part
    too large): a 400, as the fast engine answers (server/http/forms.py)."""
    message = getattr(error, "message", str(error))
    return _for_connexion(error_response(400, f"the multipart body cannot be read: {message}"))


def _client_gone(_request: ConnexionRequest, _error: Exception) -> ConnexionResponse:
    """The client left (or was timed out) before its body arrived: nothing to act on."""
    return _domain_error(_request, BodyIncomplete())


def _http_error(_request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    assert isinstance(error, HTTPException)
    return _for_connexion(error_response(error.status_code, str(error.detail), error.headers))


def _unexpected(request: ConnexionRequest, error: Exception) -> ConnexionResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _for_connexion(error_response(500, "internal server error"))


def _for_connexion(response: Response) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=response.status_code,
        mimetype=response.media_type,
        content_type=response.media_type,
        body=response.body,
        # Headers, not a dict: a 401's challenges are fields of the same name.
        headers=MutableHeaders(
            raw=[
                (name, value)
                for name, value in response.headers.raw
                if name not in (b"content-length", b"content-type")
            ]
        ),
    )
