"""Build the published API docs in site/ from spec/openapi.yaml alone (run it as scripts/docs).

    site/openapi.json, site/openapi.yaml   the spec without its x- extensions: nothing internal
    site/index.html                        one self-contained page, rendered by Redoc (Redocly CLI)
    site/changelog.html                    what each release changed (scripts/changes, Optic)

scripts/docs installs Redocly CLI (package-lock.json) with npm first. Nothing is rebuilt when
the spec, this file, the Redocly configuration and the lock file are as at the last build
(--force rebuilds anyway).
"""

import argparse
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate

from server.spec.checkout import shown as _shown
from server.spec.document import HTTP_METHODS, operations

ROOT = Path(__file__).resolve().parents[2]
REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
REDOCLY_CONFIG = Path(__file__).resolve().parent / "redocly.yaml"
STAMP = ROOT / "build" / "docs.stamp"
# Redocly CLI at build time: no usage data sent, no check for a newer release.
REDOCLY_ENV = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "REDOCLY_SUPPRESS_NOTIFICATIONS": "true",
}
# Redoc 3 shows "API docs by <Redocly logo>" in its sidebar and loads that logo from Redocly's
# CDN whatever its options say. The page must not touch the network, so the logo becomes an
# inline picture of the same word.
CDN_LOGOS = (
    "https://cdn.redoc.ly/redoc/logo-mini-full.svg",
    "https://cdn.redoc.ly/redoc/logo-mini.svg",
)
INLINE_LOGO = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='64' height='16'%3E"
    "%3Ctext x='0' y='12' font-family='sans-serif' font-size='12' fill='%23555'%3ERedocly"
    "%3C/text%3E%3C/svg%3E"
)
# "Your index" above Redoc, the field that sets the address the page's samples call; page.js
# (run just before Redoc starts) makes it work. Redoc 3 shows servers but cannot edit them.
PAGE_JS = Path(__file__).resolve().parent / "page.js"
REDOC_CONTAINER = '<div id="redoc">'
REDOC_START = "hydrate(__redoc_definition, __redoc_options, document.getElementById('redoc'));"
INDEX_BOX = """<form id="hubindex-index" aria-label="Your index">
<style>
#hubindex-index { position: fixed; top: 0; left: 0; right: 0; z-index: 1000;
  box-sizing: border-box; height: 45px; display: flex; gap: 8px; align-items: center;
  padding: 8px 16px; background: #fff; border-bottom: 1px solid #ddd; font: 14px sans-serif; }
body { padding-top: 45px; }
/* Redoc's sidebar sticks to the window's top: below the bar instead. */
#redoc div:has(> div > [data-component-name="Menu/Menu"]) {
  top: 45px !important; height: calc(100vh - 45px) !important; }
#hubindex-index input { flex: 0 1 24em; padding: 4px 6px; font: 14px monospace; }
#hubindex-index button { padding: 4px 10px; border: 1px solid #888; border-radius: 4px;
  background: #f4f4f4; font: 14px sans-serif; cursor: pointer; }
#hubindex-index-note { color: #b00020; }
#hubindex-index button, #hubindex-index input { color: #111; }
html.dark #hubindex-index { background: #1f1f23; color: #eee; border-color: #444; }
html.dark #hubindex-index button, html.dark #hubindex-index input {
  background: #2c2c31; color: #eee; border: 1px solid #666; }
</style>
<label for="hubindex-index-url"><strong>Your index</strong></label>
<input id="hubindex-index-url" name="index" type="text" inputmode="url" spellcheck="false"
  autocomplete="url">
<button type="submit">Use it in the samples</button>
<span id="hubindex-index-note" role="status"></span>
</form>
"""
# Hosts the built page must not name at all: the logo's CDN and web fonts. (The bundle names
# other addresses, such as an icon CDN for features this spec does not use; the browser test,
# tests/docs, is what proves that the page loads nothing.)
FORBIDDEN_IN_PAGE = ("cdn.redoc.ly", "fonts.googleapis.com", "fonts.gstatic.com")
# A module or file of this project named in the public text (server.handlers.users,
# server/auth.py) is a leak of its internals; server.example.com is not.
INTERNAL = re.compile(
    r"(?<![\w./@-])(?P<top>server|generated|scripts|templates|tests)[./](?P<next>\w+)[\w./-]*"
)

# --------------------------------------------------------------------------------------------
# The public spec: every specification extension (x-...) removed, wherever OpenAPI 3.0 allows
# one. Keys that are names chosen by the author (schema properties, header names such as
# X-Docker-Token, media types, component names) and literal values (examples, defaults, enums,
# link parameters) are data, not extensions: they stay as they are.

ANY = "any"  # a value kept as it is
Kind = str | tuple[str, Any]


def _map(kind: Kind) -> tuple[str, Kind]:
    return ("map", kind)


def _list(kind: Kind) -> tuple[str, Kind]:
    return ("list", kind)


_PARAMETER: dict[str, Kind] = {
    "schema": "Schema",
    "example": ANY,
    "examples": _map("Example"),
    "content": _map("MediaType"),
}
# The fields of each OpenAPI 3.0.3 object that hold other objects or literal values.
FIELDS: dict[str, dict[str, Kind]] = {
    "OpenAPI": {
        "info": "Info",
        "servers": _list("Server"),
        "paths": "Paths",
        "components": "Components",
        "security": _list(_map(ANY)),
        "tags": _list("Tag"),
        "externalDocs": "Plain",
    },
    "Info": {"contact": "Plain", "license": "Plain"},
    "Plain": {},  # Contact, License, External Documentation, XML: scalars only
    "Tag": {"externalDocs": "Plain"},
    "Server": {"variables": _map("ServerVariable")},
    "ServerVariable": {"enum": ANY, "default": ANY},
    "Components": {
        "schemas": _map("Schema"),
        "responses": _map("Response"),
        "parameters": _map("Parameter"),
        "examples": _map("Example"),
        "requestBodies": _map("RequestBody"),
        "headers": _map("Parameter"),
        "securitySchemes": _map("SecurityScheme"),
        "links": _map("Link"),
        "callbacks": _map("Callback"),
    },
    "PathItem": {
        **dict.fromkeys(HTTP_METHODS, "Operation"),
        "servers": _list("Server"),
        "parameters": _list("Parameter"),
    },
    "Operation": {
        "externalDocs": "Plain",
        "parameters": _list("Parameter"),
        "requestBody": "RequestBody",
        "responses": "Responses",
        "callbacks": _map("Callback"),
        "security": _list(_map(ANY)),
        "servers": _list("Server"),
    },
    "Parameter": _PARAMETER,  # and Header, which has the same fields but name and in
    "RequestBody": {"content": _map("MediaType")},
    "MediaType": {
        "schema": "Schema",
        "example": ANY,
        "examples": _map("Example"),
        "encoding": _map("Encoding"),
    },
    "Encoding": {"headers": _map("Parameter")},
    "Response": {"headers": _map("Parameter"), "content": _map("MediaType"), "links": _map("Link")},
    "Example": {"value": ANY},
    "Link": {"parameters": _map(ANY), "requestBody": ANY, "server": "Server"},
    "Schema": {
        "enum": ANY,
        "default": ANY,
        "example": ANY,
        "allOf": _list("Schema"),
        "oneOf": _list("Schema"),
        "anyOf": _list("Schema"),
        "not": "Schema",
        "items": "Schema",
        "properties": _map("Schema"),
        "additionalProperties": "Schema",
        "discriminator": "Discriminator",
        "xml": "Plain",
        "externalDocs": "Plain",
    },
    "Discriminator": {"mapping": _map(ANY)},
    "SecurityScheme": {"flows": "OAuthFlows"},
    "OAuthFlows": dict.fromkeys(
        ("implicit", "password", "clientCredentials", "authorizationCode"), "OAuthFlow"
    ),
    "OAuthFlow": {"scopes": _map(ANY)},
}
# Objects whose keys are patterns (paths, status codes, callback expressions), besides x-.
PATTERNED: dict[str, Kind] = {"Paths": "PathItem", "Responses": "Response", "Callback": "PathItem"}


def is_extension(key: object) -> bool:
    return isinstance(key, str) and key.startswith("x-")


def public_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` without any specification extension, at any depth."""
    return _strip(spec, "OpenAPI")


def _strip(node: Any, kind: Kind) -> Any:
    if isinstance(kind, tuple):
        container, inner = kind
        if container == "list" and isinstance(node, list):
            return [_strip(item, inner) for item in node]
        if container == "map" and isinstance(node, dict):
            return {key: _strip(value, inner) for key, value in node.items()}
        return node
    if kind == ANY or not isinstance(node, dict):
        return node  # a literal, or a schema that is a boolean (additionalProperties: true)
    if "$ref" in node:
        fields: dict[str, Kind] = {}  # a Reference: nothing beside $ref counts
    elif kind in PATTERNED:
        fields = dict.fromkeys(node, PATTERNED[kind])
    else:
        fields = FIELDS[kind]
    return {
        key: _strip(value, fields.get(key, ANY))
        for key, value in node.items()
        if not is_extension(key)
    }


def internal_references(spec: Any) -> list[str]:
    """The texts of ``spec`` (keys and values) that name a module or file of this project."""
    return sorted(
        match.group(0).rstrip(".")
        for text in _texts(spec)
        for match in INTERNAL.finditer(text)
        if _is_ours(match["top"], match["next"])
    )


def _is_ours(top: str, name: str) -> bool:
    folder = ROOT / top
    return (folder / name).exists() or any(folder.glob(f"{glob.escape(name)}.*"))


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _texts(key)
            yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


# --------------------------------------------------------------------------------------------
# The site


class DocsError(Exception):
    """The docs cannot be built."""


def main(argv: list[str] | None = None) -> int:
    # scripts/lib is no package, and spec_changes needs public_spec from here.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from samples import PageError, for_page
    from spec_changes import ChangesError, changelog_page

    parser = argparse.ArgumentParser(prog="scripts/docs", description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "spec" / "openapi.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = parser.parse_args(argv)
    stamp = _stamp(args.spec, args.out)
    outputs = [
        args.out / name for name in ("openapi.json", "openapi.yaml", "index.html", "changelog.html")
    ]
    if not args.force and all(p.is_file() for p in outputs) and _read(STAMP) == stamp:
        print(f"scripts/docs: {_shown(args.out)}/ is up to date")
        return 0
    try:
        spec = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
        public = public_spec(spec)
        _check_public(public)
        files = {
            "openapi.json": json.dumps(public, indent=2, ensure_ascii=False) + "\n",
            "openapi.yaml": yaml.safe_dump(public, sort_keys=False, allow_unicode=True, width=100),
        }
        lint(files["openapi.json"])
        files["index.html"] = build_page(json.dumps(for_page(spec, public)))
        files["changelog.html"] = changelog_page(ROOT, spec)
        args.out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (args.out / name).write_text(text, encoding="utf-8")
    except (OSError, yaml.YAMLError, DocsError, ChangesError, PageError) as error:
        print(f"scripts/docs: {error}", file=sys.stderr)
        return 1
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.write_text(stamp, encoding="utf-8")
    count = sum(1 for _ in operations(public))
    print(
        f"scripts/docs: wrote {_shown(args.out)}/index.html "
        f"({len(files['index.html'].encode()) // 1024} KiB, "
        f"{count} operations), changelog.html, openapi.json and openapi.yaml"
    )
    return 0


def _check_public(public: dict[str, Any]) -> None:
    try:
        validate(public)
    except Exception as error:  # the validator raises several unrelated types
        raise DocsError(f"the public spec is not valid OpenAPI: {error}") from None
    leaks = internal_references(public)
    if leaks:
        raise DocsError(f"the public spec names internals of hubindex: {', '.join(leaks)}")


def lint(public_json: str) -> None:
    """Redocly's recommended rules (less those scripts/lib/redocly.yaml turns off, each with its
    reason) over the public spec: any problem, a warning too, stops the build."""
    if not REDOCLY.exists():
        raise DocsError(f"{_shown(REDOCLY)} is missing: run scripts/docs (it runs npm ci)")
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "openapi.json"
        source.write_text(public_json, encoding="utf-8")
        result = _redocly("lint", str(source), "--format", "json")
    try:
        problems = json.loads(result.stdout)["problems"]
    except (ValueError, KeyError) as error:
        raise DocsError(f"redocly lint failed:\n{result.stdout}{result.stderr}") from error
    if problems:
        lines = [
            f"{p['severity']} {p['ruleId']} at {p['location'][0]['pointer']}: {p['message']}"
            for p in problems
        ]
        raise DocsError("redocly lint: the public spec has problems:\n  " + "\n  ".join(lines))


def _redocly(command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The pinned Redocly CLI's ``command``, with this project's configuration."""
    return subprocess.run(  # noqa: S603 - the pinned Redocly CLI from node_modules
        [str(REDOCLY), command, *args, "--config", str(REDOCLY_CONFIG)],
        check=False,
        cwd=ROOT,
        env={**os.environ, **REDOCLY_ENV},
        capture_output=True,
        text=True,
    )


def build_page(public_json: str) -> str:
    """The self-contained Redoc page of the public spec (``public_json``, as JSON text; the
    code samples the page shows are its only extensions)."""
    if not REDOCLY.exists():
        raise DocsError(f"{_shown(REDOCLY)} is missing: run scripts/docs (it runs npm ci)")
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "openapi.json"
        source.write_text(public_json, encoding="utf-8")
        output = Path(scratch) / "index.html"
        result = _redocly(
            "build-docs", str(source), "--inlineBundle", "--lint-config", "error",
            "--output", str(output),
        )  # fmt: skip
        if result.returncode != 0 or not output.is_file():
            raise DocsError(f"redocly build-docs failed:\n{result.stdout}{result.stderr}")
        page = output.read_text(encoding="utf-8")
    return with_index_box(offline(page))


def with_index_box(page: str) -> str:
    """The Redoc page with "Your index" above it and page.js run before Redoc starts."""
    for anchor in (REDOC_CONTAINER, REDOC_START):
        if page.count(anchor) != 1:
            raise DocsError(
                f"the Redoc page no longer has {anchor!r} once: update REDOC_CONTAINER and "
                "REDOC_START in scripts/lib/docs.py"
            )
    script = PAGE_JS.read_text(encoding="utf-8")
    page = page.replace(REDOC_CONTAINER, INDEX_BOX + REDOC_CONTAINER)
    return page.replace(REDOC_START, f"{script}\n{REDOC_START}")


def offline(page: str) -> str:
    """The Redoc page with its one network fetch (the Redocly logo) made inline; checked."""
    for address in CDN_LOGOS:
        if address not in page:
            raise DocsError(
                f"the Redoc page no longer loads {address}: check the page for network fetches "
                "and update CDN_LOGOS in scripts/lib/docs.py"
            )
        page = page.replace(address, INLINE_LOGO)
    found = [address for address in FORBIDDEN_IN_PAGE if address in page]
    if found:
        raise DocsError(f"the Redoc page would load from {', '.join(found)}")
    if '"disableTelemetry":true' not in page:
        raise DocsError("the Redoc page would send telemetry (see scripts/lib/redocly.yaml)")
    return page


def _stamp(spec_path: Path, out: Path) -> str:
    digest = hashlib.sha256(str(out.resolve()).encode())
    ours = [
        Path(__file__).with_name(name)
        for name in ("docs.py", "samples.py", "python_samples.py", "page.js", "spec_changes.py")
    ]
    # The Python samples name what generated/client holds: its manifest changes with it.
    client = ROOT / "generated" / "sources.sha256"
    for path in (spec_path, *ours, client, REDOCLY_CONFIG, ROOT / "package-lock.json"):
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest() + "\n"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main())
