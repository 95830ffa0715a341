"""A request body: read within its limit, parsed by its media type (JSON, a form, text), checked
by its schema and built into its generated model."""

import functools
import json
import math
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from pydantic import BaseModel, RootModel, TypeAdapter, ValidationError
from starlette.types import Receive, Scope

from server.errors import BodyIncomplete, InvalidRequest, UnsupportedMediaType
from server.http.forms import Form, read_form, text_body
from server.http.parameters import header
from server.http.validation import BodyCheck
from server.workers import WorkerThreads

_SURROGATE = re.compile("[\ud800-\udfff]")
# Where a JSON text can hold one: valid UTF-8 encodes no surrogate, so only an escape of one
# (\ud800 to \udfff) makes it. A text without any needs no walk through what it parsed to (a
# 10,000-image list: 20 ms of CPU); an escaped backslash before "ud800" only costs the walk.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_body(model: type[ModelT], body: Any) -> ModelT:
    """The request body as its generated model; a mismatch names the field.

    After the compiled validator accepted it, pydantic only builds the model: it accepts every
    value the schema does (``tests/unit/test_validation.py``), and pydantic-core builds a
    model faster than Python could without validating (100 images: 59 µs; model_construct,
    nested: 226 µs). A long list at the root is built a slice at a time (``_in_slices``)."""
    try:
        if isinstance(body, list) and len(body) > BUILD_SLICE:
            items = _root_items(model)
            if items is not None:
                return _in_slices(model, items, body)
        return model.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest(describe(error, prefix="body")) from None


# Items of a list at the root built per call of pydantic: one call holds the interpreter for
# its whole length (10,000 images: 18 ms of CPU), and the event loop's thread waits for the
# interpreter meanwhile (a ping of the writers' attack in scripts/stress: p99 ~190 ms). Between
# slices of ~1 ms it takes the interpreter at its next switch (server.cli.serve sets the
# interval).
BUILD_SLICE = 500


@functools.cache
def _root_items(model: type[BaseModel]) -> TypeAdapter[list[Any]] | None:
    """For a RootModel of a list: a builder of slices of its items; None for any other."""
    if not issubclass(model, RootModel):
        return None
    annotation = model.model_fields["root"].annotation
    if typing.get_origin(annotation) is not list:
        return None
    return TypeAdapter(annotation)


def _in_slices(model: type[ModelT], items: TypeAdapter[list[Any]], body: list[Any]) -> ModelT:
    """``model.model_validate(body)``, the items built a slice at a time. The list's own
    constraints (maxItems) are the compiled validator's, which has accepted it already; a
    refusal is worded as the whole list's would be."""
    built: list[Any] = []
    for start in range(0, len(body), BUILD_SLICE):
        try:
            built.extend(items.validate_python(body[start : start + BUILD_SLICE]))
        except ValidationError:
            return model.model_validate(body)  # raises, naming the item by its place
    return model.model_construct(built)


def describe(error: ValidationError, prefix: str = "") -> str:
    """The first problem of a pydantic error, naming its field: ``body.password: ...``."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in (prefix, *first["loc"]) if part != "")
    if first["type"] in ("too_short", "string_too_short"):
        return f"{where}: must be at least {first['ctx']['min_length']} characters"
    return f"{where}: {first['msg']}"


# A JSON body this large is parsed, checked and built on a worker thread: a 10,000-image list
# (1.6 MB) costs some 40 ms of CPU on an idle machine, which on the event loop every other
# request would wait for; there it shares the interpreter in slices (sys.getswitchinterval).
# One thread, one body at a time (the others wait for it, their memory bounded by
# server.http.body_limit): each thread that holds the interpreter is one more the loop waits
# behind. At the process's priority, not below it: a thread that holds the interpreter and is
# kept off the CPU by the scheduler keeps the loop waiting with it.
LARGE_BODY_BYTES = 64 * 1024
_LARGE_BODIES = WorkerThreads(1, "hubindex-body", niceness=0)

# The kinds of request body generated/requests.py names, by media type.
JSON_KIND, FORM_KIND, MULTIPART_KIND, TEXT_KIND = "json", "form", "multipart", "text"
# A form's values, kept in the scope until the handler has returned, for its files to be closed.
FORM_SCOPE_KEY = "hubindex.form"


@dataclass(frozen=True, slots=True)
class Body:
    required: bool
    media_types: tuple[str, ...]
    schema: BodyCheck
    build: Callable[[Any], Any]  # the validated value as the glue takes it: its model
    kinds: Mapping[str, str]  # media type -> JSON_KIND, FORM_KIND, MULTIPART_KIND or TEXT_KIND
    form: Form | None = None  # how a form's fields are typed, for a form or multipart body
    # Whether a request may send files, which must be closed after the handler: once, here.
    multipart: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "multipart", MULTIPART_KIND in self.kinds.values())

    async def read(self, scope: Scope, receive: Receive) -> Any:
        content_type = header(scope, b"content-type")
        kind = None
        if content_type is not None:
            media_type = content_type.partition(";")[0].strip().lower()
            kind = self.kinds.get(media_type)
            if kind is None:
                accepted = ", ".join(self.media_types)
                raise UnsupportedMediaType(
                    f"Content-Type {media_type or '(empty)'} is not accepted here: send {accepted}"
                )
            if kind == MULTIPART_KIND:
                return await self._read_multipart(scope, receive)
        raw = await read_body(receive)
        if not raw:
            if self.required:
                raise InvalidRequest("the request body must not be empty")
            return None
        if content_type is None:
            raise InvalidRequest(
                f"the request body has no Content-Type: send {', '.join(self.media_types)}"
            )
        if kind == JSON_KIND:
            if len(raw) >= LARGE_BODY_BYTES:
                return await _LARGE_BODIES.run(self._json, raw)
            return self._json(raw)
        if kind == TEXT_KIND:
            text = text_body(raw, content_type)
            self.schema.check(text)
            return text
        return self._built(parse_form(raw))

    def _json(self, raw: bytes) -> Any:
        body = parse_json_body(raw)
        self.schema.check(body)
        return self.build(body)

    async def _read_multipart(self, scope: Scope, receive: Receive) -> Any:
        form = await read_form(scope, receive, multipart=True)
        scope[FORM_SCOPE_KEY] = form
        if not form:
            if self.required:
                raise InvalidRequest("the request body must not be empty")
            return None
        return self._built(form.multi_items())

    def _built(self, items: Iterable[tuple[str, Any]]) -> Any:
        assert self.form is not None  # a form kind has its fields: scripts/generate
        values = self.form.values(items)
        self.form.check(self.schema, values)
        return self.build(values)


def parse_form(raw: bytes) -> list[tuple[str, str]]:
    """An urlencoded body's fields, in order (UTF-8, as HTML forms send them)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("the request body is not valid UTF-8") from None
    return parse_qsl(text, keep_blank_values=True)


async def read_body(receive: Receive) -> bytes:
    """The whole body; BodyIncomplete when the client is gone before its end (a part of a
    JSON document may be a whole one: ``[]`` of ``[] ``)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise BodyIncomplete()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def parse_json_body(raw: bytes) -> Any:
    """A request body as JSON (which is UTF-8, whatever charset is declared), or InvalidRequest."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("the request body is not valid UTF-8") from None
    try:
        body = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except RecursionError:
        raise InvalidRequest("the request body is nested too deeply") from None
    except _BeyondDouble as error:
        raise InvalidRequest(f"the request body holds a number {error}") from None
    except ValueError as error:  # malformed, or a number too long to convert
        raise InvalidRequest(f"the request body is not valid JSON: {error}") from None
    if _SURROGATE_ESCAPE.search(text) is not None and _has_lone_surrogate(body):
        # JSON may escape one (\ud800), but it is no character: nothing downstream could
        # encode it.
        raise InvalidRequest("the request body holds an unpaired \\u surrogate")
    return body


def _refuse_constant(name: str) -> Any:
    # Python's json takes NaN, Infinity and -Infinity; JSON (RFC 8259) has no such numbers.
    raise ValueError(f"{name} is not a JSON number")


class _BeyondDouble(ValueError):
    pass


def _finite(text: str) -> float:
    # RFC 8259 6 lets a reader keep to IEEE 754 doubles: 1e400 is no double (Python's json
    # would read infinity, which no handler, schema check or JSON answer can use).
    value = float(text)
    if math.isinf(value):
        raise _BeyondDouble(f"beyond the range of a double: {text[:40]}")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
