"""The public spec that scripts/docs publishes: no x- extensions, nothing internal."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from server.spec.document import operations
from tests.conftest import ROOT
from tests.docs.support import docs

SPEC = ROOT / "spec" / "openapi.yaml"


def _real_spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _add_extensions(spec: dict[str, Any]) -> None:
    """An extension wherever OpenAPI 3.0 allows one, each named x-internal-<where>."""
    components = spec["components"]
    register = spec["paths"]["/v1/users/"]["post"]
    places = {
        "root": spec,
        "info": spec["info"],
        "license": spec["info"]["license"],
        "server": spec["servers"][0],
        "tag": spec["tags"][0],
        "paths": spec["paths"],
        "path-item": spec["paths"]["/v1/users/"],
        "operation": register,
        "request-body": register["requestBody"],
        "media-type": register["requestBody"]["content"]["application/json"],
        "responses": register["responses"],
        "response": register["responses"]["201"],
        "link": register["responses"]["201"]["links"]["CreateRepository"],
        "example": register["responses"]["400"]["content"]["application/json"]["examples"]["taken"],
        "components": components,
        "parameter": components["parameters"]["Namespace"],
        "header": components["headers"]["XDockerWriteToken"],
        "security-scheme": components["securitySchemes"]["basicAuth"],
        "schema": components["schemas"]["Registration"],
        "property": components["schemas"]["Registration"]["properties"]["username"],
        "nested-schema": components["schemas"]["SearchResults"]["properties"]["results"]["items"],
        "ref-sibling": spec["paths"]["/v1/users/confirm"]["get"]["parameters"][0],
    }
    for where, node in places.items():
        node[f"x-internal-{where}"] = {"handler": f"server.handlers.{where}", "x-nested": True}


def _add_lookalikes(spec: dict[str, Any]) -> None:
    """Names and values that start with x- but are data, not extensions."""
    schemas = spec["components"]["schemas"]
    schemas["Registration"]["properties"]["x-referrer"] = {"type": "string"}
    schemas["x-tracing"] = {"type": "string"}
    spec["components"]["responses"]["NotFound"]["headers"] = {
        "x-request-id": {"schema": {"type": "string"}}
    }
    spec["paths"]["/v1/users/"]["post"]["requestBody"]["content"]["application/json"]["example"][
        "x-client"
    ] = "docker/1.13"


def test_extensions_are_removed_at_every_depth():
    plain = _real_spec()
    extended = copy.deepcopy(plain)
    _add_extensions(extended)
    assert "x-internal-" in json.dumps(extended)

    public = docs.public_spec(extended)

    assert "x-internal-" not in json.dumps(public)
    assert "server.handlers" not in json.dumps(public)
    assert public == docs.public_spec(plain)
    validate(public)


def test_names_and_example_values_that_start_with_x_stay():
    spec = _real_spec()
    _add_lookalikes(spec)
    _add_extensions(spec)

    public = docs.public_spec(spec)

    schemas = public["components"]["schemas"]
    assert "x-referrer" in schemas["Registration"]["properties"]
    assert "x-tracing" in schemas
    assert "x-request-id" in public["components"]["responses"]["NotFound"]["headers"]
    example = public["paths"]["/v1/users/"]["post"]["requestBody"]["content"]["application/json"]
    assert example["example"]["x-client"] == "docker/1.13"
    # Headers named X-... (upper case, as this API's are) are names too.
    assert "X-Docker-Token" in public["components"]["responses"]["RepositoryCreated"]["headers"]
    assert "x-internal-" not in json.dumps(public)


def test_the_public_spec_keeps_every_operation():
    spec = _real_spec()
    public = docs.public_spec(spec)
    assert [op["operationId"] for _, _, op, _ in operations(public)] == [
        op["operationId"] for _, _, op, _ in operations(spec)
    ]
    assert len(public["paths"]) == len(spec["paths"]) > 0


@pytest.mark.parametrize(
    "text",
    [
        "Handled by server.handlers.users.register.",
        "See server/handlers/users.py for the rules.",
        "generated.operations",
        "Rendered from templates/operations.py.jinja",
    ],
)
def test_a_text_naming_internals_stops_the_build(tmp_path: Path, text: str, capsys):
    spec = _real_spec()
    spec["paths"]["/v1/search"]["get"]["description"] = text
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")

    status = docs.main(["--spec", str(path), "--out", str(tmp_path / "site"), "--force"])

    assert status == 1
    assert "names internals of hubindex" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_the_real_spec_names_no_internals():
    assert docs.internal_references(docs.public_spec(_real_spec())) == []


def test_prose_and_addresses_are_not_taken_for_internals():
    assert (
        docs.internal_references(
            {
                "description": "The client/server/registry split. Ask the server.",
                "url": "See server.example.com or https://tests.example.com/",
            }
        )
        == []
    )


def test_the_page_is_made_offline_or_refused():
    logo_full, logo_mini = docs.CDN_LOGOS
    page = f'<script>src:e?`{logo_full}`:`{logo_mini}`;"disableTelemetry":true</script>'
    offline = docs.offline(page)
    assert "cdn.redoc.ly" not in offline
    assert offline.count(docs.INLINE_LOGO) == 2

    with pytest.raises(docs.DocsError, match="no longer loads"):
        docs.offline('<script>"disableTelemetry":true</script>')
    with pytest.raises(docs.DocsError, match="telemetry"):
        docs.offline(f"<script>`{logo_full}` `{logo_mini}`</script>")
    with pytest.raises(docs.DocsError, match=r"fonts\.googleapis\.com"):
        docs.offline(page + '<link href="https://fonts.googleapis.com/css?family=Roboto">')


def test_redocly_lint_passes_the_public_spec_and_stops_a_problem():
    """scripts/docs lints what it publishes with Redocly's recommended rules; any problem, a
    warning too, stops the build and names the rule and the place."""
    public = docs.public_spec(_real_spec())
    docs.lint(json.dumps(public))

    del public["paths"]["/v1/_ping"]["get"]["summary"]
    del public["paths"]["/v1/search"]["get"]["operationId"]
    with pytest.raises(docs.DocsError) as refused:
        docs.lint(json.dumps(public))
    assert "operation-summary at #/paths/~1v1~1_ping/get" in str(refused.value)
    assert "warn operation-operationId at #/paths/~1v1~1search/get" in str(refused.value)
