"""``scripts/bench`` stopped with SIGTERM (``kill``, ``timeout``) drops the PostgreSQL
databases it made, as a run that ends does."""

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.backends import postgres
from tests.bench.conftest import BENCH_LIB
from tests.conftest import ROOT


def _bench_databases(url: str) -> set[str]:
    admin = make_url(url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(False), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'hubindex_bench_%'"
        ).fetchall()
    return {name for (name,) in rows}


def test_a_terminated_benchmark_drops_its_databases():
    target = postgres()
    if target.url is None:
        pytest.skip(target.why_left_out)
    before = _bench_databases(target.url)
    bench = subprocess.Popen(  # the module itself: the shell script would take the signal
        [sys.executable, "-m", "bench", "--quick", "--backend", "postgresql",
         "--postgres-url", target.url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": BENCH_LIB},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60  # bounds a failing test only
        while not _bench_databases(target.url) - before:
            assert bench.poll() is None, "the benchmark ended before it made a database"
            assert time.monotonic() < deadline, "the benchmark made no database"
            time.sleep(0.05)
        bench.send_signal(signal.SIGTERM)
        assert bench.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        if bench.poll() is None:
            bench.kill()
    assert _bench_databases(target.url) - before == set()
