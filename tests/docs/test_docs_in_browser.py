"""The API docs as a reader's browser shows them: headless Chromium, driven by Playwright.

(a) site/index.html, the page scripts/docs builds, opened from disk (file://);
(b) /docs/, the Swagger UI page of a running hubindex.

Each must render every operation of spec/openapi.yaml, log no console error, and load nothing
but file:, data: and blob: addresses and the server under test. Chromium is Debian's package
(.ci/run installs it); Playwright's own browser download does not work on this machine.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from server.spec.document import HTTP_METHODS, operations
from tests.conftest import ROOT
from tests.docs.support import docs, samples

SPEC = ROOT / "spec" / "openapi.yaml"
SITE = ROOT / "site"
PAGE = SITE / "index.html"
# What site/ is built from: the tests run scripts/docs when a file of site/ is older than one.
DOCS_INPUTS = [
    SPEC,
    ROOT / "scripts" / "docs",
    ROOT / "scripts" / "lib" / "docs.py",
    ROOT / "scripts" / "lib" / "samples.py",
    ROOT / "scripts" / "lib" / "spec_changes.py",
    ROOT / "scripts" / "lib" / "redocly.yaml",
    ROOT / "package-lock.json",
]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    # Belt and braces: should the page ask for any host by name, the lookup fails here instead
    # of leaving the machine. The request is still recorded, and the test fails on it.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
TIMEOUT_MS = 20_000
SECTION_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    summary: str
    tag: str
    parameters: list[str]
    status_codes: list[str]
    first_response_headers: list[str]
    body_example: Any


def _operations() -> list[Operation]:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    components = spec.get("components", {})

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            _, section, name = node["$ref"].removeprefix("#/").split("/")
            node = components[section][name]
        return node

    found = []
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = item[method]
            responses = {str(code): resolve(r) for code, r in op["responses"].items()}
            body = resolve(op.get("requestBody", {})).get("content", {})
            found.append(
                Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    summary=op["summary"],
                    tag=op["tags"][0],
                    parameters=[
                        resolve(p)["name"]
                        for p in item.get("parameters", []) + op.get("parameters", [])
                    ],
                    status_codes=list(responses),
                    first_response_headers=list(next(iter(responses.values())).get("headers", {})),
                    body_example=next(iter(body.values()), {}).get("example"),
                )
            )
    assert found, "the spec has no operations"
    return found


OPERATIONS = _operations()


def _first_string(value: Any) -> str | None:
    """The first string in an example, depth first: the page shows it in its request sample."""
    if isinstance(value, str):
        return value
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    )
    for child in children:
        found = _first_string(child)
        if found is not None:
            return found
    return None


# -- the browser ------------------------------------------------------------------------------


@dataclass
class Watch:
    """What a page did: every request it made, every console error and uncaught exception."""

    allowed_origin: str | None = None
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext, page: Page) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console.error: {message.text} ({message.location})")

    def leaving(self) -> list[str]:
        """The requests to anywhere but this machine's files, memory and server under test."""
        return [url for url in self.requests if not self._local(url)]

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("file", "data", "blob"):
            return True
        origin = f"{parts.scheme}://{parts.netloc}"
        return self.allowed_origin is not None and origin == self.allowed_origin

    def problems(self) -> list[str]:
        """Requests that left the machine and errors, one line each; [] for a clean page."""
        if not self.requests:
            return ["no request was seen at all: the watch is not attached"]
        return [f"request leaving the machine: {url}" for url in self.leaving()] + self.errors


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), "
            "as .ci/run does. The docs tests need a real browser."
        )
    with sync_playwright() as playwright:
        # launch() gives Chromium a new, empty --user-data-dir of its own, removed at close.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Any]:
    """open_page(url, watch) -> a page in a fresh context, with ``watch`` attached first."""
    contexts: list[BrowserContext] = []

    def open_(url: str, watch: Watch) -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        watch.attach(context, page)
        page.goto(url, wait_until="load")
        return page

    yield open_
    for context in contexts:
        context.close()


# -- (a) the published page, from disk --------------------------------------------------------


@pytest.fixture(scope="module")
def built_page() -> Path:
    """site/index.html, built by scripts/docs first when site/ is missing or out of date."""
    outputs = [PAGE, SITE / "openapi.json", SITE / "openapi.yaml"]
    newest_input = max(path.stat().st_mtime for path in DOCS_INPUTS)
    if (
        not all(path.exists() for path in outputs)
        or min(path.stat().st_mtime for path in outputs) < newest_input
    ):
        result = subprocess.run(
            [str(ROOT / "scripts" / "docs"), "--force"],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        assert result.returncode == 0, f"scripts/docs failed:\n{result.stdout}{result.stderr}"
    assert PAGE.exists()
    return PAGE


def test_the_published_spec_files_are_the_public_spec(built_page: Path):
    public = docs.public_spec(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    assert json.loads((SITE / "openapi.json").read_text(encoding="utf-8")) == public
    assert yaml.safe_load((SITE / "openapi.yaml").read_text(encoding="utf-8")) == public
    # The page embeds the spec it shows (Redocly CLI's template): the public one, with what only
    # the page shows (samples.py).
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    embedded = _embedded(built_page)
    assert embedded == samples.for_page(spec, public)
    assert embedded["servers"][0]["variables"]["index"]["default"] == "http://127.0.0.1:5000"
    assert embedded["x-tagGroups"] == spec["x-tagGroups"]
    for _path, _method, operation, _item in operations(embedded):
        (sample,) = operation.pop("x-codeSamples")
        assert sample["label"] == "curl"
        assert "$INDEX/" in sample["source"]
        anonymous = {} in operation.get("security", [])
        assert operation["description"].startswith(samples.ANONYMOUS) == anonymous
        operation["description"] = operation["description"].removeprefix(samples.ANONYMOUS)
    assert {**embedded, "servers": public["servers"], "x-tagGroups": None} == {
        **public,
        "x-tagGroups": None,
    }


def _embedded(built_page: Path) -> dict[str, Any]:
    embedded = re.search(r"const __redoc_definition = (.*);\n", built_page.read_text("utf-8"))
    assert embedded, "site/index.html does not embed its spec where Redocly CLI 2.x puts it"
    return json.loads(embedded.group(1))


def _redoc_section(page: Page, op: Operation) -> str | None:
    """The text of the operation's section of the Redoc page; None if it does not show."""
    # Redoc 3 renders the part of the page around the reader's place; each operation has its
    # own address, #/<tag>/<operationId>, and its section carries <tag>/<operationId> as id.
    section_id = f"{op.tag}/{op.operation_id}"
    page.evaluate("hash => { window.location.hash = hash }", f"#/{section_id}")
    try:
        page.wait_for_function(
            "([id, text]) => document.getElementById(id)?.innerText.includes(text)",
            arg=[section_id, op.summary],
            timeout=SECTION_TIMEOUT_MS,
        )
    except PlaywrightTimeoutError:
        return None
    return page.locator(f'[id="{section_id}"]').inner_text()


def test_the_published_page_renders_every_operation_offline(built_page: Path, open_page):
    watch = Watch()
    page = open_page(built_page.as_uri(), watch)
    shown = list(operations(_embedded(built_page)))
    code = {
        operation["operationId"]: operation["x-codeSamples"][0]["source"]
        for *_, operation, _ in shown
    }
    anonymous = {
        operation["operationId"]
        for *_, operation, _ in shown
        if {} in operation.get("security", [])
    }
    assert anonymous, "no operation of the spec allows anonymous requests beside credentials"
    problems: list[str] = []
    for op in OPERATIONS:
        text = _redoc_section(page, op)
        if text is None:
            problems.append(
                f"{op.operation_id}: no section #/{op.tag}/{op.operation_id} showing {op.summary!r}"
            )
            if len(problems) == 3:  # a broken page: say so now, not after a wait for each
                break
            continue
        lines = {line.strip() for line in text.splitlines()}
        expected = [op.path, *op.parameters, *op.status_codes, *op.first_response_headers]
        absent = [item for item in expected if item not in lines]
        if op.method not in {line.upper() for line in lines}:
            absent.append(op.method)
        example = _first_string(op.body_example)
        if example is not None and example not in text:
            absent.append(f"request example {example!r}")
        if code[op.operation_id] not in page.evaluate("() => document.body.innerText"):
            absent.append(f"code sample {code[op.operation_id]!r}")
        if op.operation_id in anonymous and "Anonymous requests are allowed" not in text:
            absent.append("that anonymous requests are allowed")
        if absent:
            problems.append(f"{op.operation_id}: section does not show {absent}")
    problems += watch.problems()
    assert problems == [], "\n".join(problems)


# The introduction's sections, which Redoc lists in the sidebar before the operations.
SECTIONS = ("Getting started", "Authentication", "Errors", "Pushing and pulling with Docker")


def test_the_published_page_lists_the_introductions_sections_in_its_sidebar(
    built_page: Path, open_page
):
    watch = Watch()
    page = open_page(built_page.as_uri(), watch)
    menu = page.locator('[data-testid="menu-item-label"]')
    menu.first.wait_for(timeout=SECTION_TIMEOUT_MS)
    labels = [label.strip() for label in menu.all_inner_texts()]
    # The API's title first, then the sections.
    assert labels[1 : 1 + len(SECTIONS)] == list(SECTIONS), labels
    # Each leads to its text: Getting started starts with the ping.
    menu.nth(1).click()
    page.wait_for_function("() => window.location.hash === '#/section/getting-started'")
    section = page.locator('[data-section-id="/section/getting-started"]')
    assert section.inner_text().strip().startswith("Getting started")
    assert "/v1/_ping" in section.inner_text()
    assert watch.problems() == []


# -- (b) the page a running hubindex serves ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``hubindex serve`` on a free loopback port over a new SQLite database; its base URL."""
    folder = tmp_path_factory.mktemp("docs-server")
    port = _free_port()
    log = (folder / "server.log").open("w")
    env = {
        **os.environ,
        "HUBINDEX_DATABASE_URL": f"sqlite:///{folder / 'hubindex.db'}",
        "HUBINDEX_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "hubindex"), "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=folder,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/v1/_ping", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"hubindex serve did not start:\n{(folder / 'server.log').read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _swagger_operations(page: Page) -> list[dict[str, str]]:
    page.wait_for_function(
        "n => document.querySelectorAll('.opblock').length >= n", arg=len(OPERATIONS)
    )
    return page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(block => ({
            id: block.id,
            method: block.querySelector('.opblock-summary-method')?.textContent.trim(),
            path: block.querySelector('.opblock-summary-path')?.getAttribute('data-path'),
            summary: block.querySelector('.opblock-summary-description')?.textContent.trim(),
            shownId: block.querySelector('.opblock-summary-operation-id')?.textContent.trim(),
        }))""",
    )


def test_the_served_page_renders_every_operation_offline(server: str, open_page):
    watch = Watch(allowed_origin=server)
    page = open_page(f"{server}/docs/", watch)
    rendered = _swagger_operations(page)
    # Swagger UI's id for an operation block is operations-<tag>-<operationId>, CSS-escaped.
    seen = {
        (block["id"].replace("\\", ""), block["method"], block["path"], block["summary"])
        for block in rendered
    }
    wanted = {
        (f"operations-{op.tag}-{op.operation_id}", op.method, op.path, op.summary)
        for op in OPERATIONS
    }
    assert wanted - seen == set(), f"not rendered: {sorted(wanted - seen)}"
    assert f"{server}/openapi.json" in watch.requests
    assert watch.problems() == []


def test_the_served_page_shows_every_operation_id(server: str, open_page):
    watch = Watch(allowed_origin=server)
    page = open_page(f"{server}/docs/", watch)
    shown = sorted(block["shownId"] or "" for block in _swagger_operations(page))
    assert shown == sorted(op.operation_id for op in OPERATIONS)
    assert watch.problems() == []
