"""JSON responses, and the one table that maps errors to HTTP status codes."""

import json
import logging
from collections.abc import Mapping

from starlette.responses import Response

from server import errors
from server.http.challenges import DEFAULT as DEFAULT_CHALLENGES

logger = logging.getLogger(__name__)

JSON = "application/json"

STATUS_BY_ERROR: Mapping[type[errors.HubIndexError], int] = {
    errors.InvalidRequest: 400,
    errors.AuthenticationFailed: 401,
    errors.PermissionDenied: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.BodyIncomplete: 408,
    errors.PayloadTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.TooManyRequests: 429,
    errors.Unavailable: 503,
    errors.NotImplementedYet: 501,
}


def documented_key(status: int, documented: Mapping[int | str, object]) -> int | str | None:
    """Which of the documented responses ``status`` is: itself, its range (``4XX``) or
    ``default``; None when none is (OpenAPI 3.0.3, Responses Object)."""
    if status in documented:
        return status
    for key in (f"{status // 100}XX", "default"):
        if key in documented:
            return key
    return None


def json_response(
    body: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A compact JSON body: no spaces, no trailing newline (clients compare some bytes)."""
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(content, status_code=status, headers=headers, media_type=JSON)


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """The one error shape: ``{"error": "..."}``."""
    return json_response({"error": message}, status, headers)


def status_for(error: errors.HubIndexError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def response_for(error: errors.HubIndexError) -> Response:
    status = status_for(error)
    if isinstance(error, errors.UserExists):
        # Docker 1.x compares this body byte for byte, then falls back to logging in.
        return json_response(error.message, status)
    headers: dict[str, str] = {}
    if isinstance(error, errors.TooManyRequests | errors.Unavailable):
        headers["Retry-After"] = str(error.retry_after_seconds)
    response = error_response(status, error.message, headers)
    if status == 401:
        # One field per challenge: the operation's schemes' (server/http/challenges.py).
        challenges = getattr(error, "challenges", ()) or DEFAULT_CHALLENGES
        for challenge in challenges:
            response.headers.append("WWW-Authenticate", challenge)
    return response
