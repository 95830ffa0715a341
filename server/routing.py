"""Serving both spellings of every path, and 405s with a full ``Allow``, from the spec's paths.

Docker clients send some paths with a trailing slash and some without, and a redirect built
from ``Host`` breaks behind proxies, so the other spelling is routed directly: the path is
rewritten before Connexion routes it (see ``SpecPathMiddleware._spellings`` for which spellings
a path may stand for), and a method no spelling allows is a 405 listing the methods that are.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from server.observability import REQUEST_INFO
from server.responses import error_response

_PARAMETER = re.compile(r"\{[^/{}]+\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    operations: Mapping[str, str]  # method -> operationId

    @property
    def methods(self) -> frozenset[str]:
        return frozenset(self.operations)


def compile_routes(paths: Mapping[str, Mapping[str, str]]) -> list[_Route]:
    """The spec's paths (template -> method -> operationId) as patterns over request paths."""
    routes = []
    for template, operations in paths.items():
        literal = _PARAMETER.split(template)
        pattern = "[^/]+".join(re.escape(part) for part in literal)
        by_method = {method.upper(): operation for method, operation in operations.items()}
        if "GET" in by_method:
            by_method["HEAD"] = by_method["GET"]  # as Starlette answers HEAD wherever GET
        routes.append(_Route(template, re.compile(f"^{pattern}$"), by_method))
    return routes


class SpecPathMiddleware:
    def __init__(self, app: ASGIApp, *, paths: Mapping[str, Mapping[str, str]]) -> None:
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
        target = self._target(path, method)
        if target is not None:
            info = scope.get(REQUEST_INFO)
            if info is not None:
                route = self._route(target, method)
                info["route"], info["operation"] = route.template, route.operations[method]
            if target != path:
                raw = scope.get("raw_path", path.encode())
                raw = raw[:-1] if target == path[:-1] else raw + b"/"
                scope = {**scope, "path": target, "raw_path": raw}
            await self.app(scope, receive, send)
            return
        allowed = self._reachable(path)
        if allowed:
            allow = ", ".join(sorted(allowed))
            response = error_response(405, f"{method} is not allowed here; use {allow}")
            response.headers["Allow"] = allow
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _spellings(self, path: str) -> list[str]:
        """The path as written, then the other spellings it may stand for.

        A trailing slash may always be dropped. One may be added only where the path as
        written matches no path of the spec: ``PUT /v1/repositories/foo/images`` is the
        library image list, never the repository ``foo/images``.
        """
        if path.endswith("/") and len(path) > 1:
            return [path, path[:-1]]
        return [path] if self._methods(path) else [path, path + "/"]

    def _target(self, path: str, method: str) -> str | None:
        return next((p for p in self._spellings(path) if method in self._methods(p)), None)

    def _reachable(self, path: str) -> frozenset[str]:
        return frozenset().union(*(self._methods(p) for p in self._spellings(path)))

    def _route(self, path: str, method: str) -> _Route:
        return next(r for r in self.routes if method in r.methods and r.pattern.match(path))

    def _methods(self, path: str) -> frozenset[str]:
        return frozenset().union(*(r.methods for r in self.routes if r.pattern.match(path)))
