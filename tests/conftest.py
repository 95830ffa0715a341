"""Fixtures shared by every layer, and the run's last line: which backends it covered."""

from collections import Counter
from pathlib import Path

import pytest

from tests.backends import BACKENDS, postgres

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class _BackendCoverage:
    """Counts the outcomes of the tests that run on a database backend, per backend."""

    def __init__(self) -> None:
        self.backend_of: dict[str, str] = {}
        self.outcomes: dict[str, Counter[str]] = {backend: Counter() for backend in BACKENDS}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            backend = _backend(item)
            if backend is not None:
                self.backend_of[item.nodeid] = backend

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        backend = self.backend_of.get(report.nodeid)
        if backend is None:
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.outcomes[backend][report.outcome] += 1

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        parts = []
        for backend in BACKENDS:
            counts = self.outcomes[backend]
            if not counts:
                continue
            described = ", ".join(
                f"{counts[o]} {o}" for o in ("passed", "failed", "skipped") if counts[o]
            )
            parts.append(f"{backend} {described}")
        if not parts:
            return
        line = "backends: " + "; ".join(parts)
        target = postgres()
        if target.url is None and self.outcomes["postgresql"]["skipped"]:
            line += f" (postgresql left out: {target.why_left_out})"
        terminalreporter.write_line(line)


def _backend(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        for value in callspec.params.values():
            if isinstance(value, str) and value in BACKENDS:
                return value
    if "postgres_databases" in getattr(item, "fixturenames", ()):
        return "postgresql"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_BackendCoverage(), "hubindex-backend-coverage")
