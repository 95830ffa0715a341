"""Checking values against the spec's schemas, with errors that name what was wrong and never
echo a secret or a huge input back.

The validators are JSON-schema validators built once per schema (by ``server.dispatch``, when it
compiles the spec), with the two corrections OpenAPI needs over Python's defaults: a pattern is
an ECMA regex, and a string holding an unpaired surrogate is no text.

Parameters and request bodies are checked first by a validator fastjsonschema compiles to
Python, an order of magnitude faster on the valid values that are nearly all of them. It can
only say yes or no: what it refuses is checked again by jsonschema, which is the judge and
words the error. It is never laxer (``tests/unit/test_validation.py``): it too reads a
pattern's ``$`` as the end of the string, it knows no OpenAPI ``nullable`` (it refuses such a
null; jsonschema decides), and its formats are stricter.
"""

import functools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import yaml
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator, resolve_refs
from jsonschema import Draft4Validator, ValidationError, validators

from server.errors import InvalidRequest

_SURROGATE = re.compile("[\ud800-\udfff]")
_QUOTE_LIMIT = 80
_DRAFT_4 = "http://json-schema.org/draft-04/schema#"
SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml"


@functools.cache
def _ecma(pattern: str) -> re.Pattern[str]:
    """OpenAPI patterns are ECMA regexes, whose ``$`` is the end of the string; Python's also
    matches before a final newline, which would let ``"name\\n"`` through ``^[a-z]+$``."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern(validator: Any, pattern: str, instance: Any, _schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not _ecma(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_ParameterValidator = validators.extend(Draft4Validator, {"pattern": _pattern})
_BodyValidator = validators.extend(Draft4RequestValidator, {"pattern": _pattern})
_ResponseValidator = validators.extend(Draft4ResponseValidator, {"pattern": _pattern})


class ParameterCheck:
    """One parameter's schema: ``check(value)`` says what is wrong with a value, or None."""

    def __init__(self, location: str, name: str, schema: dict[str, Any]) -> None:
        self._prefix = f"{location} parameter '{name}'"
        self._validator = _ParameterValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        self.accepts_quickly = _quick_acceptor(schema)

    def check(self, value: Any) -> str | None:
        if self.accepts_quickly(value):
            return None
        try:
            self._validator.validate(value)
        except ValidationError as error:
            return f"{self._prefix}: {_shortened(error)}"
        return None


class BodyCheck:
    """A request body's schema: ``check(body)`` raises InvalidRequest naming where and why.

    ``prefix`` names the body in the messages (``body.email: ...``); without one, a field is
    named alone (``email: ...``), as a command's options are."""

    def __init__(self, schema: dict[str, Any], *, prefix: str = "body") -> None:
        self._validator = _BodyValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        self._prefix = prefix
        self.accepts_quickly = _quick_acceptor(schema)

    def check(self, body: Any) -> None:
        if self.accepts_quickly(body):
            return
        try:
            self._validator.validate(body)
        except ValidationError as error:
            where = _location(error, self._prefix)
            message = f"{where}: {_message(error)}" if where else _message(error)
            raise InvalidRequest(message) from None
        except RecursionError:
            raise InvalidRequest("the request body is nested too deeply") from None


@functools.cache
def schema_check(name: str, prefix: str = "body") -> BodyCheck:
    """The spec's ``components/schemas/<name>`` as a BodyCheck, for rules a handler applies
    itself rather than the dispatcher, at the point the protocol puts them (a registration's
    rules come after the lookup of its username). Read from the spec this package ships, once.
    """
    return BodyCheck(_spec_schemas()[name], prefix=prefix)


@functools.cache
def _spec_schemas() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return resolve_refs(spec)["components"]["schemas"]


def _quick_acceptor(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """Whether a value is valid, by fastjsonschema (see the module's docstring)."""
    # Draft 4, as jsonschema judges: a later draft's "integer" also takes 1.0.
    validate = fastjsonschema.compile({**schema, "$schema": _DRAFT_4}, use_default=False)

    def accepts(value: Any) -> bool:
        try:
            validate(value)
        except (fastjsonschema.JsonSchemaException, RecursionError):
            return False
        return True

    return accepts


class ResponseCheck:
    """A documented response body's schema, for checking our own answers in development."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._validator = _ResponseValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)

    def problem(self, body: Any) -> str | None:
        error = next(iter(self._validator.iter_errors(body)), None)
        return None if error is None else f"{_location(error)}: {_shortened(error)}"


def parse_json_body(raw: bytes) -> Any:
    """A request body as JSON (which is UTF-8, whatever charset is declared), or InvalidRequest."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("the request body is not valid UTF-8") from None
    try:
        body = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise InvalidRequest("the request body is nested too deeply") from None
    except ValueError as error:  # malformed, or a number too long to convert
        raise InvalidRequest(f"the request body is not valid JSON: {error}") from None
    if _has_lone_surrogate(body):
        # JSON may escape one (\ud800), but it is no character: nothing downstream could
        # encode it.
        raise InvalidRequest("the request body holds an unpaired \\u surrogate")
    return body


def _refuse_constant(name: str) -> Any:
    # Python's json takes NaN, Infinity and -Infinity; JSON (RFC 8259) has no such numbers.
    raise ValueError(f"{name} is not a JSON number")


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


def _location(error: ValidationError, prefix: str = "body") -> str:
    path = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )
    return prefix + path if prefix else path.removeprefix(".")


def _message(error: ValidationError) -> str:
    if isinstance(error.schema, dict) and error.schema.get("format") == "password":
        # The default message quotes the value: never send a password back or into a log.
        return f"does not satisfy {error.validator} {error.validator_value!r}"
    return _shortened(error)


def _shortened(error: ValidationError) -> str:
    """jsonschema's message, with the value it quotes cut short: a huge input must not come
    back whole in the answer."""
    message = _first_line(error.message)
    quoted = repr(error.instance)
    if len(quoted) > _QUOTE_LIMIT and message.startswith(quoted):
        message = f"{quoted[:_QUOTE_LIMIT]}... ({len(quoted)} characters){message[len(quoted) :]}"
    return message


def _first_line(message: str) -> str:
    return message.split("\n", 1)[0]
