"""What a 401 carries in ``WWW-Authenticate``: one challenge for each security scheme the
operation accepts (RFC 7235 4.1), in the spec's order, each in a header field of its own (Docker's
and most clients' parsers read one challenge per field):

    http basic                          Basic realm="hubindex"                  RFC 7617
    http bearer                         Bearer realm="hubindex"                 RFC 6750 3
        a bearer token presented and refused: Bearer realm="hubindex", error="invalid_token"
    apiKey with x-hubindex-challenge    WORD realm="hubindex"   (dockerToken: Token realm=...)
    apiKey                              ApiKey realm="hubindex", in="header", name="X-Key"

An API key has no standard challenge: ``ApiKey`` is hubindex's word, and its parameters say
where the key goes. A scheme read from ``Authorization`` after a word of its own names that word
(``x-hubindex-challenge``: ``Token`` for Docker's tokens, ``Bearer`` for a bearer token read as
an API key), and its challenge is that word's. A 401 outside any operation, or of an operation
without security, carries the default, ``Basic realm="hubindex"``.

Both engines compile an operation's :class:`Challenges` from ``generated/requests.py`` at
start-up, have the readers of its Bearer schemes mark a refusal in the request's scope
(:meth:`Challenges.watching`), and hand the challenges to the refusal
(:func:`challenged`), which ``server.http.responses.response_for`` writes.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from inspect import iscoroutine
from typing import Any

from server.errors import AuthenticationFailed

REALM = "hubindex"
DEFAULT: tuple[str, ...] = (f'Basic realm="{REALM}"',)
# The scope key under which a Bearer scheme's reader records that it refused a token.
BEARER_REFUSED = "hubindex.bearer_refused"
# RFC 6750 3.1: the error code of a refused token.
REFUSED_TOKEN_ERROR = ', error="invalid_token"'  # noqa: S105

# Characters a quoted-string may hold, escaped or not (RFC 9110 5.6.4): no control but HTAB.
_QUOTABLE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


def challenge(entry: Mapping[str, Any]) -> str:
    """The challenge of one scheme of ``generated/requests.py``'s SECURITY_SCHEMES."""
    kind = entry["type"]
    if kind == "basic":
        return f'Basic realm="{REALM}"'
    if kind == "bearer":
        return f'Bearer realm="{REALM}"'
    word = entry.get("challenge")
    if word:
        return f'{word} realm="{REALM}"'
    text = f'ApiKey realm="{REALM}", in="{entry["in"]}"'
    name = str(entry["name"])
    if _QUOTABLE.fullmatch(name):  # else left out rather than a header that cannot be sent
        text += ', name="' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _is_bearer(text: str) -> bool:
    return text.split(" ", 1)[0].lower() == "bearer"


Read = Callable[[Any], Any]  # a request -> a scheme's answer, NOT_PRESENTED, or a coroutine


@dataclass(frozen=True, slots=True)
class Challenges:
    """One operation's challenges: ``plain``, and ``refused`` when a bearer token was presented
    and refused (RFC 6750 3.1: ``error="invalid_token"`` on its Bearer challenge)."""

    plain: tuple[str, ...]
    refused: tuple[str, ...]
    # The schemes whose refusal is a refused bearer token, each with whether that holds only
    # when ``Authorization`` begins with ``Bearer`` (an http bearer scheme, whose reader also
    # refuses a malformed header of another scheme).
    bearers: Mapping[str, bool]

    @classmethod
    def of(
        cls,
        requirements: Sequence[Sequence[Sequence[Any]]],
        entries: Mapping[str, Mapping[str, Any]],
    ) -> "Challenges":
        """``requirements``: the operation's alternatives, each a list of (scheme name, scopes);
        ``entries``: SECURITY_SCHEMES of ``generated/requests.py``."""
        names = dict.fromkeys(name for requirement in requirements for name, _ in requirement)
        texts = {name: challenge(entries[name]) for name in names}
        if not texts:
            return cls(DEFAULT, DEFAULT, {})
        plain = tuple(dict.fromkeys(texts.values()))
        return cls(
            plain,
            tuple(text + REFUSED_TOKEN_ERROR if _is_bearer(text) else text for text in plain),
            {
                name: entries[name]["type"] == "bearer"
                for name, text in texts.items()
                if _is_bearer(text)
            },
        )

    def of_request(self, scope: Mapping[str, Any]) -> tuple[str, ...]:
        """The challenges of a 401 answered to the request of ``scope``."""
        return self.refused if scope.get(BEARER_REFUSED) else self.plain

    def watching(self, name: str, read: Read) -> Read:
        """``read``, the reader of scheme ``name``; for a Bearer scheme, one that marks its
        refusal (a 401 it raises) in the request's scope."""
        if name not in self.bearers:
            return read
        needs_word = self.bearers[name]

        def mark(request: Any, error: Exception) -> None:
            if not _is_401(error):
                return
            if needs_word:
                authorization = request.headers.get("authorization") or ""
                if not _is_bearer(authorization.lstrip()):
                    return
            request.scope[BEARER_REFUSED] = True

        async def awaited(answer: Any, request: Any) -> Any:
            try:
                while iscoroutine(answer):
                    answer = await answer
            except Exception as error:
                mark(request, error)
                raise
            return answer

        def watched(request: Any) -> Any:
            try:
                answer = read(request)
            except Exception as error:
                mark(request, error)
                raise
            return awaited(answer, request) if iscoroutine(answer) else answer

        return watched


def _is_401(error: Exception) -> bool:
    # Connexion's own readers raise its OAuthProblem (a ProblemException of status 401).
    return isinstance(error, AuthenticationFailed) or getattr(error, "status", None) == 401


def challenged(error: AuthenticationFailed, challenges: Sequence[str]) -> AuthenticationFailed:
    """``error``, to be answered with ``challenges``."""
    error.challenges = tuple(challenges)
    return error
