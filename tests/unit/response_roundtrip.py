"""Every documented response body round-trips: data valid for the response's schema, built into
its model, is written by the glue (server/engine/response_json.py) back as JSON that the schema
accepts and that equals the data: the spec's property names, its nulls, its extra fields.

Imported by tests/unit/test_responses.py for this checkout's spec, and run as a script inside a
generated probe checkout (tests/differential/test_probe.py) for the probe spec: either way it
checks the ``generated`` package found first on sys.path.
"""

import importlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from server.engine.response_json import Writer
from server.http.validation import ResponseCheck

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
EXTRA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=2), st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=4,
)
EMAILS = st.sampled_from(["alice@example.com", "b.o+b@example.org"])
# Formats the models type, drawn as pydantic writes them back (its spelling of UTC is "Z").
FORMATS = {
    "uuid": st.uuids().map(str),
    "date-time": st.sampled_from(["2026-12-07T12:00:00Z", "2027-06-30T23:59:59.500000Z"]),
    "date": st.sampled_from(["2026-12-07", "2000-02-29"]),
}
HEX64 = "9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f"
# Texts a pattern is tried on first: drawing a long match from a regex is slow, and the names
# and nulls are what is tested here, not the texts.
TEXTS = (HEX64, f"sha256:{HEX64}", "alice", "library", "foo_bar", "foo/bar", "a.b-c", "x", "")


@dataclass(frozen=True)
class Documented:
    """One response body the spec documents: the schema, its model and the glue's writer."""

    name: str  # operationId and status (the first documenting this schema with this model)
    schema: dict[str, Any]
    model: type[BaseModel]
    writer: Writer
    check: ResponseCheck


def documented() -> Iterator[Documented]:
    """Every distinct response body (schema and model) of every operation of the importable
    ``generated``."""
    requests = importlib.import_module("generated.requests")
    seen = set()
    for operation in requests.OPERATIONS:
        module_name, _, function = operation["operation_id"].partition(".")
        glue = importlib.import_module(f"generated.operations.{module_name}")
        declared = getattr(glue, f"{function}_operation")
        for status, response in sorted(operation["responses"].items(), key=lambda r: str(r[0])):
            schema_id, model = response["schema"], declared.responses[status]
            if schema_id is None or model is None or (schema_id, model) in seen:
                continue
            seen.add((schema_id, model))
            schema = requests.SCHEMAS[schema_id]
            yield Documented(
                f"{operation['operation_id']}:{status}",
                schema,
                model,
                declared.writers[status],
                ResponseCheck(schema),
            )


def valid(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values for the subset of JSON Schema an OpenAPI response uses, mostly valid: what is
    not (an allOf of parts, a oneOf matching two) the schema's own check leaves out."""
    if "enum" in schema:
        values = list(schema["enum"])
        return st.sampled_from([*values, None] if schema.get("nullable") else values)
    shaped = _shaped(schema)
    if schema.get("nullable") is True:
        shaped = st.one_of(st.none(), shaped)
    return shaped


def _shaped(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            merged["properties"] |= part.get("properties", {})
            merged["required"] += part.get("required", [])
        return _shaped(merged)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return st.one_of([valid(part) for part in schema[key]])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _objects(schema)
    if kind == "array":
        items = valid(schema.get("items", {}))
        shortest = schema.get("minItems", 0)
        return st.lists(items, min_size=shortest, max_size=max(shortest, 3))
    if kind == "string":
        return _strings(schema)
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(
            schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False
        )
    if kind == "boolean":
        return st.booleans()
    return EXTRA


def _objects(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    optional = {name: valid(sub) for name, sub in properties.items() if name not in required}
    extra = schema.get("additionalProperties", True)
    if extra is not False:
        # Extra fields: named unlike any property, valued as additionalProperties says, but
        # never None: an extra field holding None is left out, like an optional one.
        values = (EXTRA if extra is True else valid(extra)).filter(lambda v: v is not None)
        names = st.text(min_size=1, max_size=6).filter(lambda name: name not in properties)
        return st.fixed_dictionaries(
            {name: valid(sub) for name, sub in properties.items() if name in required},
            optional=optional,
        ).flatmap(
            lambda fixed: st.dictionaries(names, values, max_size=2).map(lambda more: more | fixed)
        )
    return st.fixed_dictionaries(
        {name: valid(sub) for name, sub in properties.items() if name in required},
        optional=optional,
    )


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    if schema.get("format") == "email":
        return EMAILS
    if schema.get("format") in FORMATS:
        return FORMATS[schema["format"]]
    shortest, longest = schema.get("minLength", 0), schema.get("maxLength")
    if "pattern" in schema:
        pattern = re.compile(schema["pattern"])
        fitting = [text for text in TEXTS if pattern.search(text)]
        if fitting:
            made = st.sampled_from(fitting)
        else:
            made = st.from_regex(schema["pattern"].removesuffix("$"), fullmatch=True)
    else:
        most = shortest + 20 if longest is None else min(longest, shortest + 20)
        made = st.text(min_size=shortest, max_size=most)
    return made.filter(lambda text: shortest <= len(text) <= (longest or len(text)))


def problem_with(response: Documented, data: Any) -> str | None:
    """What goes wrong writing ``data`` (valid for the schema) through the model, if anything."""
    assume(response.check.problem(data) is None)
    body = response.model.model_validate(data)
    written = json.loads(response.writer(body))
    problem = response.check.problem(written)
    if problem is not None:
        return f"{response.name}: the schema refuses {written!r}: {problem}"
    if written != data:
        return f"{response.name}: {data!r} was written {written!r}"
    return None


def check(response: Documented, examples: int) -> None:
    """Raise AssertionError, with the smallest failing data, unless every drawn one holds."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=valid(response.schema))
    def holds(data: Any) -> None:
        problem = problem_with(response, data)
        assert problem is None, problem

    holds()


def main() -> int:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    failures = []
    for response in documented():
        try:
            check(response, examples)
        except AssertionError as error:
            failures.append(str(error))
        print(response.name)
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
