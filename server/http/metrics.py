"""Prometheus metrics of one app: requests by operation and status, latency, the pool."""

import platform
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, Info
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool

from server.version import VERSION


class Metrics:
    """The Prometheus metrics of one app, in a registry of its own."""

    def __init__(self, pool: Any) -> None:
        self.registry = CollectorRegistry()
        # hubindex_build_info{version="...",python="..."} 1: which build answers.
        Info("hubindex_build", "The hubindex build serving.", registry=self.registry).info(
            {"version": VERSION, "python": platform.python_version()}
        )
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
