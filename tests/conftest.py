"""Fixtures shared by every layer, the order a run takes the layers in, and the run's last
line: which backends it covered and how long it took."""

import os
import time
from collections import Counter
from collections.abc import Generator
from pathlib import Path

import pytest

from tests import memo
from tests.backends import BACKENDS, postgres

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
# The layers in the order a run takes them: the quick ones first, so that a run shows progress
# (and its first failures) early; then the slow ones, marked ``slow`` (``-m "not slow"``, which
# ``scripts/test --quick`` runs, leaves them out). A layer not named here runs before them; a
# module of a quick layer marked ``slow`` runs with the slow ones.
QUICK_LAYERS = ("unit", "storage", "functional", "protocol", "security")
SLOW_LAYERS = ("generator", "robustness", "docs", "differential", "contract", "bench")
# Set by scripts/test when it starts (seconds since the epoch), for the whole command's time.
STARTED = "HUBINDEX_TEST_STARTED"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class _BackendCoverage:
    """Counts the outcomes of the tests that run on a database backend, per backend."""

    def __init__(self) -> None:
        self.backend_of: dict[str, str] = {}
        self.outcomes: dict[str, Counter[str]] = {backend: Counter() for backend in BACKENDS}
        self.started = time.monotonic()

    def pytest_sessionstart(self) -> None:
        self.started = time.monotonic()

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

    # Outermost, so that the line comes after pytest's own summary: the run's last.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None]:
        result = yield
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(self.last_line())
        return result

    def last_line(self) -> str:
        parts = []
        for backend in BACKENDS:
            counts = self.outcomes[backend]
            if not counts:
                continue
            described = ", ".join(
                f"{counts[o]} {o}" for o in ("passed", "failed", "skipped") if counts[o]
            )
            parts.append(f"{backend} {described}")
        line = "backends: " + ("; ".join(parts) or "none")
        target = postgres()
        if target.url is None and self.outcomes["postgresql"]["skipped"]:
            line += f" (postgresql left out: {target.why_left_out})"
        line += f"; pytest {time.monotonic() - self.started:.1f} s"
        started = os.environ.get(STARTED)
        if started:
            line += f", the whole command {_minutes(time.time() - float(started))}"
        return line


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _backend(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        for value in callspec.params.values():
            if isinstance(value, str) and value in BACKENDS:
                return value
    if "postgres_databases" in getattr(item, "fixturenames", ()):
        return "postgresql"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The quick layers first, the slow ones last (a stable sort: modules stay together)."""
    order = {layer: rank for rank, layer in enumerate((*QUICK_LAYERS, "", *SLOW_LAYERS))}
    for item in items:
        if _layer(item) in SLOW_LAYERS:
            item.add_marker(pytest.mark.slow)

    def rank(item: pytest.Item) -> tuple[bool, int]:
        slow = item.get_closest_marker("slow") is not None
        return (slow, order.get(_layer(item), order[""]))

    items.sort(key=rank)


def _layer(item: pytest.Item) -> str:
    try:
        return item.path.relative_to(TESTS).parts[0]
    except ValueError:
        return ""


def pytest_configure(config: pytest.Config) -> None:
    memo.install()
    config.pluginmanager.register(_BackendCoverage(), "hubindex-backend-coverage")
