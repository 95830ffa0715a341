"""Which operation of the spec a request path names, in either slash spelling.

Docker clients send some paths with a trailing slash and some without, and a redirect built
from ``Host`` breaks behind proxies, so the other spelling is routed directly (see
``Router._spellings`` for which spellings a path may stand for). A method that no spelling
allows is a 405 listing the methods that are. Among templates matching one path, the most
specific wins, in Starlette's order (``connexion.utils.sort_routes``); a path that is one of
the spec's concrete paths (no parameter) belongs to that path item alone, as OpenAPI 3.0.3
matches concrete paths before templated ones: ``DELETE /v2/invites/bulk`` is a 405, not
``DELETE /v2/invites/{id}`` with the id ``bulk``.
"""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from connexion.utils import sort_routes

_PARAMETER = re.compile(r"\{([^/{}]+)\}")
# Paths seen lately, with what they matched: most requests repeat a few paths (ping, search, a
# busy repository), and matching costs about a tenth of a ping.
MATCH_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class Route:
    template: str
    pattern: re.Pattern[str]  # one group per template parameter, in order
    parameters: tuple[str, ...]
    operations: Mapping[str, str]  # method -> operationId

    @property
    def methods(self) -> frozenset[str]:
        return frozenset(self.operations)


@dataclass(frozen=True, slots=True)
class Match:
    route: Route
    operation_id: str
    path_parameters: Mapping[str, str]


def compile_routes(paths: Mapping[str, Mapping[str, str]]) -> list[Route]:
    """The spec's paths (template -> method -> operationId), most specific first."""
    routes = []
    for template, operations in paths.items():
        literal = _PARAMETER.split(template)[::2]
        pattern = "([^/]+)".join(re.escape(part) for part in literal)
        by_method = {method.upper(): operation for method, operation in operations.items()}
        if "GET" in by_method:
            by_method["HEAD"] = by_method["GET"]  # as Starlette answers HEAD wherever GET
        parameters = tuple(_PARAMETER.findall(template))
        routes.append(Route(template, re.compile(f"^{pattern}$"), parameters, by_method))
    return sort_routes(routes, key=lambda route: route.template)


class Router:
    def __init__(self, paths: Mapping[str, Mapping[str, str]]) -> None:
        self.routes = compile_routes(paths)
        self.match = functools.lru_cache(maxsize=MATCH_CACHE_SIZE)(self._match)

    def _match(self, method: str, path: str) -> Match | None:
        """The operation ``method path`` names, or None (then see :meth:`allowed`)."""
        for spelling in self._spellings(path):
            for route in self._candidates(spelling):
                if method not in route.operations:
                    continue
                found = route.pattern.match(spelling)
                if found is not None:
                    values = dict(zip(route.parameters, found.groups(), strict=True))
                    return Match(route, route.operations[method], values)
        return None

    def allowed(self, path: str) -> frozenset[str]:
        """The methods some spelling of ``path`` allows (none: the path is not the spec's)."""
        return frozenset().union(*(self._methods(p) for p in self._spellings(path)))

    def _spellings(self, path: str) -> list[str]:
        """The path as written, then the other spellings it may stand for.

        A trailing slash may always be dropped. One may be added only where the path as
        written matches no path of the spec: ``PUT /v1/repositories/foo/images`` is the
        library image list, never the repository ``foo/images``.
        """
        if path.endswith("/") and len(path) > 1:
            return [path, path[:-1]]
        return [path] if self._methods(path) else [path, path + "/"]

    def _methods(self, path: str) -> frozenset[str]:
        return frozenset().union(*(r.methods for r in self._candidates(path)))

    def _candidates(self, path: str) -> list[Route]:
        """The routes ``path`` may name: the concrete one it spells, if any, else each
        template it matches."""
        matching = [route for route in self.routes if route.pattern.match(path)]
        concrete = [route for route in matching if not route.parameters]
        return concrete or matching
