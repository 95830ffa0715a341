"""A generated tree that does not fit the hand-written handlers is never written, nor served:
scripts/generate refuses it (exit 2, one line per problem, the handler's file:line), and
`hubindex serve` refuses one in one line. Before, a schema rename was generated (exit 0) and
served: 500 text/plain to every request, /v1/_ping included."""

import subprocess
from pathlib import Path

from tests.generator.conftest import PYTHON, edit_spec, generate
from tests.generator.test_serve_copy import WAIT, _env, _free_port

SEARCH = Path("server/handlers/search.py")


def _line(checkout: Path, relative: Path, text: str) -> list[int]:
    lines = (checkout / relative).read_text().splitlines()
    return [number for number, line in enumerate(lines, 1) if text in line]


def _rename_schema(checkout: Path, old: str, new: str) -> None:
    path = checkout / "spec" / "openapi.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(f"    {old}:\n", f"    {new}:\n").replace(
            f"#/components/schemas/{old}", f"#/components/schemas/{new}"
        )
    )


def test_a_schema_rename_is_refused_where_a_handler_names_the_old_model(checkout: Path):
    before = (checkout / "generated" / "models.py").read_text()
    _rename_schema(checkout, "SearchResults", "SearchPage")
    result = generate(checkout)
    assert result.returncode == 2, result.stderr
    lines = _line(checkout, SEARCH, "models.SearchResults")
    assert lines, "the handler no longer names the model: the test proves nothing"
    expected = [
        f"scripts/generate: {SEARCH}:{line}: names models.SearchResults,"
        " which generated/ has no more"
        for line in lines
    ]
    reported = result.stderr.splitlines()
    assert reported == [
        *expected,
        "scripts/generate: nothing written; fix the handlers, or the spec",
    ]
    assert (checkout / "generated" / "models.py").read_text() == before
    # --check refuses it the same way, with no traceback.
    checked = generate(checkout, "--check")
    assert checked.returncode == 2
    assert "Traceback" not in checked.stderr
    assert checked.stderr.splitlines()[: len(expected)] == expected


def test_an_import_of_a_renamed_model_is_refused(checkout: Path):
    handler = checkout / SEARCH
    handler.write_text(
        handler.read_text().replace(
            "from generated import models\n",
            "from generated import models\nfrom generated.models import SearchResults\n",
        )
    )
    _rename_schema(checkout, "SearchResults", "SearchPage")
    result = generate(checkout)
    assert result.returncode == 2
    line = _line(checkout, SEARCH, "from generated.models import SearchResults")[0]
    assert (
        f"scripts/generate: {SEARCH}:{line}: imports SearchResults from generated.models,"
        " which has none"
    ) in result.stderr.splitlines()


def test_a_parameter_the_handler_does_not_take_is_refused(checkout: Path):
    def add_parameter(spec: dict) -> None:
        spec["paths"]["/v1/search"]["get"]["parameters"].append(
            {"name": "sort", "in": "query", "schema": {"type": "string"}}
        )

    edit_spec(checkout, add_parameter)
    result = generate(checkout)
    assert result.returncode == 2
    line = _line(checkout, SEARCH, "async def query(")[0]
    assert result.stderr.splitlines()[0] == (
        f"scripts/generate: {SEARCH}:{line}: search.query: handler query does not take sort,"
        " which the glue passes"
    )


def test_a_parameter_the_handler_requires_and_the_glue_no_longer_passes_is_refused(
    checkout: Path,
):
    def remove_parameter(spec: dict) -> None:
        parameters = spec["paths"]["/v1/search"]["get"]["parameters"]
        spec["paths"]["/v1/search"]["get"]["parameters"] = [
            p for p in parameters if p != {"$ref": "#/components/parameters/Page"}
        ]

    edit_spec(checkout, remove_parameter)
    result = generate(checkout)
    assert result.returncode == 2, result.stderr
    assert "search.query: handler query requires page, which the glue does not pass" in (
        result.stderr
    )


def test_an_operation_id_rename_is_noted_with_the_handler_left_behind(checkout: Path):
    def rename(spec: dict) -> None:
        spec["paths"]["/v1/users/"]["get"]["operationId"] = "users.sign_in"

    edit_spec(checkout, rename)
    result = generate(checkout)
    assert result.returncode == 0, result.stderr
    line = _line(checkout, Path("server/handlers/users.py"), "async def login(")[0]
    assert result.stderr.splitlines() == [
        f"scripts/generate: note: server/handlers/users.py:{line}: handler users.login is called"
        " by no operation (users.sign_in has no handler: renamed?)"
    ]


def test_serve_refuses_a_tree_the_handlers_do_not_fit_in_one_line(checkout: Path):
    """The tree is fresh (the handler changed, not the spec), and still cannot serve."""
    handler = checkout / SEARCH
    handler.write_text(handler.read_text().replace("models.SearchResults", "models.SearchPage"))
    result = subprocess.run(
        [PYTHON, "-m", "server.cli.main", "serve", "--port", str(_free_port())],
        capture_output=True,
        text=True,
        check=False,
        cwd=checkout,
        env=_env(checkout),
        timeout=WAIT,
    )
    assert result.returncode == 1
    line = _line(checkout, SEARCH, "models.SearchPage")[0]
    assert result.stderr == (
        f"hubindex: generated/ does not fit the handlers: {SEARCH}:{line}: names"
        " models.SearchPage, which generated/ has no more (and 1 more)\n"
    )
