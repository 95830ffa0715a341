"""scripts/lib/stubs.py (run by scripts/check) on the real checkout and on edited copies."""

import subprocess
import textwrap
from pathlib import Path

from generated.requests import OPERATIONS
from tests.conftest import ROOT
from tests.generator.conftest import PYTHON, edit_spec, generate


def _stubs(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-W", "ignore", str(checkout / "scripts" / "lib" / "stubs.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=checkout,
    )


def _rename_login(spec: dict) -> None:
    spec["paths"]["/v1/users/"]["get"]["operationId"] = "users.sign_in"


def test_the_checkout_has_a_handler_for_every_operation_and_no_other():
    result = _stubs(ROOT, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"scripts/check: all {len(OPERATIONS)} operations have handlers\n"


def test_after_a_rename_the_old_handler_is_a_warning_and_strict_fails(checkout: Path):
    edit_spec(checkout, _rename_login)
    assert generate(checkout).returncode == 0
    plain = _stubs(checkout)
    assert plain.returncode == 0, plain.stderr
    line = (
        (checkout / "server" / "handlers" / "users.py")
        .read_text()
        .split("\n")
        .index("async def login(call: Call) -> models.Ok:")
    )
    assert plain.stdout.splitlines()[-4:] == [
        f"scripts/check: 1 of {len(OPERATIONS)} operations answer 501 (no handler):",
        "  users.sign_in",
        "scripts/check: warning: 1 handler(s) no operation calls (an operationId renamed or"
        " removed from the spec?):",
        f"  users.login (server/handlers/users.py:{line + 1})",
    ]
    strict = _stubs(checkout, "--strict")
    assert strict.returncode == 1
    assert "scripts/check: error: 1 handler(s) no operation calls" in strict.stdout


def test_a_module_whose_operations_are_all_removed_leaves_its_handlers_listed(checkout: Path):
    edit_spec(checkout, lambda spec: spec["paths"].pop("/v1/_ping"))
    assert generate(checkout).returncode == 0
    result = _stubs(checkout, "--strict")
    assert result.returncode == 1
    lines = (checkout / "server" / "handlers" / "ping.py").read_text().split("\n")
    line = next(n for n, text in enumerate(lines) if text.startswith("async def get("))
    assert result.stdout.splitlines()[-1] == f"  ping.get (server/handlers/ping.py:{line + 1})"


def test_private_and_imported_names_are_not_handlers(checkout: Path):
    handlers = checkout / "server" / "handlers"
    (handlers / "users.py").write_text(
        (handlers / "users.py").read_text()
        + textwrap.dedent(
            """

            from server.handlers._docker import token_headers  # noqa: E402


            async def _helper(call: Call) -> None:
                return None
            """
        )
    )
    (handlers / "_private.py").write_text("async def anything() -> None:\n    return None\n")
    result = _stubs(checkout, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no operation calls" not in result.stdout
