"""Connexion's request validators, with errors that name what was wrong and never echo secrets."""

import json
from collections.abc import AsyncGenerator
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import ValidationError
from starlette.types import Scope


class NamedParameterValidator(ParameterValidator):
    """Parameter errors say which parameter: ``query parameter 'n': 500 is greater than ...``."""

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        error = ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        if error is None or error.startswith("Missing"):
            return error
        return f"{parameter_type} parameter '{param['name']}': {_first_line(error)}"


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
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise BadRequestProblem(detail=f"the request body is not valid JSON: {error}") from None
        except RecursionError:
            raise BadRequestProblem(detail="the request body is nested too deeply") from None

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is None and not self._nullable:
            raise BadRequestProblem(detail="the request body must not be empty")
        try:
            return self._validator.validate(body)
        except ValidationError as error:
            raise BadRequestProblem(detail=f"{_location(error)}: {_message(error)}") from None
        except RecursionError:
            raise BadRequestProblem(detail="the request body is nested too deeply") from None


def _location(error: ValidationError) -> str:
    return "body" + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )


def _message(error: ValidationError) -> str:
    if isinstance(error.schema, dict) and error.schema.get("format") == "password":
        # The default message quotes the value: never send a password back or into a log.
        return f"does not satisfy {error.validator} {error.validator_value!r}"
    return _first_line(error.message)


def _first_line(message: str) -> str:
    return message.split("\n", 1)[0]


VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": NamedParameterValidator,
    "body": MediaTypeDict({"*/*json": JSONBodyValidator}),
}
