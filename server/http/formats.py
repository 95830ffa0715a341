"""The string formats the server checks, as the generated models read them, and the values a
handler is given for them.

datamodel-code-generator writes ``format: date`` as ``datetime.date``, ``date-time`` as
pydantic's ``AwareDatetime``, ``uuid`` as ``uuid.UUID``, ``email`` as ``EmailStr`` and ``uri``
as ``AnyUrl``. A value passes a format when it is what the spec's standard writes (RFC 3339,
RFC 4122, RFC 3986) and the model's type takes it, so that every value the validators let
through becomes its typed value (pydantic alone would also take ``0`` as a date, an UUID in
braces or a date-time without seconds; the text alone would take 2026-02-30). Parameters reach
a handler as the typed value (``datetime.date``...), as a body's fields do through its model.

``int32`` and ``int64`` are ranges of integers: scripts/generate writes them into the compiled
schemas as ``minimum``/``maximum``; ``INTEGER_RANGES`` checks them where a schema is read as it
is (Connexion's validators).
"""

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import AnyUrl, AwareDatetime, EmailStr, TypeAdapter, ValidationError
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

# The shapes the standards give (the model's parser checks the calendar and the rest).
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # RFC 3339 full-date
_DATE_TIME = re.compile(  # RFC 3339 date-time, its offset required (AwareDatetime)
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")  # RFC 4122 text
# RFC 3986 URI: a scheme, then only the characters a URI may hold (no space, no non-ASCII).
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")

# Each format's Python type, as the models have it.
TYPES: Mapping[str, Any] = {
    "date": date,
    "date-time": AwareDatetime,
    "uuid": UUID,
    "email": EmailStr,
    "uri": AnyUrl,
}
_ADAPTERS = {name: TypeAdapter(kind) for name, kind in TYPES.items()}
_SHAPES = {"date": _DATE, "date-time": _DATE_TIME, "uuid": _UUID, "uri": _URI}

INTEGER_RANGES: Mapping[str, tuple[int, int]] = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}


def _checker(name: str) -> Callable[[Any], bool]:
    shape = _SHAPES.get(name)
    adapter = _ADAPTERS[name]

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return True  # a format says nothing of other types (jsonschema asks about every value)
        if shape is not None and shape.fullmatch(value) is None:
            return False
        try:
            adapter.validate_python(value)
        except ValidationError:
            return False
        return True

    check.__name__ = f"is_{name.replace('-', '_')}"
    return check


def _email(value: Any) -> bool:
    """What pydantic's EmailStr accepts, which the models' email fields are."""
    if not isinstance(value, str):
        return True
    try:
        validate_email(value)
    except PydanticCustomError:
        return False
    return True


def _in_range(name: str) -> Callable[[Any], bool]:
    low, high = INTEGER_RANGES[name]

    def check(value: Any) -> bool:
        if not isinstance(value, int) or isinstance(value, bool):
            return True
        return low <= value <= high

    return check


# The formats the server defines itself, for the compiled validators and for jsonschema alike
# (fastjsonschema's regexes and jsonschema's checkers both differ from the models').
FORMATS: Mapping[str, Callable[[Any], bool]] = {
    **{name: _checker(name) for name in TYPES if name != "email"},
    "email": _email,
}
# The same, with the integer ranges, for validators that read a schema as the spec wrote it.
ALL_FORMATS: Mapping[str, Callable[[Any], bool]] = {
    **FORMATS,
    **{name: _in_range(name) for name in INTEGER_RANGES},
}


def typed(name: str | None) -> Callable[[Any], Any] | None:
    """What turns a checked text of format ``name`` into the value a handler is given, as the
    model would (an email as pydantic normalises it); None for no format or another one."""
    if name not in TYPES:
        return None
    return _ADAPTERS[name].validate_python
