"""Serving both spellings of every path, and 405s with a full ``Allow``, from the spec's paths.

Docker clients send some paths with a trailing slash and some without, and a redirect built
from ``Host`` breaks behind proxies, so the other spelling is routed directly: when a request's
path matches no path of the spec, but does with its trailing slash added or removed, it is
rewritten before Connexion routes it. A path that matches as written is never rewritten (so
``PUT /v1/repositories/foo/images`` stays the library image list), and a method it does not
allow is a 405 listing the methods it does.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from server.responses import error_response

_PARAMETER = re.compile(r"\{[^/{}]+\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class _Route:
    pattern: re.Pattern[str]
    methods: frozenset[str]


def compile_routes(paths: Mapping[str, Iterable[str]]) -> list[_Route]:
    """The spec's ``paths`` (template -> methods) as patterns over request paths."""
    routes = []
    for template, methods in paths.items():
        literal = _PARAMETER.split(template)
        pattern = "[^/]+".join(re.escape(part) for part in literal)
        verbs = {method.upper() for method in methods}
        if "GET" in verbs:
            verbs.add("HEAD")  # as Starlette answers HEAD wherever it answers GET
        routes.append(_Route(re.compile(f"^{pattern}$"), frozenset(verbs)))
    return routes


class SpecPathMiddleware:
    def __init__(self, app: ASGIApp, *, paths: Mapping[str, Iterable[str]]) -> None:
        self.app = app
        self.routes = compile_routes(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if _CONTROL.search(path):
            # Starlette's mounts cannot match them (and would answer a 307 to nowhere).
            response = error_response(400, "the path contains control characters")
            await response(scope, receive, send)
            return
        allowed = self._methods(path)
        if method in allowed:
            await self.app(scope, receive, send)
            return
        if not allowed:
            # The spelling as written matches no path: try it with the trailing slash toggled.
            other = path[:-1] if path.endswith("/") else path + "/"
            allowed = self._methods(other)
            if method in allowed:
                raw = scope.get("raw_path", path.encode())
                raw = raw[:-1] if raw.endswith(b"/") else raw + b"/"
                await self.app({**scope, "path": other, "raw_path": raw}, receive, send)
                return
        if allowed:
            allow = ", ".join(sorted(allowed))
            response = error_response(405, f"{method} is not allowed here; use {allow}")
            response.headers["Allow"] = allow
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _methods(self, path: str) -> frozenset[str]:
        return frozenset().union(*(r.methods for r in self.routes if r.pattern.match(path)))
