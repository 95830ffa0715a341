"""What the reference engine plugs into Connexion's validators (``validator_map``), and no more:
the spec's formats as hubindex checks them, and a 400 where Connexion's own reading would crash.

OpenAPI leaves a format's meaning to the implementation, and jsonschema's Draft 4 checker knows
neither ``date``, ``uuid`` nor ``int32``, takes any ``uri`` without rfc3987 and any ``email``
with an ``@``: both engines check the formats of ``server.http.formats``, so that a difference
the differential tests find is one of reading and validating, not of a table of formats.

Everything else is Connexion's, wrong answers included (each listed in
``tests/differential/rules.py``), except where it raises instead of answering, which would be a
500: jsonschema's ``multipleOf`` of an infinite or NaN number (``?x=1e400``, Python's float()
reads it as inf), and Connexion's deepObject reading of a nested key (``filter[a][b]=1``).
"""

import copy
from typing import Any

from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, FormatChecker, ValidationError

from server.errors import InvalidRequest
from server.http.formats import ALL_FORMATS
from server.http.parameters import deep_key, query_values

FORMAT_CHECKER = FormatChecker()
FORMAT_CHECKER.checkers = {
    **Draft4Validator.FORMAT_CHECKER.checkers,
    **{name: (check, ()) for name, check in ALL_FORMATS.items()},
}
# What jsonschema raises where it cannot divide: int(inf), int(nan) in multipleOf.
_CRASHES = (OverflowError, ValueError)


class Parameters(ParameterValidator):
    """Connexion's parameter validator, with hubindex's formats."""

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        # Connexion's own, but for the format checker and the crash.
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            schema = copy.deepcopy(param).get("schema", param)
            try:
                Draft4Validator(schema, format_checker=FORMAT_CHECKER).validate(value)
            except ValidationError as exception:
                return str(exception)
            except _CRASHES:
                return f"{parameter_type} parameter '{param['name']}': {value!r} is not a number"
            return None
        if param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None

    def validate_request(self, request: Any) -> None:
        for param in self.parameters.get("query", []):
            if param.get("style") == "deepObject":
                try:
                    for key in query_values(request.scope):
                        deep_key(param["name"], key)
                except InvalidRequest as error:
                    raise BadRequestProblem(detail=error.message) from None
        super().validate_request(request)


class JSONBody(JSONRequestBodyValidator):
    """Connexion's JSON body validator, with hubindex's formats."""

    @property
    def _validator(self) -> Any:
        return Draft4RequestValidator(self._schema, format_checker=FORMAT_CHECKER)

    def _validate(self, body: Any) -> dict[str, Any] | None:
        try:
            return super()._validate(body)
        except _CRASHES:
            raise BadRequestProblem(detail="the body holds a number out of range") from None


# Connexion replaces each key of its map whole: the body map keeps its other media types.
VALIDATOR_MAP_OVERRIDES = {
    "parameter": Parameters,
    "body": type(VALIDATOR_MAP["body"])({**VALIDATOR_MAP["body"], "*/*json": JSONBody}),
}
