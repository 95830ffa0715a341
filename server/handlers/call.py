"""What a handler is given (a :class:`Call`) and may answer (a :class:`Reply`), and the rules
of the spec a handler applies itself (:class:`BodyRules`)."""

import logging
import re
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from generated import requests
from server.auth import Identity
from server.composition import Services
from server.errors import InvalidRequest
from server.http.body import ModelT, describe
from server.http.validation import BodyCheck
from server.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Encoded:
    """A body already encoded as JSON, for answers too large to build and validate as models
    (an image list the database encodes itself). ``model`` is the documented model it
    encodes; the encoding must be what ``model.model_dump_json(exclude_none=True)`` would
    answer up to spacing and key order. HUBINDEX_VALIDATE_RESPONSES checks it like any
    other body."""

    model: type[BaseModel]
    content: bytes


# A body that is not JSON: its bytes, its text, or an iterator of either, streamed.
Content = bytes | str | AsyncIterable[bytes | str] | Iterable[bytes | str]


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's answer when the default (first documented 2xx, no headers) won't do.

    A response the spec documents with a media type other than JSON (``text/csv``,
    ``application/octet-stream``) answers ``bytes``, ``str`` (sent as UTF-8) or an iterator of
    them (streamed); ``media_type`` names which of the declared types, where it declares
    several."""

    status: int
    body: BaseModel | Encoded | Content | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    media_type: str | None = None


@dataclass(slots=True)
class Call:
    """One request as a handler sees it."""

    request: Request
    identity: Identity
    services: Services
    settings: Settings
    # What the security checker of the alternative met answered (server/http/security.py):
    # for an AND of schemes, each one's by scheme name; {} for an anonymous call.
    claims: Mapping[str, Any] = field(default_factory=dict)
    _after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    @property
    def address(self) -> str:
        """The client's address (its proxy's, unless uvicorn trusts the proxy)."""
        return client_address(self.request)

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


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def client_address(request: Request) -> str:
    """The client's address, as the login and registration limits count it: a trusted proxy's
    ``X-Forwarded-For`` names it in any text, so control characters (a NUL, which PostgreSQL's
    text columns refuse) are dropped and it is cut to the 64 characters the tables hold."""
    client = request.client
    return _CONTROL.sub("", client.host)[:64] if client else ""


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


def schema_check(name: str, prefix: str = "body") -> BodyCheck:
    """The spec's ``components/schemas/<name>`` as a BodyCheck, for rules a handler applies
    itself rather than the dispatcher, at the point the protocol puts them (a registration's
    rules come after the lookup of its username): compiled in ``generated/requests.py``."""
    schema_id = requests.COMPONENTS[name]
    validate = getattr(requests, f"validate_{schema_id}")
    return BodyCheck(validate, requests.SCHEMAS[schema_id], prefix=prefix)
