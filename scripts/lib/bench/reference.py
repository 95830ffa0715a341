"""The reference: a plain Starlette app answering the scenario paths with precomputed bytes.

It is the practical ceiling for a Python ASGI app on this machine: same uvicorn, same loop and
HTTP implementation, no work but routing (and reading the request body). The responses are
recorded from hubindex itself (see ``capture``), so the reference sends exactly the same status,
headers and body. It runs twice: without an access log (the ceiling, which the targets are
against), and with uvicorn's access log (its logging set-up and formatter, a write per line),
which costs about what hubindex's own line did before it had a writer of its own
(``--access-log``).

    python -m bench.reference --port P --responses FILE.json [--access-log]
"""

import argparse
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.http.connections import BoundedHttpToolsProtocol

# Set per response by uvicorn, Starlette or hubindex's access log, so never copied from the
# recording.
HOP_HEADERS = frozenset(
    {"date", "server", "content-length", "transfer-encoding", "connection", "x-request-id"}
)


def recorded(status: int, headers: list[tuple[str, str]], body: bytes) -> dict[str, object]:
    """One recorded response, as the responses file stores it."""
    return {
        "status": status,
        "headers": [[k, v] for k, v in headers if k.lower() not in HOP_HEADERS],
        "body": base64.b64encode(body).decode(),
    }


def _endpoint(response: dict[str, object]) -> Callable[[Request], Awaitable[Response]]:
    body = base64.b64decode(str(response["body"]))
    status = int(str(response["status"]))
    headers = {str(k): str(v) for k, v in response["headers"]}  # type: ignore[union-attr]

    async def endpoint(request: Request) -> Response:
        if request.method in ("PUT", "POST"):
            await request.body()
        return Response(body, status, headers=headers)

    return endpoint


def create_app(responses_file: Path) -> Starlette:
    """Routes from ``[{"method", "path", "response": recorded(...)}]``."""
    routes = [
        Route(entry["path"], _endpoint(entry["response"]), methods=[entry["method"]])
        for entry in json.loads(responses_file.read_text())
    ]
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--responses", type=Path, required=True)
    parser.add_argument(
        "--access-log", action="store_true", help="one line per request through logging"
    )
    args = parser.parse_args()
    logging.basicConfig(level="INFO", format="%(levelname)s %(message)s")
    uvicorn.run(
        create_app(args.responses),
        host=args.host,
        port=args.port,
        log_level="info",
        http=BoundedHttpToolsProtocol,
        access_log=args.access_log,  # uvicorn's own: its formatter, a write per line
    )


if __name__ == "__main__":
    main()
