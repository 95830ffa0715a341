"""Parameters and request bodies: the validators scripts/generate compiled (fastjsonschema), which
decide, agree with jsonschema, which words their refusals, both ways: so every refusal has its
readable message, and nothing jsonschema would refuse gets through. A body they accept, the
model takes too: pydantic then only builds it."""

from typing import Any

import pytest
import yaml
from connexion.json_schema import resolve_refs
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generated import models, requests
from server.app import SPEC_PATH
from server.errors import InvalidRequest
from server.handlers.call import schema_check
from server.http.validation import BodyCheck, ParameterCheck

SPEC = resolve_refs(yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))
BODIES = {
    operation["operationId"]: operation["requestBody"]["content"]["application/json"]["schema"]
    for item in SPEC["paths"].values()
    for operation in item.values()
    if isinstance(operation, dict) and "requestBody" in operation
} | {
    # A schema a handler applies itself (server.handlers.call.schema_check), after a lookup.
    "users.register:RegistrationRules": SPEC["components"]["schemas"]["RegistrationRules"],
}
PARAMETERS = {
    f"{operation['operationId']}:{parameter['in']}:{parameter['name']}": parameter["schema"]
    for item in SPEC["paths"].values()
    for operation in item.values()
    if isinstance(operation, dict) and "operationId" in operation
    for parameter in (*item.get("parameters", ()), *operation.get("parameters", ()))
}
HEX64 = "9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f"


TEXTS = (HEX64, "sha256:" + HEX64, "alice", "alice@example.com", "password1", "a" * 31)


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """Good strings (matching the pattern and lengths, or the example), as they are, with a
    final newline (which an ECMA ``$`` refuses), cut short, or arbitrary."""
    shortest, longest = schema.get("minLength", 0), schema.get("maxLength", 100)
    if "pattern" in schema:
        made = st.from_regex(schema["pattern"].removesuffix("$"), fullmatch=True)
    else:
        made = st.text(min_size=shortest, max_size=min(longest, shortest + 20))
    made = made.filter(lambda text: shortest <= len(text) <= longest)
    examples = [schema["example"]] if isinstance(schema.get("example"), str) else []
    good = st.one_of(made, st.sampled_from([*examples, *TEXTS]))
    return st.one_of(
        good,
        good,
        good.map(lambda text: text + "\n"),
        good.map(lambda text: text[:-1]),
        st.text(max_size=70),
    )


ANYTHING = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _near_valid(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values shaped by the schema, mostly good, with a wrong part here and there."""
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        shaped = st.fixed_dictionaries(
            {name: _near_valid(sub) for name, sub in properties.items() if name in required},
            optional={
                **{
                    name: _near_valid(sub)
                    for name, sub in properties.items()
                    if name not in required
                },
                "extra": ANYTHING,
            },
        )
    elif kind == "array":
        shaped = st.lists(_near_valid(schema.get("items", {})), max_size=4)
    elif kind == "string":
        shaped = _strings(schema)
    else:
        shaped = ANYTHING
    return st.one_of(shaped, shaped, shaped, shaped, ANYTHING)  # 1 in 5: anything at all


def _accepted_by_jsonschema(check: BodyCheck | ParameterCheck, value: Any) -> bool:
    try:
        return check._compiled.first_error(value) is None
    except Exception:  # any refusal at all counts as one
        return False


@pytest.mark.parametrize("operation_id", sorted(BODIES))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_compiled_validator_and_jsonschema_agree(operation_id: str, data: st.DataObject):
    schema = BODIES[operation_id]
    check = _checks(operation_id)
    body = data.draw(_near_valid(schema))
    assert check.accepts(body) == _accepted_by_jsonschema(check, body), body


@pytest.mark.parametrize("operation_id", sorted(BODIES))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_body_the_validator_accepts_the_model_takes(operation_id: str, data: st.DataObject):
    """What the schema accepts, the model takes (a required nullable field, an email): so a
    body is judged once, by the compiled validator. The model may be laxer (a secret's
    pattern): the validator has judged by then."""
    model = _model(operation_id)
    body = data.draw(_near_valid(BODIES[operation_id]))
    if not _checks(operation_id).accepts(body):
        return
    try:
        model.model_validate(body)
    except ValidationError as error:
        raise AssertionError(f"the schema accepts {body!r}, the model refuses: {error}") from None


@pytest.mark.parametrize("parameter", sorted(PARAMETERS))
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_the_compiled_validator_and_jsonschema_agree_on_a_parameter(
    parameter: str, data: st.DataObject
):
    check = _parameter_check(parameter)
    value = data.draw(_near_valid(PARAMETERS[parameter]))
    assert check.accepts(value) == _accepted_by_jsonschema(check, value), value


@pytest.mark.parametrize(
    ("operation_id", "body"),
    [
        ("images.put", [{"id": HEX64, "checksum": "sha256:" + HEX64}]),
        ("repositories.create", [{"id": HEX64}]),
        ("users.register", {"username": "alice", "password": "password1", "email": "a@b.io"}),
        ("users.register", {"username": "Alice", "password": "p", "email": ""}),
        (
            "users.register:RegistrationRules",
            {"username": "alice", "password": "password1", "email": "a@b.io"},
        ),
    ],
)
def test_a_good_body_is_accepted(operation_id: str, body: Any):
    assert _checks(operation_id).accepts(body)
    _checks(operation_id).check(body)


@pytest.mark.parametrize(
    ("operation_id", "body", "wrong"),
    [
        ("images.put", [{"id": HEX64 + "\n"}], "body[0].id"),
        ("images.put", [{"checksum": "sha256:1"}], "'id' is a required property"),
        (
            "users.register",
            {"username": "alice", "password": "p" * 1025, "email": "a@b.io"},
            "body.password: does not satisfy maxLength 1024",
        ),
        (
            "users.register:RegistrationRules",
            {"username": "alice", "password": "p", "email": "a@b.io"},
            "body.password: does not satisfy minLength 5",
        ),
        (
            "users.register:RegistrationRules",
            {"username": "alice", "password": "password1", "email": ""},
            "body.email: '' is not a 'email'",
        ),
    ],
)
def test_a_bad_body_is_refused_in_jsonschema_s_words(operation_id: str, body: Any, wrong: str):
    check = _checks(operation_id)
    assert not check.accepts(body)
    with pytest.raises(InvalidRequest) as refused:
        check.check(body)
    assert wrong in refused.value.message


def _checks(operation_id: str) -> BodyCheck:
    """The check the dispatcher runs (from generated/requests.py), or the handler's."""
    operation_id, _, component = operation_id.partition(":")
    if component:
        return schema_check(component)
    operation = next(o for o in requests.OPERATIONS if o["operation_id"] == operation_id)
    schema_id = operation["body"]["schema"]
    return BodyCheck(getattr(requests, f"validate_{schema_id}"), requests.SCHEMAS[schema_id])


def _model(operation_id: str) -> Any:
    operation_id, _, component = operation_id.partition(":")
    if component:
        return getattr(models, component)
    operation = next(o for o in requests.OPERATIONS if o["operation_id"] == operation_id)
    return getattr(models, operation["body"]["model"])


def _parameter_check(key: str) -> ParameterCheck:
    operation_id, location, name = key.split(":")
    operation = next(o for o in requests.OPERATIONS if o["operation_id"] == operation_id)
    parameter = next(
        p for p in operation["parameters"] if (p["location"], p["name"]) == (location, name)
    )
    schema_id = parameter["schema"]
    return ParameterCheck(
        location, name, getattr(requests, f"validate_{schema_id}"), requests.SCHEMAS[schema_id]
    )
