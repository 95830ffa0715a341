"""scripts/generate refuses what a valid OpenAPI document can still get wrong, in one line that
names the node at fault (its JSON pointer, and the line and column of its key), never the line
of the operation that holds it: an example its schema contradicts, a link to an operation or a
parameter that is not there, a 3.1 document, and the generator's own refusals of a parameter, a
media type or a security scheme."""

from pathlib import Path

import pytest

from tests.generator.conftest import generate

# Each case: one text edit of spec/openapi.yaml (old, new, the text of the line the refusal
# must name, which the edit leaves once in the file) and the pointer and words it must give.
CASES = {
    "a parameter's example its enum does not hold": (
        'enum: ["true", "false"]\n      example: "true"',
        'enum: ["true", "false"]\n      example: "yes"',
        'example: "yes"',
        "/components/parameters/XDockerToken/example: the example contradicts its schema:"
        " 'yes' is not one of ['true', 'false']",
    ),
    "a request body's example with a field of the wrong type": (
        "              username: foobar\n              password: toto42",
        "              username: 12\n              password: toto42",
        "username: 12",
        "/paths/~1v1~1users~1/post/requestBody/content/application~1json/example/username:"
        " the example contradicts its schema: 12 is not of type 'string'",
    ),
    "a response's named example that breaks its schema": (
        "                    ready: false\n                    database: ok",
        "                    ready: maybe\n                    database: ok",
        "ready: maybe",
        "/paths/~1v1~1_ready/get/responses/503/content/application~1json/examples/pending/value"
        "/ready: the example contradicts its schema: 'maybe' is not of type 'boolean'",
    ),
    "a link to an operationId that was renamed": (
        "operationId: images.get\n          parameters:",
        "operationId: images.list_all\n          parameters:",
        "operationId: images.list_all",
        "/links/GetImages/operationId: the link names operationId 'images.list_all', which no"
        " operation has",
    ),
    "a link to a parameter the operation does not have": (
        "                namespace: $request.body#/username\n                repository: hello",
        "                namespace: $request.body#/username\n                repo: hello",
        "repo: hello",
        "/paths/~1v1~1users~1/post/responses/201/links/CreateRepository/parameters/repo: the"
        " linked operation has no parameter 'repo'",
    ),
    "a link reading a field the request body does not have": (
        "namespace: $request.body#/username",
        "namespace: $request.body#/login",
        "namespace: $request.body#/login",
        "/paths/~1v1~1users~1/post/responses/201/links/CreateRepository/parameters/namespace:"
        " '$request.body#/login': the request body has no such field",
    ),
    "a link reading a path parameter the operation does not have": (
        "repository: $request.path.repository\n          description: The image ids",
        "repository: $request.path.reponame\n          description: The image ids",
        "repository: $request.path.reponame",
        "/links/GetImages/parameters/repository: '$request.path.reponame': the operation has no"
        " path parameter of that name",
    ),
    "an OpenAPI 3.1 document": (
        "openapi: 3.0.3",
        "openapi: 3.1.0",
        "openapi: 3.1.0",
        "/openapi: OpenAPI 3.1.0 is not supported: write an OpenAPI 3.0.x document",
    ),
    "a parameter named like the glue's own argument": (
        "      name: code\n      in: query",
        "      name: request\n      in: query",
        "name: request",
        "/components/parameters/ConfirmationCode/name: users.confirm: parameter 'request' would"
        " be the glue's argument 'request', which is taken",
    ),
    "a response's media range": (
        '                $ref: "#/components/schemas/Ping"\n              example: true\n',
        '                $ref: "#/components/schemas/Ping"\n              example: true\n'
        "            text/*: {}\n",
        "text/*:",
        "/paths/~1v1~1_ping/get/responses/200/content/text~1*: ping.get 200: text/*: name the"
        " one media type the server sends",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_refusal_names_the_node_at_fault_by_pointer_and_line(checkout: Path, case: str):
    old, new, marked, expected = CASES[case]
    path = checkout / "spec" / "openapi.yaml"
    text = path.read_text()
    assert text.count(old) == 1, old
    edited = text.replace(old, new)
    path.write_text(edited)
    [(line, column)] = [
        (number, found.index(marked) + 1)
        for number, found in enumerate(edited.splitlines(), 1)
        if marked in found
    ]
    result = generate(checkout, "--check")
    assert result.returncode == 2, result.stdout + result.stderr
    [message] = result.stderr.splitlines()
    assert message.startswith(f"scripts/generate: spec/openapi.yaml:{line}:{column}: "), message
    assert expected in message


def test_a_security_scheme_the_server_cannot_check_is_named_in_components(checkout: Path):
    path = checkout / "spec" / "openapi.yaml"
    text = path.read_text()
    old = "    basicAuth:\n      type: http\n      scheme: basic\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, old.replace("scheme: basic", "scheme: digest")))
    line = text[: text.index(old)].count("\n") + 1
    result = generate(checkout, "--check")
    assert result.returncode == 2, result.stdout + result.stderr
    [message] = result.stderr.splitlines()
    assert message.startswith(
        f"scripts/generate: spec/openapi.yaml:{line}:5: /components/securitySchemes/basicAuth: "
    ), message
    assert "security scheme 'basicAuth' (http digest) is not supported" in message


def test_an_operation_id_rename_is_refused_where_a_link_still_names_the_old_one(checkout: Path):
    path = checkout / "spec" / "openapi.yaml"
    text = path.read_text()
    old = "operationId: images.get\n      tags:"
    assert text.count(old) == 1
    path.write_text(text.replace(old, "operationId: images.list\n      tags:"))
    result = generate(checkout, "--check")
    assert result.returncode == 2, result.stdout + result.stderr
    [message] = result.stderr.splitlines()
    assert message.startswith("scripts/generate: spec/openapi.yaml:"), message
    assert (
        "/links/GetImages/operationId: the link names operationId 'images.get', which no"
        " operation has"
    ) in message
