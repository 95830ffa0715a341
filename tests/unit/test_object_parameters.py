"""Objects in the query (server/http/parameters.py): which keys are a deepObject's properties,
and how an object is read, typed and checked, in both of its styles."""

from typing import Any

import pytest

from server.errors import InvalidRequest
from server.http.parameters import CONVERTERS, ObjectShape, Parameter, deep_key
from server.http.validation import ParameterCheck
from tests.unit.compiled import compiled

FILTER = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "size": {"type": "integer", "maximum": 9}},
}


@pytest.mark.parametrize(
    ("key", "found"),
    [("filter[size]", "size"), ("filter[]", ""), ("filter", None), ("filters[size]", None),
     ("filter[size", None), ("other[size]", None)],
)  # fmt: skip
def test_a_deep_object_key_names_a_property(key: str, found: str | None):
    assert deep_key("filter", key) == found


def test_a_nested_deep_object_key_is_refused():
    with pytest.raises(InvalidRequest, match=r"filter\[a\]\[b\] nests an object"):
        deep_key("filter", "filter[a][b]")


def _parameter(style: str, *, required: bool = False) -> Parameter:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Filter": FILTER}},
    }
    module = compiled(spec)
    check = ParameterCheck(
        "query", "filter", module.validate_Filter, module.SCHEMAS["Filter"], style=style
    )
    shape = ObjectShape(
        style, {"name": None, "size": CONVERTERS["integer"]}, build=lambda value: value
    )
    return Parameter("filter", "query", required, "filter_", None, check, b"filter", shape=shape)


@pytest.mark.parametrize(
    ("style", "query", "value"),
    [
        ("deepObject", {"filter[name]": ["x"], "filter[size]": ["1", "3"]},
         {"name": "x", "size": 3}),
        ("deepObject", {"filter[name]": ["x"], "filter[other]": ["1"]},
         {"name": "x", "other": "1"}),
        ("deepObject", {"name": ["x"]}, None),
        ("form", {"name": ["x"], "size": ["3"], "other": ["1"]}, {"name": "x", "size": 3}),
        ("form", {"filter[name]": ["x"]}, None),
    ],
)  # fmt: skip
def test_an_object_is_read_from_the_query(style: str, query: dict, value: Any):
    assert _parameter(style).value(query) == value


@pytest.mark.parametrize(
    ("style", "query", "words"),
    [
        ("deepObject", {"filter[name]": ["x"], "filter[size]": ["x"]},
         "query parameter 'filter[size]': 'x' is not of type 'integer'"),
        ("form", {"name": ["x"], "size": ["10"]},
         "query parameter 'size': 10 is greater than the maximum of 9"),
        ("deepObject", {"filter[size]": ["1"]},
         "query parameter 'filter': 'name' is a required property"),
        ("deepObject", {"filter": ["x"]}, "query parameter 'filter': 'x' is not of type 'object'"),
    ],
)  # fmt: skip
def test_a_bad_object_is_refused_naming_the_property(style: str, query: dict, words: str):
    with pytest.raises(InvalidRequest) as refused:
        _parameter(style).value(query)
    assert refused.value.message == words


def test_a_required_object_must_be_there():
    with pytest.raises(InvalidRequest, match="Missing query parameter 'filter'"):
        _parameter("deepObject", required=True).value({"other": ["1"]})
