"""The Python samples of the published page run: each operation's sample (scripts/lib/samples.py,
the typed client of generated/client) is executed as a reader would, against a real hubindex on
a loopback port, with its base URL set to that index as the page's address box sets it.

The operations run in the order of a push and a pull (``STORY``), each with the credentials it
needs in the environment (``USERNAME``, ``PASSWORD``, ``TOKEN``) and the status its happy path
answers; a token comes from an earlier sample's answer. An operation the story does not know yet
still runs, after the story, and must answer a status its spec documents, below 500.

Here, not in tests/docs: the samples need the real server on a real database of each backend,
which the functional fixtures give.
"""

import contextlib
import io
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from server.spec.document import operations
from tests.conftest import ROOT
from tests.docs.support import docs, samples
from tests.harness import Account, Index

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text("utf-8"))
# The spec's examples: the account the samples act as, and its repository.
USER = Account("foobar", "toto42", "sam@docker.com")


@dataclass(frozen=True)
class Step:
    operation_id: str
    status: int
    who: str = "user"  # whose USERNAME and PASSWORD: "user" (foobar) or "admin"
    token_from: str | None = None  # the operation whose X-Docker-Token answer is TOKEN


STORY = [
    Step("ping.get", 200),
    Step("ping.ready", 200),
    Step("users.register", 201),  # foobar, as the example; then confirmed from the mail
    Step("users.confirm", 404),  # the example's code is no code this index mailed
    Step("users.login", 200),
    Step("repositories.create", 200),
    Step("images.put", 204),
    Step("images.get", 200),
    Step("tokens.check", 200, token_from="images.get"),
    Step("search.query", 200),
    Step("repositories.create_library", 200, who="admin"),
    Step("images.put_library", 204, who="admin"),
    Step("images.get_library", 200),
    Step("tokens.check_library", 200, token_from="images.get_library"),
    Step("users.update", 204),  # adds an address (the password stays the example's)
    Step("repositories.delete", 202),
    Step("repositories.delete_library", 202, who="admin"),
]


def _python_samples() -> dict[str, str]:
    page = samples.for_page(SPEC, docs.public_spec(SPEC))
    found = {}
    for _path, _method, operation, _item in operations(page):
        by_label = {sample["label"]: sample["source"] for sample in operation["x-codeSamples"]}
        found[operation["operationId"]] = by_label["Python"]
    return found


def _documented(operation_id: str) -> set[int]:
    for _path, _method, operation, _item in operations(SPEC):
        if operation["operationId"] == operation_id:
            return {int(code) for code in operation["responses"] if code.isdigit()}
    raise AssertionError(f"no operation {operation_id}")


def _run(source: str, index: Index) -> Any:
    """The sample's ``response``, run with the page's base URL set to ``index``."""
    assert samples.BASE_URL in source
    code = compile(source.replace(samples.BASE_URL, index.url), "<sample>", "exec")
    scope: dict[str, Any] = {"__name__": "__sample__"}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(code, scope)
    response = scope["response"]
    assert printed.getvalue().startswith(f"{response.status_code} "), printed.getvalue()
    return response


@pytest.mark.over_socket
def test_every_python_sample_runs_against_a_real_index(
    index: Index, monkeypatch: pytest.MonkeyPatch
):
    python = _python_samples()
    admin = index.admin()
    answers: dict[str, Any] = {}
    problems: list[str] = []
    for step in STORY:
        account = admin if step.who == "admin" else USER
        monkeypatch.setenv("USERNAME", account.username)
        monkeypatch.setenv("PASSWORD", account.password)
        if step.token_from is not None:
            monkeypatch.setenv("TOKEN", answers[step.token_from].headers["X-Docker-Token"])
        response = _run(python[step.operation_id], index)
        answers[step.operation_id] = response
        if response.status_code != step.status:
            problems.append(
                f"{step.operation_id}: {response.status_code} {response.content!r}, "
                f"not {step.status}"
            )
        if step.operation_id == "users.register":
            assert index.activate(USER.email).status_code == 200
    # What the story does not know yet: run as foobar, it must answer as documented.
    monkeypatch.setenv("USERNAME", USER.username)
    monkeypatch.setenv("PASSWORD", USER.password)
    for operation_id in sorted(set(python) - {step.operation_id for step in STORY}):
        response = _run(python[operation_id], index)
        if response.status_code >= 500 or response.status_code not in _documented(operation_id):
            problems.append(f"{operation_id}: {response.status_code} {response.content!r}")
    assert problems == []


def test_the_story_names_only_operations_of_the_spec():
    known = {operation["operationId"] for *_, operation, _ in operations(SPEC)}
    assert [s.operation_id for s in STORY if s.operation_id not in known] == []
    for step in STORY:
        assert step.status in _documented(step.operation_id), step
