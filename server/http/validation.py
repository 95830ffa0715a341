"""Checking values against the spec's schemas, with errors that name what was wrong and never
echo a secret or a huge input back.

Every schema a request value is checked against was compiled by scripts/generate
(fastjsonschema's ``compile_to_code``) into ``generated/requests.py``, with the corrections
OpenAPI needs over Python's defaults: a pattern is an ECMA regex (``$`` is the end of the
text), ``nullable`` is one more type and enum value, as Connexion reads it. That validator
alone decides. fastjsonschema's own messages are poorer (``data.email must be email``, no
value quoted, no enum listed), so a refused value is worded by jsonschema, from the same schema
(``generated/requests.py`` SCHEMAS), with the same formats (``FORMATS``): only on a refusal,
its validator built at the first one. A string holding an unpaired surrogate is no text:
``parse_json_body`` refuses it first.
"""

import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from fastjsonschema import JsonSchemaValueException
from jsonschema import Draft4Validator, FormatChecker, ValidationError, validators

from server.errors import InvalidRequest
from server.http.formats import FORMATS

_SURROGATE = re.compile("[\ud800-\udfff]")
_QUOTE_LIMIT = 80

Validate = Callable[..., Any]  # a compiled validator: validate_<id>(value, formats, name_prefix)


_FORMAT_CHECKER = FormatChecker()
_FORMAT_CHECKER.checkers = {
    **Draft4Validator.FORMAT_CHECKER.checkers,
    **{name: (check, ()) for name, check in FORMATS.items()},
}


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


def multiple_of(_validator: Any, divisor: Any, instance: Any, _schema: Any) -> Iterator[Any]:
    """JSON Schema's multipleOf on the numbers JSON writes, which are decimals: 0.3 is a
    multiple of 0.1, as the compiled validators (fastjsonschema) and the models (pydantic) have
    it, judged as fastjsonschema judges it, a quotient beyond a double's range refused.
    jsonschema's own divides the binary floats (0.3 / 0.1 = 2.9999999999999996) and crashes on
    an infinite one."""
    if not isinstance(instance, (int, float)) or isinstance(instance, bool):
        return
    if isinstance(instance, int) and isinstance(divisor, int):
        failed = instance % divisor != 0
    else:
        try:
            if isinstance(divisor, float):
                quotient: Any = Decimal(repr(instance)) / Decimal(repr(divisor))
            else:
                quotient = instance / divisor
            failed = int(quotient) != quotient or instance / divisor == math.inf
        except (OverflowError, ValueError):  # an infinite number, or a quotient beyond a double
            failed = True
    if failed:
        yield ValidationError(f"{instance!r} is not a multiple of {divisor!r}")


_KEYWORDS = {"pattern": _pattern, "multipleOf": multiple_of}
_ParameterValidator = validators.extend(Draft4Validator, _KEYWORDS)
_BodyValidator = validators.extend(Draft4RequestValidator, _KEYWORDS)
_ResponseValidator = validators.extend(Draft4ResponseValidator, _KEYWORDS)


class _Compiled:
    """A compiled validator and the schema it was compiled from, for the words of a refusal."""

    __slots__ = ("_explainer", "_kind", "_schema", "_validate")

    def __init__(self, validate: Validate, schema: Mapping[str, Any], kind: type) -> None:
        self._validate = validate
        self._schema = schema
        self._kind = kind
        self._explainer: Any = None

    def accepts(self, value: Any) -> bool:
        try:
            self._validate(value, FORMATS)
        except (JsonSchemaValueException, RecursionError):
            return False
        except (OverflowError, ValueError):  # multipleOf of a number beyond a double's range
            return False
        return True

    def first_error(self, value: Any) -> ValidationError | None:
        """jsonschema's first error for a refused value (None if it finds none)."""
        if self._explainer is None:
            self._explainer = self._kind(self._schema, format_checker=_FORMAT_CHECKER)
        return next(iter(self._explainer.iter_errors(value)), None)

    def own_words(self, value: Any, prefix: str) -> str:
        """fastjsonschema's message, where jsonschema sees no error (never yet)."""
        try:
            self._validate(value, FORMATS, prefix or "value")
        except JsonSchemaValueException as error:
            return str(error.message)
        return "is not valid"


class ParameterCheck:
    """One parameter's schema: ``check(value)`` says what is wrong with a value, or None.

    An object's property is named as the query writes it: ``filter[size]`` (deepObject), or
    ``size`` alone (form style, exploded)."""

    __slots__ = ("_compiled", "_location", "_name", "_prefix", "_style", "accepts")

    def __init__(
        self,
        location: str,
        name: str,
        validate: Validate,
        schema: Mapping[str, Any],
        *,
        style: str | None = None,
    ) -> None:
        self._location, self._name, self._style = location, name, style
        self._prefix = f"{location} parameter '{name}'"
        self._compiled = _Compiled(validate, schema, _ParameterValidator)
        self.accepts = self._compiled.accepts

    def check(self, value: Any) -> str | None:
        if self.accepts(value):
            return None
        error = self._compiled.first_error(value)
        if error is None:
            return self._compiled.own_words(value, self._prefix)
        prefix = self._prefix
        if self._style is not None and error.absolute_path:
            field = str(error.absolute_path[0])
            spelled = f"{self._name}[{field}]" if self._style == "deepObject" else field
            prefix = f"{self._location} parameter '{spelled}'"
        return f"{prefix}: {_shortened(error)}"


class BodyCheck:
    """A request body's schema: ``check(body)`` raises InvalidRequest naming where and why.

    ``prefix`` names the body in the messages (``body.email: ...``); without one, a field is
    named alone (``email: ...``), as a command's options are."""

    __slots__ = ("_compiled", "_prefix", "accepts")

    def __init__(
        self, validate: Validate, schema: Mapping[str, Any], *, prefix: str = "body"
    ) -> None:
        self._compiled = _Compiled(validate, schema, _BodyValidator)
        self._prefix = prefix
        self.accepts = self._compiled.accepts

    def check(self, body: Any) -> None:
        if self.accepts(body):
            return
        try:
            error = self._compiled.first_error(body)
        except RecursionError:
            raise InvalidRequest("the request body is nested too deeply") from None
        if error is None:
            raise InvalidRequest(self._compiled.own_words(body, self._prefix))
        where = _location(error, self._prefix)
        message = f"{where}: {_message(error)}" if where else _message(error)
        raise InvalidRequest(message)


class ResponseCheck:
    """A documented response body's schema, for checking our own answers in development."""

    __slots__ = ("_schema", "_validator")

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._schema = schema
        self._validator: Any = None

    def problem(self, body: Any) -> str | None:
        if self._validator is None:
            self._validator = _ResponseValidator(self._schema, format_checker=_FORMAT_CHECKER)
        error = next(iter(self._validator.iter_errors(body)), None)
        return None if error is None else f"{_location(error)}: {_shortened(error)}"


@functools.cache
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
