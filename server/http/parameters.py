"""A request's parameters: read from the path, query, headers and cookies, converted from
text as the spec's types say, and checked by their compiled validators."""

import contextlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Scope

from server.errors import InvalidRequest
from server.http.validation import ParameterCheck

# What a nullable parameter's null is written as.
_NULL = "null"
# OpenAPI parameters are text: an integer is ASCII digits with an optional sign, a number
# that or a decimal with an optional exponent. Python's int() and float() also take spaces,
# underscores, other scripts' digits and "nan"/"inf": those stay strings, and the schema check
# refuses them in its own words.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _integer(raw: str) -> int:
    if _INTEGER.fullmatch(raw) is None:
        raise ValueError(raw)
    return int(raw)


def _number(raw: str) -> float:
    if _NUMBER.fullmatch(raw) is None or not math.isfinite(value := float(raw)):
        raise ValueError(raw)
    return value


def _boolean(raw: str) -> bool:
    # Connexion's reading: true or false, in any case.
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise ValueError(raw)
    return lowered == "true"


# The converters generated/requests.py names, by name.
CONVERTERS: Mapping[str | None, Callable[[str], Any]] = {
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
}


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str
    required: bool
    argument: str  # the glue's keyword: the name by Connexion's pythonic rule
    coerce: Callable[[str], Any] | None  # of the value, or of each item of an array
    schema: ParameterCheck
    header_key: bytes  # the name as an ASGI scope carries header names: lower-case bytes
    nullable: bool = False
    # Arrays: None for a single value; "explode" when each occurrence of a query parameter is
    # one item (form style's default); else what separates the items of the one value.
    array: str | None = None

    def value(self, raw: list[str]) -> Any:
        """The value to pass on, from every value the request gave (the last one counts unless
        the parameter is an exploded array), coerced to the schema's type; InvalidRequest when
        it is wrong. None when the request gave none."""
        if not raw:
            if self.required:
                raise InvalidRequest(f"Missing {self.location} parameter '{self.name}'")
            return None
        if self.nullable and raw[-1] == _NULL:
            return None
        value: Any
        if self.array is None:
            value = self._coerced(raw[-1])
        else:
            items = raw if self.array == "explode" else raw[-1].split(self.array)
            value = [self._coerced(item) for item in items]
        problem = self.schema.check(value)
        if problem is not None:
            raise InvalidRequest(problem)
        return value

    def _coerced(self, raw: str) -> Any:
        if self.coerce is not None:
            with contextlib.suppress(ValueError):  # then the schema check says what is wrong
                return self.coerce(raw)
        return raw


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def query_values(scope: Scope) -> dict[str, list[str]]:
    """Every value of each query parameter, in order, as Starlette reads the query string."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
        values.setdefault(name, []).append(value)
    return values
