"""The formats as the models have them (server/http/formats.py), the integer ranges the generator
writes as bounds, and multipleOf on decimals: what the compiled validators (which decide) and
jsonschema (which words a refusal) accept is the same, and what they accept the models take."""

import functools
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import AnyUrl, AwareDatetime, EmailStr, TypeAdapter, ValidationError

from server.http.formats import ALL_FORMATS, FORMATS, typed
from server.http.validation import BodyCheck
from tests.unit.compiled import codegen, compiled

MODEL_TYPES = {
    "date": date,
    "date-time": AwareDatetime,
    "uuid": UUID,
    "email": EmailStr,
    "uri": AnyUrl,
}
UUID_TEXT = "123e4567-e89b-12d3-a456-426614174000"
# Near the edges of each format, and the texts pydantic takes that the standards do not.
SAMPLES = [
    "2026-01-02", "2024-02-29", "2026-02-29", "2026-13-01", "20260102", "2026-1-2", "0",
    "2026-01-02T00:00:00", "2026-01-02T03:04:05Z", "2026-01-02t03:04:05z",
    "2026-01-02T03:04:05.5+01:00", "2026-01-02T03:04:05", "2026-01-02 03:04:05Z",
    "2026-01-02T03:04Z", "2026-01-02T03:04:05+0100", "2026-01-02T24:00:00Z", "1700000000",
    UUID_TEXT, UUID_TEXT.upper(), UUID_TEXT.replace("-", ""), "{" + UUID_TEXT + "}",
    "urn:uuid:" + UUID_TEXT, UUID_TEXT[:-1],
    "https://x.test/a?b#c", "mailto:a@b.test", "urn:isbn:1", "x.test", "/a", "http://a b",
    "http://exämple.test", "http://",
    "a@b.test", "A@B.TEST", "a@localhost", "a b@c.test", "",
    "2026-01-02\n", " 2026-01-02",
]  # fmt: skip


def _takes(kind: Any, value: str) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(MODEL_TYPES))
@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.sampled_from(SAMPLES), st.text(max_size=40)))
def test_a_text_a_format_accepts_the_model_takes_as_the_typed_value(name: str, text: str):
    if not FORMATS[name](text):
        return
    assert _takes(MODEL_TYPES[name], text), text
    converted = typed(name)
    assert converted is not None
    assert converted(text) == TypeAdapter(MODEL_TYPES[name]).validate_python(text)


@pytest.mark.parametrize(
    ("name", "text", "accepted"),
    [
        ("date", "2026-01-02", True),
        ("date", "2026-02-29", False),  # the model's calendar
        ("date", "0", False),  # the standard's shape (pydantic takes it: 1970-01-01)
        ("date", "2026-01-02T00:00:00", False),
        ("date-time", "2026-01-02T03:04:05Z", True),
        ("date-time", "2026-01-02T03:04:05.25-07:00", True),
        ("date-time", "2026-01-02T03:04:05", False),  # no offset: not an AwareDatetime
        ("date-time", "1700000000", False),
        ("date-time", "2026-01-02T03:04Z", False),
        ("uuid", UUID_TEXT, True),
        ("uuid", UUID_TEXT.upper(), True),
        ("uuid", "{" + UUID_TEXT + "}", False),
        ("uuid", UUID_TEXT.replace("-", ""), False),
        ("uri", "https://x.test/a?b#c", True),
        ("uri", "urn:isbn:1", True),
        ("uri", "x.test", False),
        ("uri", "http://exämple.test", False),  # an IRI, not a URI
        ("email", "a@b.test", True),
        ("email", "a@localhost", False),
    ],
)
def test_each_format_takes_the_standard_s_text_that_the_model_takes(
    name: str, text: str, accepted: bool
):
    assert FORMATS[name](text) is accepted


def test_handlers_get_the_models_types():
    assert typed("date")("2026-01-02") == date(2026, 1, 2)  # type: ignore[misc]
    moment = typed("date-time")("2026-01-02T03:04:05+01:00")  # type: ignore[misc]
    assert isinstance(moment, datetime)
    assert moment.utcoffset() is not None
    assert typed("uuid")(UUID_TEXT.upper()) == UUID(UUID_TEXT)  # type: ignore[misc]
    assert str(typed("uri")("https://x.test/a")) == "https://x.test/a"  # type: ignore[misc]
    assert typed(None) is None
    assert typed("password") is None


@pytest.mark.parametrize(
    ("name", "inside", "outside"),
    [("int32", [-(2**31), 2**31 - 1], [-(2**31) - 1, 2**31]),
     ("int64", [-(2**63), 2**63 - 1], [-(2**63) - 1, 2**63])],
)  # fmt: skip
def test_integer_ranges(name: str, inside: list[int], outside: list[int]):
    check = ALL_FORMATS[name]
    assert all(check(value) for value in inside)
    assert not any(check(value) for value in outside)
    assert check("text")  # a format says nothing of other types
    assert check(True)
    body = _check({"type": "integer", "format": name})
    for value in inside:
        body.check(value)
    for value in outside:
        with pytest.raises(Exception, match="than the m"):
            body.check(value)


def test_an_integer_range_keeps_narrower_bounds():
    ranged = codegen._with_integer_ranges(
        {"type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": True}
    )
    assert ranged["minimum"] == 0
    assert ranged["exclusiveMinimum"] is True
    assert ranged["maximum"] == 2**31 - 1
    wider = codegen._with_integer_ranges(
        {"type": "integer", "format": "int32", "maximum": 2**40, "exclusiveMaximum": True}
    )
    assert wider["maximum"] == 2**31 - 1
    assert "exclusiveMaximum" not in wider
    assert codegen._with_integer_ranges({"type": "number", "format": "int32"}) == {
        "type": "number",
        "format": "int32",
    }


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.decimals(places=3, min_value=-1000, max_value=1000).map(float),
        st.integers(min_value=-(10**6), max_value=10**6),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
    divisor=st.sampled_from([0.1, 0.01, 0.25, 2, 3, 0.5]),
)
@example(value=0.3, divisor=0.1)
@example(value=19.01, divisor=0.01)
@example(value=1e308, divisor=0.1)  # a quotient beyond a double: refused by both
@example(value=10**400, divisor=0.5)
def test_multiple_of_is_judged_alike_by_the_validator_jsonschema_and_the_model(
    value: float, divisor: float
):
    """0.3 is a multiple of 0.1 for the compiled validator, jsonschema's words and pydantic."""
    from typing import Annotated

    from pydantic import Field

    check = _multiple_of_check(divisor)
    accepted = check.accepts(value)
    assert accepted == (check._compiled.first_error(value) is None), value
    model = TypeAdapter(Annotated[float, Field(multiple_of=divisor)])
    # pydantic divides floats with a tolerance: it agrees up to some 1e12, and past that refuses
    # some multiples (6.0127587907825384e16 of 0.01), in its own words, a 400 still.
    if accepted and abs(value) < 1e12:
        model.validate_python(value)


def test_multiple_of_a_decimal():
    check = _check({"type": "number", "multipleOf": 0.1})
    assert check.accepts(0.3)
    assert check.accepts(0.7)
    assert check.accepts(3)
    assert not check.accepts(0.35)
    assert not check.accepts(float("inf"))  # what a crash would be: a refusal


@functools.cache
def _multiple_of_check(divisor: float) -> BodyCheck:
    return _check({"type": "number", "multipleOf": divisor})


def _check(schema: dict[str, Any]) -> BodyCheck:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Value": schema}},
    }
    module = compiled(spec)
    return BodyCheck(module.validate_Value, module.SCHEMAS["Value"])
