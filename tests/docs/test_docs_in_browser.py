"""The API docs as a reader's browser shows them: headless Chromium, driven by Playwright.

(a) site/index.html, the page scripts/docs builds, opened from disk (file://);
(b) /docs/, the Swagger UI page of a running hubindex.

Each must render every operation of spec/openapi.yaml, log no console error, and load nothing
but file:, data: and blob: addresses and the server under test. Chromium is Debian's package
(.ci/run installs it); Playwright's own browser download does not work on this machine.
"""

import contextlib
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
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
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
    ROOT / "scripts" / "lib" / "python_samples.py",
    ROOT / "scripts" / "lib" / "page.js",
    ROOT / "scripts" / "lib" / "spec_changes.py",
    ROOT / "generated" / "sources.sha256",  # the client the Python samples call
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
    assert embedded["servers"] == [{"url": "http://127.0.0.1:5000", "description": samples.SERVER}]
    assert embedded["x-tagGroups"] == spec["x-tagGroups"]
    for _path, _method, operation, _item in operations(embedded):
        shown = operation.pop("x-codeSamples")
        assert [sample["label"] for sample in shown] == ["curl", "Python"]
        for sample in shown:
            assert samples.BASE_URL in sample["source"]
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
    # The heading can show a moment before the rest of the section (CI once read a section
    # whose text was its heading alone); wait for its path too, then let the caller compare.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "([id, path]) => document.getElementById(id)?.innerText.includes(path)",
            arg=[section_id, op.path],
            timeout=SECTION_TIMEOUT_MS,
        )
    return page.locator(f'[id="{section_id}"]').inner_text()


def _sample_shown(page: Page, op: Operation, expected: str | None = None) -> str:
    """The code the operation's request-samples panel shows (its chosen language's), once it
    shows any (and, given ``expected``, once it shows that or the wait is over): Redoc may
    render a section's panel a moment before its code, and a code a moment before its own."""
    code = (
        f'[id="{op.tag}/{op.operation_id}"] .panel-request-samples pre[data-testid="source-code"]'
    )
    with contextlib.suppress(PlaywrightTimeoutError):  # the comparison says what shows
        page.wait_for_function(
            """([selector, expected]) => {
                const shown = document.querySelector(selector)?.innerText.replace(/\\n+$/, "");
                return expected === null ? shown?.trim() : shown === expected;
            }""",
            arg=[code, expected],
            timeout=SECTION_TIMEOUT_MS,
        )
    return page.locator(code).inner_text().rstrip("\n")


def _choose_language(page: Page, op: Operation, shown: str, wanted: str) -> None:
    """Pick ``wanted`` in the operation's language menu (Redoc keeps it for every panel)."""
    panel = page.locator(f'[id="{op.tag}/{op.operation_id}"] .panel-request-samples')
    panel.locator('button[aria-haspopup="menu"]', has_text=shown).click()
    page.locator('[role="menuitem"]:visible', has_text=wanted).click()


def _samples(built_page: Path, label: str) -> dict[str, str]:
    return {
        operation["operationId"]: next(
            s["source"] for s in operation["x-codeSamples"] if s["label"] == label
        ).rstrip("\n")
        for *_, operation, _ in operations(_embedded(built_page))
    }


def test_the_published_page_renders_every_operation_offline(built_page: Path, open_page):
    watch = Watch()
    page = open_page(built_page.as_uri(), watch)
    shown = list(operations(_embedded(built_page)))
    code = _samples(built_page, "curl")
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
        if _sample_shown(page, op, code[op.operation_id]) != code[op.operation_id]:
            absent.append(f"curl sample {code[op.operation_id]!r}")
        if op.operation_id in anonymous and "Anonymous requests are allowed" not in text:
            absent.append("that anonymous requests are allowed")
        if absent:
            problems.append(f"{op.operation_id}: section does not show {absent}")
    problems += watch.problems()
    assert problems == [], "\n".join(problems)


def test_the_published_page_shows_each_operations_python_sample(built_page: Path, open_page):
    watch = Watch()
    page = open_page(built_page.as_uri(), watch)
    python = _samples(built_page, "Python")
    assert _redoc_section(page, OPERATIONS[0]) is not None
    _choose_language(page, OPERATIONS[0], "curl", "Python")
    problems = []
    for op in OPERATIONS:
        if _redoc_section(page, op) is None:
            problems.append(f"{op.operation_id}: no section")
            continue
        shown = _sample_shown(page, op, python[op.operation_id])
        if shown != python[op.operation_id]:
            problems.append(f"{op.operation_id}: the Python tab shows {shown!r}")
        module = op.operation_id.replace(".", "_")
        if f"{module}.sync_detailed(" not in shown:
            problems.append(f"{op.operation_id}: the sample calls no {module}.sync_detailed")
    assert problems + watch.problems() == []


# Another index than the default, as a reader types it (with a trailing slash).
READERS_INDEX = "https://hub.example.org/index"


def _index_box(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const box = document.getElementById('hubindex-index');
            const input = document.getElementById('hubindex-index-url');
            // Redoc's search field, first in its sidebar: seen, not under the box.
            const icon = document.querySelector(
                '#redoc [data-component-name="icons/SearchIcon/SearchIcon"]');
            const at = icon && icon.getBoundingClientRect();
            const found = at && document.elementFromPoint(
                at.x + at.width / 2, at.y + at.height / 2);
            return {
                label: box.querySelector('label').innerText,
                value: input.value,
                note: document.getElementById('hubindex-index-note').innerText,
                bottom: box.getBoundingClientRect().bottom,
                searchTop: at ? at.top : null,
                searchCovered: found ? box.contains(found) : null,
                position: getComputedStyle(box).position,
            };
        }"""
    )


def _server_shown(page: Page, op: Operation) -> str:
    """The server address Redoc lists for the operation (its path's menu), hidden or not."""
    panel = page.locator(f'[id="{op.tag}/{op.operation_id}"] .panel-request-samples')
    return panel.locator('[role="menuitem"]').first.text_content() or ""


def test_the_reader_sets_the_index_the_samples_call(built_page: Path, open_page):
    watch = Watch()
    page = open_page(built_page.as_uri(), watch)
    curl = _samples(built_page, "curl")
    python = _samples(built_page, "Python")
    box = _index_box(page)
    assert (box["label"], box["value"], box["note"]) == ("Your index", samples.BASE_URL, "")
    # Fixed above Redoc, and never over its sidebar (its search field first).
    assert box["position"] == "fixed"
    assert box["searchTop"] is not None
    assert box["searchTop"] >= box["bottom"]
    assert box["searchCovered"] is False
    op = next(op for op in OPERATIONS if op.operation_id == "users.login")
    assert _redoc_section(page, op) is not None
    box = _index_box(page)  # scrolled down: Redoc's sidebar stays below the box
    assert box["searchTop"] >= box["bottom"]
    assert box["searchCovered"] is False
    assert f"{samples.BASE_URL}{op.path}" in _server_shown(page, op)

    # Not an address: said so, and nothing changes.
    page.fill("#hubindex-index-url", "index.example.org")
    page.click("#hubindex-index button")
    assert "http or https" in _index_box(page)["note"]
    assert "index=" not in page.url

    page.fill("#hubindex-index-url", READERS_INDEX + "/")
    with page.expect_navigation():
        page.click("#hubindex-index button")
    assert "index=https%3A%2F%2Fhub.example.org%2Findex" in page.url
    assert _index_box(page)["value"] == READERS_INDEX
    problems = []
    for op in OPERATIONS:
        if _redoc_section(page, op) is None:
            problems.append(f"{op.operation_id}: no section")
            continue
        want = curl[op.operation_id].replace(samples.BASE_URL, READERS_INDEX)
        if samples.BASE_URL in want or _sample_shown(page, op) != want:
            problems.append(f"{op.operation_id}: curl shows {_sample_shown(page, op)!r}")
        if f"{READERS_INDEX}{op.path}" not in _server_shown(page, op):
            problems.append(f"{op.operation_id}: the server shown is {_server_shown(page, op)!r}")
    _choose_language(page, OPERATIONS[-1], "curl", "Python")
    for op in OPERATIONS:
        _redoc_section(page, op)
        want = python[op.operation_id].replace(samples.BASE_URL, READERS_INDEX)
        if _sample_shown(page, op) != want:
            problems.append(f"{op.operation_id}: Python shows {_sample_shown(page, op)!r}")
    assert problems == []
    # The API's server, and the introduction's commands.
    page.evaluate("() => { window.location.hash = '#/' }")
    servers = (
        page.locator('[data-component-name="Panel/Panel"]')
        .filter(has_text="Servers")
        .filter(has=page.get_by_text(samples.SERVER))
    )
    # After the hash moves, Redoc's panels may show no text for a moment (one CI run read
    # this one empty): read them once they show it.
    expect(servers).to_contain_text(READERS_INDEX, use_inner_text=True, timeout=SECTION_TIMEOUT_MS)
    assert samples.BASE_URL not in servers.inner_text()
    page.evaluate("() => { window.location.hash = '#/section/getting-started' }")
    section = page.locator('[data-section-id="/section/getting-started"]')
    expect(section).to_contain_text(
        f"INDEX={READERS_INDEX}", use_inner_text=True, timeout=SECTION_TIMEOUT_MS
    )
    assert samples.BASE_URL not in section.inner_text()

    # The address is kept for the next visit (this browser's storage).
    page.goto(built_page.as_uri(), wait_until="load")
    assert _index_box(page)["value"] == READERS_INDEX
    assert _redoc_section(page, OPERATIONS[0]) is not None
    assert READERS_INDEX in _sample_shown(page, OPERATIONS[0])
    # Back to the default one.
    page.fill("#hubindex-index-url", samples.BASE_URL)
    with page.expect_navigation():
        page.click("#hubindex-index button")
    assert _redoc_section(page, OPERATIONS[0]) is not None
    assert _sample_shown(page, OPERATIONS[0]).endswith(f'"{samples.BASE_URL}{OPERATIONS[0].path}"')
    assert watch.problems() == []


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
        with httpx.Client(timeout=1) as polls:  # one SSL context, not one a try (40 ms of CPU)
            while True:
                try:
                    if polls.get(f"{url}/v1/_ping").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    server_log = (folder / "server.log").read_text()
                    pytest.fail(f"hubindex serve did not start:\n{server_log}")
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


def test_the_served_page_shows_no_operation_id(server: str, open_page):
    watch = Watch(allowed_origin=server)
    page = open_page(f"{server}/docs/", watch)
    rendered = _swagger_operations(page)
    assert [block["shownId"] for block in rendered] == [None] * len(rendered)
    rows = page.eval_on_selector_all(".opblock-summary", "rows => rows.map(r => r.innerText)")
    assert len(rows) == len(rendered)
    shown = [(row, op.operation_id) for row in rows for op in OPERATIONS if op.operation_id in row]
    assert shown == []
    assert watch.problems() == []


def test_the_served_page_calls_the_host_that_serves_it(server: str, open_page):
    watch = Watch(allowed_origin=server)
    page = open_page(f"{server}/docs/", watch)
    _swagger_operations(page)
    ping = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/v1/_ping"]')
    )
    ping.locator(".opblock-summary").click()
    ping.locator("button.try-out__btn").click()
    ping.locator("button.execute").click()
    url = ping.locator(".request-url pre")
    url.wait_for()
    assert url.inner_text().strip() == f"{server}/v1/_ping"
    status = ping.locator(".live-responses-table tbody .response-col_status")
    assert status.first.inner_text().strip() == "200"
    assert f"{server}/v1/_ping" in watch.requests
    assert watch.problems() == []
