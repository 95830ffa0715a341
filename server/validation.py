"""Connexion's request validators, with errors that name what was wrong and never echo secrets."""

import functools
import json
import re
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError, validators
from starlette.types import Scope

_SURROGATE = re.compile("[\ud800-\udfff]")
_QUOTE_LIMIT = 80


class _Compiled:
    """JSON-schema validators compiled once per schema, not once per request as Connexion does.

    Keyed by the identity of the schema dict, which lives as long as the app; the dict is kept
    beside its validator so that an id is never reused while cached.
    """

    def __init__(self, build: Callable[[dict[str, Any]], Any]) -> None:
        self._build = build
        self._cache: dict[int, tuple[dict[str, Any], Any]] = {}

    def __call__(self, schema: dict[str, Any]) -> Any:
        entry = self._cache.get(id(schema))
        if entry is None or entry[0] is not schema:
            entry = (schema, self._build(schema))
            self._cache[id(schema)] = entry
        return entry[1]


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
_parameter_validators = _Compiled(
    lambda param: _ParameterValidator(
        param.get("schema", param), format_checker=Draft4Validator.FORMAT_CHECKER
    )
)
_body_validators = _Compiled(
    lambda schema: _BodyValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
)


class NamedParameterValidator(ParameterValidator):
    """Parameter errors say which parameter: ``query parameter 'n': 500 is greater than ...``."""

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            if param.get("required"):
                return f"Missing {parameter_type} parameter '{param['name']}'"
            return None
        try:
            _parameter_validators(param).validate(value)
        except ValidationError as error:
            return f"{parameter_type} parameter '{param['name']}': {_shortened(error)}"
        return None


class JSONBodyValidator(JSONRequestBodyValidator):
    """JSON bodies: undecodable, malformed and invalid ones are 400s that say why and where."""

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        try:
            text = raw.decode(self._encoding)
        except (UnicodeDecodeError, LookupError):
            raise BadRequestProblem(detail="the request body is not valid UTF-8") from None
        if not text:
            return None
        try:
            body = json.loads(text)
        except RecursionError:
            raise BadRequestProblem(detail="the request body is nested too deeply") from None
        except ValueError as error:  # malformed, or a number too long to convert
            raise BadRequestProblem(detail=f"the request body is not valid JSON: {error}") from None
        if _has_lone_surrogate(body):
            # JSON may escape one (\ud800), but it is no character: nothing downstream could
            # encode it.
            raise BadRequestProblem(detail="the request body holds an unpaired \\u surrogate")
        return body

    @property
    def _validator(self) -> Any:
        return _body_validators(self._schema)

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is None and not self._nullable:
            raise BadRequestProblem(detail="the request body must not be empty")
        try:
            return self._validator.validate(body)
        except ValidationError as error:
            raise BadRequestProblem(detail=f"{_location(error)}: {_message(error)}") from None
        except RecursionError:
            raise BadRequestProblem(detail="the request body is nested too deeply") from None


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


def _location(error: ValidationError) -> str:
    return "body" + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )


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


VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": NamedParameterValidator,
    "body": MediaTypeDict({"*/*json": JSONBodyValidator}),
}
