"""Fixtures shared by every layer, the order a run takes the layers in, and the run's last
line: which backends it covered and how long it took."""

import atexit
import os
import shutil
import tempfile
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
# module of a quick layer marked ``slow`` runs with the slow ones, before robustness.
QUICK_LAYERS = ("unit", "storage", "functional", "protocol", "security")
# The slow layers whose single tests are longest first (contract's Schemathesis campaigns take
# 90 s each, bench's smoke test a minute): with ``-n``, workers take tests as they finish
# others, so long tests started early run beside the rest instead of leaving one worker alone
# with them at the end; the many short tests of robustness come last and even the workers out.
SLOW_LAYERS = ("contract", "bench", "differential", "docs", "generator", "robustness")
# Set by scripts/test when it starts (seconds since the epoch), for the whole command's time.
STARTED = "HUBINDEX_TEST_STARTED"
# The name under which a test's backend rides in its reports' ``user_properties``.
BACKEND_PROPERTY = "hubindex_backend"


# The secrets key file of the run's servers and commands (their subprocesses inherit it), out
# of the checkout; tests of the key file name theirs. Its path does not say "secret": tests
# look for that word in what is printed.
if "HUBINDEX_SECRETS_KEY_FILE" not in os.environ:
    _KEYS = tempfile.mkdtemp(prefix="hubindex-test-keys-")
    atexit.register(shutil.rmtree, _KEYS, ignore_errors=True)
    os.environ["HUBINDEX_SECRETS_KEY_FILE"] = os.path.join(_KEYS, "keys")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class _BackendCoverage:
    """Counts the outcomes of the tests that run on a database backend, per backend."""

    def __init__(self) -> None:
        self.backend_of: dict[str, str] = {}  # nodeid -> backend, as its reports said
        self.outcomes: dict[str, Counter[str]] = {backend: Counter() for backend in BACKENDS}
        self.started = time.monotonic()

    def pytest_sessionstart(self) -> None:
        self.started = time.monotonic()

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # The backend travels with each report: from a worker of ``-n`` (pytest-xdist) to the
        # process that counts, which collects nothing itself.
        for item in items:
            backend = _backend(item)
            if backend is not None:
                item.user_properties.append((BACKEND_PROPERTY, backend))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        backend = dict(report.user_properties).get(BACKEND_PROPERTY)
        if backend is not None:
            self.backend_of[report.nodeid] = backend
        elif report.when not in ("setup", "call", "teardown"):
            # pytest-xdist's report of a test whose worker crashed: it carries no properties.
            backend = self.backend_of.get(report.nodeid) or _backend_in_id(report.nodeid)
        if backend is None:
            return
        if report.when in ("setup", "teardown") and report.passed:
            return
        if report.when != "teardown":
            self.outcomes[backend][report.outcome] += 1

    # Outermost, so that the line comes after pytest's own summary: the run's last.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None]:
        result = yield
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and not _is_worker(session.config):
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


def _is_worker(config: pytest.Config) -> bool:
    """A worker process of ``-n`` (pytest-xdist): the controller reports for the run."""
    return hasattr(config, "workerinput")


def worker_id() -> str:
    """This process's pytest-xdist worker (``gw0``, ``gw1``...), or ``main`` without ``-n``."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


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


def _backend_in_id(nodeid: str) -> str | None:
    """The backend among the parameters of a test's id (``test_x[sqlite-...]``), if any."""
    _, _, parameters = nodeid.partition("[")
    found = set(parameters.rstrip("]").split("-")) & set(BACKENDS)
    return found.pop() if len(found) == 1 else None


# Before pytest-xdist's own hook, which reads the ``xdist_group`` marks added here.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The quick layers first, the slow ones last (a stable sort: modules stay together).

    The tests of a module that share a fixture wider than a test (a served index, a database
    whose accounts a table of cases shares, the engines that later cases find a repository in)
    form one group, which ``--dist loadgroup`` hands to one worker whole and in order: a case
    must not run on a worker whose copy of the fixture lacks what earlier cases did."""
    for item in items:
        if _shares_a_fixture(item):
            item.add_marker(pytest.mark.xdist_group(name=item.module.__name__))
    quick_order = {layer: rank for rank, layer in enumerate((*QUICK_LAYERS, ""))}
    slow_order = {layer: rank for rank, layer in enumerate(SLOW_LAYERS)}
    before_robustness = slow_order["robustness"] - 0.5
    for item in items:
        if _layer(item) in SLOW_LAYERS:
            item.add_marker(pytest.mark.slow)

    def rank(item: pytest.Item) -> tuple[bool, float]:
        layer = _layer(item)
        if item.get_closest_marker("slow") is None:
            return (False, quick_order.get(layer, quick_order[""]))
        return (True, slow_order.get(layer, before_robustness))

    items.sort(key=rank)


def _shares_a_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None or not isinstance(item, pytest.Function):
        return False
    # The last definition of a name is the one the test gets (the others are overridden).
    return any(
        definitions[-1].scope in ("class", "module", "package")
        for definitions in info.name2fixturedefs.values()
        if definitions
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under ``-m "not slow"`` (``scripts/test --quick``) the slow layers are not even
    collected: every test in them is marked slow, and importing them (Schemathesis,
    Playwright) costs each worker seconds."""
    quick = config.option.markexpr == "not slow"
    if quick and collection_path.parent == TESTS and collection_path.name in SLOW_LAYERS:
        return True
    return None


def _layer(item: pytest.Item) -> str:
    try:
        return item.path.relative_to(TESTS).parts[0]
    except ValueError:
        return ""


def pytest_configure(config: pytest.Config) -> None:
    memo.install()
    config.pluginmanager.register(_BackendCoverage(), "hubindex-backend-coverage")
