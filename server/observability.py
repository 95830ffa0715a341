"""What an operator sees: one structured log line per request, and Prometheus metrics.

The line names the spec's path template and operation, never a credential:

    GET /v1/repositories/{namespace}/{repository}/images 200 2.4ms op=images.get user=alice
"""

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_INFO = "hubindex.request"  # a dict in the scope that inner layers fill in

access_log = logging.getLogger("hubindex.access")


class Metrics:
    """The Prometheus metrics of one app, in a registry of its own."""

    def __init__(self, pool: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "hubindex_requests",
            "HTTP requests answered, by operation and status.",
            ["operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hubindex_request_duration_seconds",
            "Time to answer a request, by operation.",
            ["operation"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.registry.register(_PoolCollector(pool))
        self._children: dict[tuple[str, int], tuple[Any, Any]] = {}

    def observe(self, operation: str, status: int, seconds: float) -> None:
        # Looking a labelled child up costs more than the count itself: keep them.
        children = self._children.get((operation, status))
        if children is None:
            children = (
                self.requests.labels(operation, str(status)),
                self.latency.labels(operation),
            )
            self._children[(operation, status)] = children
        children[0].inc()
        children[1].observe(seconds)


class _PoolCollector(Collector):
    def __init__(self, pool: Any) -> None:
        self._pool = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = self._pool
        yield GaugeMetricFamily(
            "hubindex_db_connections_in_use",
            "Database connections checked out of the pool.",
            value=pool.checkedout(),
        )
        if isinstance(pool, QueuePool):
            yield GaugeMetricFamily(
                "hubindex_db_connections_idle",
                "Database connections idle in the pool.",
                value=pool.checkedin(),
            )
            yield GaugeMetricFamily(
                "hubindex_db_pool_size", "Configured size of the pool.", value=pool.size()
            )


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics | None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        info: dict[str, Any] = {"status": 500}
        scope[REQUEST_INFO] = info

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                info["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording)
        finally:
            self._record(scope, info, time.perf_counter() - started)

    def _record(self, scope: Scope, info: dict[str, Any], seconds: float) -> None:
        operation = info.get("operation", "-")
        status = info["status"]
        if self.metrics is not None:
            self.metrics.observe(operation, status, seconds)
        access_log.info(
            "%s %s %s %.1fms op=%s user=%s",
            scope["method"],
            info.get("route", "-"),
            status,
            seconds * 1000,
            operation,
            info.get("user", "-"),
            extra={
                "request": {
                    "method": scope["method"],
                    "route": info.get("route"),
                    "operation": info.get("operation"),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "user": info.get("user"),
                }
            },
        )


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a request line carries its fields at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        request = getattr(record, "request", None)
        if isinstance(request, dict):
            line.update(request)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def logging_config(level: str, log_format: str) -> dict[str, Any]:
    """A dictConfig for hubindex and uvicorn alike (uvicorn's own access log is off)."""
    formatter = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
