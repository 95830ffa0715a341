"""A handler's answer written as the spec's JSON.

Property names are written as the spec spells them (the models' aliases: ``created-at``, not
``created_at``). A field holding None is left out, unless its schema is ``nullable`` and the
handler set it: then it is written as ``null``. The models alone cannot tell a nullable field from
an optional one (both are ``X | None = None``), so the response's schema decides, matched to the
model's fields once, when the operation is declared.

A model whose tree holds no nullable property is written by pydantic-core in one call; one that
does is walked in Python, since only Python knows which fields the handler set.
"""

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, RootModel
from pydantic_core import to_json

Writer = Callable[[BaseModel], bytes]
Schema = Mapping[str, Any]
# Per model class, the Python names of its fields whose schema is nullable.
Nullable = Mapping[type[BaseModel], frozenset[str]]

_COMBINED = ("allOf", "oneOf", "anyOf")
_SEQUENCES = (list, tuple, set, frozenset, Sequence)


def writer_for(model: type[BaseModel], schema: Schema) -> Writer:
    """How to write an instance of ``model``, the body of a response documented by ``schema``
    (references resolved)."""
    nullable = nullable_fields(model, schema)
    if not nullable:
        return _without_none
    keep = dict(nullable)

    def written(body: BaseModel) -> bytes:
        return to_json(_plain(body, keep))

    return written


def _without_none(body: BaseModel) -> bytes:
    return body.__pydantic_serializer__.to_json(body, by_alias=True, exclude_none=True)


def nullable_fields(model: type[BaseModel], schema: Schema) -> Nullable:
    """Every model class reachable from ``model`` that has a field whose schema, reached the
    same way from ``schema``, is nullable; with those fields' Python names."""
    found: dict[type[BaseModel], set[str]] = {}
    _walk(model, _views(schema), found, set())
    return {cls: frozenset(names) for cls, names in found.items() if names}


def _views(schema: Any) -> list[Schema]:
    """``schema`` and each schema it combines (allOf, oneOf, anyOf), all of them."""
    if not isinstance(schema, Mapping):
        return []
    views = [schema]
    for key in _COMBINED:
        for part in schema.get(key, ()):
            views.extend(_views(part))
    return views


def _walk(
    annotation: Any,
    views: list[Schema],
    found: dict[type[BaseModel], set[str]],
    seen: set[tuple[type, tuple[int, ...]]],
) -> None:
    if not views:
        return
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        _walk(args[0], views, found, seen)
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            _walk(arg, views, found, seen)
    elif origin in _SEQUENCES and args:
        items = [part for view in views for part in _views(view.get("items"))]
        _walk(args[0], items, found, seen)
    elif origin in (dict, Mapping) and len(args) == 2:
        values = [part for view in views for part in _views(view.get("additionalProperties"))]
        _walk(args[1], values, found, seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        key = (annotation, tuple(id(view) for view in views))
        if key in seen:
            return
        seen.add(key)
        if issubclass(annotation, RootModel):
            _walk(annotation.model_fields["root"].annotation, views, found, seen)
            return
        names = found.setdefault(annotation, set())
        for name, field in annotation.model_fields.items():
            spelled = field.serialization_alias or field.alias or name
            parts = [
                part for view in views for part in _views(view.get("properties", {}).get(spelled))
            ]
            if any(_nullable(part) for part in parts):
                names.add(name)
            _walk(field.annotation, parts, found, seen)


def _nullable(schema: Schema) -> bool:
    return schema.get("nullable") is True or schema.get("x-nullable") is True


def _plain(value: Any, keep: Nullable) -> Any:
    """``value`` as JSON-ready data: models as their spec's objects, None left out as above."""
    if isinstance(value, RootModel):
        return _plain(value.root, keep)
    if isinstance(value, BaseModel):
        nullable = keep.get(type(value), frozenset())
        set_here = value.model_fields_set
        out = {}
        for name, field in type(value).model_fields.items():
            item = getattr(value, name)
            if item is None and not (name in nullable and name in set_here):
                continue
            out[field.serialization_alias or field.alias or name] = _plain(item, keep)
        for name, item in (value.model_extra or {}).items():
            if item is not None:
                out[name] = _plain(item, keep)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item, keep) for item in value]
    if isinstance(value, dict):
        return {name: _plain(item, keep) for name, item in value.items()}
    return value
