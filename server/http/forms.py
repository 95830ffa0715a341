"""Form bodies (``application/x-www-form-urlencoded``, ``multipart/form-data``) and text bodies:
read within the body limit, each field typed as its schema says, checked like a JSON body.

A file part is handed over as Starlette's ``UploadFile``, the type Connexion hands its own
handlers: Starlette's multipart parser writes it into a ``SpooledTemporaryFile`` as it arrives
(kept in memory up to 1 MiB, then on disk), so a large upload is never held whole in memory, and
the reference engine passes the very object Connexion made. It is open until the handler
returns; read it with ``await file.read()`` (or ``file.file`` in a thread).
"""

import codecs
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import PlainValidator
from pydantic_core import PydanticCustomError
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.types import Receive, Scope

from server.errors import BodyIncomplete, InvalidRequest
from server.http.validation import BodyCheck

# A form field's own text (not a file) may be this long: Starlette's default, 1 MiB.
MAX_FIELD_BYTES = 1024 * 1024


def _uploaded(value: Any) -> UploadFile:
    if isinstance(value, UploadFile):
        return value
    raise PydanticCustomError("file", "must be a file (a part with a filename), not text")


def _all_uploaded(value: Any) -> list[UploadFile]:
    if isinstance(value, list) and all(isinstance(item, UploadFile) for item in value):
        return value
    raise PydanticCustomError("files", "must be files (parts with a filename), not text")


# A file property of a multipart body's model, and an array of files (scripts/generate types
# them so).
FilePart = Annotated[UploadFile, PlainValidator(_uploaded)]
FileParts = Annotated[list[UploadFile], PlainValidator(_all_uploaded)]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    convert: Callable[[str], Any] | None  # None: the text as it is
    array: bool
    file: bool


class Form:
    """How one operation's form body becomes the values of its model."""

    __slots__ = ("fields", "files")

    def __init__(self, fields: Iterable[Field]) -> None:
        self.fields = {field.name: field for field in fields}
        self.files = tuple(name for name, field in self.fields.items() if field.file)

    def values(self, items: Iterable[tuple[str, str | UploadFile]]) -> dict[str, Any]:
        """The body's values, each field typed by its schema (a text that does not convert
        stays text, for the schema check to word), each file as its UploadFile. A repeated
        field counts once, its last value, unless it is an array; a file whose name the schema
        does not have is ignored, as Connexion ignores it (closed with the form)."""
        grouped: dict[str, list[str | UploadFile]] = {}
        for name, value in items:
            grouped.setdefault(name, []).append(value)
        values: dict[str, Any] = {}
        for name, given in grouped.items():
            field = self.fields.get(name)
            if field is None:
                if not any(isinstance(value, UploadFile) for value in given):
                    values[name] = given[-1]
                continue
            if field.file:
                if field.array:
                    values[name] = given
                elif len(given) > 1:
                    raise InvalidRequest(f"body.{name}: one file, not {len(given)}")
                else:
                    values[name] = given[0]
                continue
            if any(isinstance(value, UploadFile) for value in given):
                raise InvalidRequest(f"body.{name}: must be text, not a file")
            texts: list[str] = given  # type: ignore[assignment]
            if field.array:
                values[name] = [_converted(field, text) for text in texts]
            else:
                values[name] = _converted(field, texts[-1])
        return values

    def check(self, schema: BodyCheck, values: Mapping[str, Any]) -> None:
        """The schema check, each file standing for itself as a string (as Connexion has it)."""
        schema.check({name: _as_text(value) for name, value in values.items()})


def _as_text(value: Any) -> Any:
    if isinstance(value, UploadFile):
        return ""
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return value


def _converted(field: Field, text: str) -> Any:
    if field.convert is not None:
        with contextlib.suppress(ValueError):
            return field.convert(text)
    return text


async def read_form(scope: Scope, receive: Receive, *, multipart: bool) -> FormData:
    """The fields (and files) of a form body, read chunk by chunk: past the body limit the
    reading raises PayloadTooLarge (server/http/body_limit.py) and every file is closed."""
    parser_class = MultiPartParser if multipart else FormParser
    kwargs = {"max_part_size": MAX_FIELD_BYTES} if multipart else {}
    parser = parser_class(Headers(scope=scope), _chunks(receive), **kwargs)  # type: ignore[arg-type]
    try:
        return await parser.parse()
    except MultiPartException as error:
        raise InvalidRequest(f"the multipart body cannot be read: {error.message}") from None


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise BodyIncomplete()
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def close_files(form: FormData | None) -> None:
    if form is not None:
        await form.close()


def text_body(raw: bytes, content_type: str) -> str:
    """A text body as text, in the charset its Content-Type names (UTF-8 when none)."""
    charset = "utf-8"
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or charset
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        raise InvalidRequest(f"the request body's charset {charset!r} is not known") from None
    try:
        return raw.decode(codec.name)
    except UnicodeDecodeError:
        raise InvalidRequest(f"the request body is not valid {charset}") from None
