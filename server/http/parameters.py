"""A request's parameters: read from the path, query, headers and cookies, converted from
text as the spec's types say, and checked by their compiled validators."""

import contextlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError
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
class ObjectShape:
    """How an object parameter is written in the query: ``deepObject`` (``filter[size]=3``) or
    ``form``, exploded (``size=3``); each property's converter; the model it is built as."""

    style: str
    properties: Mapping[str, Callable[[str], Any] | None]
    build: Callable[[Any], Any]


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
    typed: Callable[[Any], Any] | None = None  # of a format: the text (of each item) as typed
    shape: ObjectShape | None = None  # an object's

    def value(self, raw: Any) -> Any:
        """The value to pass on, from every value the request gave (the last one counts unless
        the parameter is an exploded array), coerced to the schema's type; InvalidRequest when
        it is wrong. None when the request gave none. ``raw`` is a list of texts; for an object,
        the whole query (``query_values``)."""
        if self.shape is not None:
            return self.object_value(raw)
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
        if self.typed is not None:
            value = self.typed(value) if self.array is None else [self.typed(v) for v in value]
        return value

    def object_value(self, query: Mapping[str, list[str]]) -> Any:
        """An object parameter's value, its model, from the whole query; None when the query
        holds none of it."""
        shape = self.shape
        assert shape is not None
        value: Any
        if self.name in query and shape.style == "deepObject":
            value = query[self.name][-1]  # not an object: the check says so
        else:
            value = {}
            if shape.style == "deepObject":
                for key, values in query.items():
                    name = deep_key(self.name, key)
                    if name is not None:
                        value[name] = _converted(shape.properties.get(name), values[-1])
            else:
                for name, convert in shape.properties.items():
                    if name in query:
                        value[name] = _converted(convert, query[name][-1])
            if not value:
                if self.required:
                    raise InvalidRequest(f"Missing query parameter '{self.name}'")
                return None
        problem = self.schema.check(value)
        if problem is not None:
            raise InvalidRequest(problem)
        return shape.build(value)

    def _coerced(self, raw: str) -> Any:
        return _converted(self.coerce, raw)


def deep_key(name: str, key: str) -> str | None:
    """The property ``key`` names of deepObject parameter ``name`` (``filter[size]``: size)."""
    if not (key.startswith(name) and key.endswith("]") and key[len(name) : len(name) + 1] == "["):
        return None
    inner = key[len(name) + 1 : -1]
    if "[" in inner or "]" in inner:
        # OpenAPI's deepObject writes one level; Connexion's reading of more fails (a 500).
        raise InvalidRequest(
            f"query parameter '{name}': {key} nests an object in a property; deepObject"
            " parameters hold strings, numbers and booleans"
        )
    return inner


def _converted(convert: Callable[[str], Any] | None, raw: str) -> Any:
    if convert is not None:
        with contextlib.suppress(ValueError):  # then the schema check says what is wrong
            return convert(raw)
    return raw


def build_object(model: type[BaseModel], name: str, value: dict[str, Any]) -> BaseModel:
    """An object parameter's checked value as its model (which takes all its schema does)."""
    try:
        return model.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = "".join(f"[{part}]" for part in first["loc"])
        raise InvalidRequest(f"query parameter '{name}{where}': {first['msg']}") from None


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
