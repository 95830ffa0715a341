"""Command-line options of ``scripts/bench``."""

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from bench.paths import OUTPUT
from bench.scenarios import scenarios

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

USAGE = """\
scripts/bench [options]          benchmark hubindex against a plain-Starlette reference
scripts/bench seed --size N ...  only build a seeded database (see scripts/bench seed --help)
"""


@dataclass(frozen=True, slots=True)
class Options:
    quick: bool
    backend: str
    postgres_url: str
    sizes: tuple[int, ...]
    duration: int  # seconds of each measured load
    warmup: int  # seconds of the unmeasured load before the first round of each scenario
    rounds: int
    connections: int
    write_connections: int  # for the write scenarios (argon2-bound)
    threads: int
    timeout: int  # wrk --timeout
    settle_limit: float  # longest wait for a server to become idle after a load
    probe_budget: float  # seconds of single search requests per size
    probe_min: int
    probe_max: int
    startups: int  # extra start-ups of hubindex on an empty database, timed
    scenarios: tuple[str, ...]  # empty: all
    refresh: bool
    json_path: Path
    markdown_path: Path
    server_env: dict[str, str]


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part.replace("_", "")) for part in text.split(",")}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def _assignment(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.startswith("HUBINDEX_"):
        raise argparse.ArgumentTypeError(f"{text!r} is not HUBINDEX_NAME=VALUE")
    return name, value


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        usage=USAGE,
        description="Load hubindex and a plain-Starlette reference alternately with wrk, and"
        " report requests/s, latency, their ratio and the performance targets.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run for CI: 1,000 repositories, 1 round of 1 s (under a minute)",
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("HUBINDEX_TEST_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a server and user that may create databases (default: $HUBINDEX_TEST_POSTGRES_URL"
        f" or {DEFAULT_POSTGRES}); a fresh database is made there and dropped afterwards",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        help="repository counts for the search latency (default 10000,100000,1000000; quick:"
        " 1000); the largest is the database every scenario runs on",
    )
    parser.add_argument("--duration", type=int, help="seconds per measured load (default 10)")
    parser.add_argument("--rounds", type=int, help="A/B rounds (default 3; quick: 1)")
    parser.add_argument("--warmup", type=int, help="seconds of warm-up load (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c (default 32)")
    parser.add_argument(
        "--write-connections",
        type=int,
        help="wrk -c for PUT images and registration (default: --connections; quick: 4, so"
        " that a 4 s smoke load gets answers from argon2-bound requests)",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        choices=[scenario.key for scenario in scenarios()],
        help="run only this scenario (repeatable; default: all)",
    )
    parser.add_argument(
        "--refresh-cache", action="store_true", help="re-seed cached SQLite databases"
    )
    parser.add_argument("--json", type=Path, help="where to write the result (JSON)")
    parser.add_argument("--markdown", type=Path, help="where to write the Markdown tables")
    parser.add_argument(
        "--server-env",
        type=_assignment,
        action="append",
        default=[],
        metavar="HUBINDEX_NAME=VALUE",
        help="an extra setting for hubindex (repeatable); HUBINDEX_* of this shell is not passed",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    name = "quick" if quick else "latest"
    options = Options(
        quick=quick,
        backend=args.backend,
        postgres_url=args.postgres_url,
        sizes=args.sizes or ((1000,) if quick else (10_000, 100_000, 1_000_000)),
        duration=args.duration or (1 if quick else 10),
        warmup=args.warmup if args.warmup is not None else (0 if quick else 2),
        rounds=args.rounds or (1 if quick else 3),
        connections=args.connections,
        write_connections=args.write_connections or (4 if quick else args.connections),
        threads=args.threads,
        timeout=10 if quick else 30,
        settle_limit=15 if quick else 120,
        probe_budget=1.0 if quick else 15.0,
        probe_min=5 if quick else 20,
        probe_max=50 if quick else 500,
        startups=1 if quick else 3,
        scenarios=tuple(args.scenario),
        refresh=args.refresh_cache,
        json_path=args.json or OUTPUT / f"{name}-{args.backend}.json",
        markdown_path=args.markdown or OUTPUT / f"{name}-{args.backend}.md",
        server_env={
            "HUBINDEX_EMAIL_CONFIRMATION": "off",
            # The register scenario measures what a registration costs, all from loopback.
            "HUBINDEX_REGISTRATIONS_PER_ADDRESS": "0",
            **dict(args.server_env),
        },
    )
    for label, value in (("--duration", options.duration), ("--rounds", options.rounds)):
        if value < 1:
            parser.error(f"{label} must be at least 1")
    if options.threads < 1 or min(options.connections, options.write_connections) < options.threads:
        parser.error("connections must be at least --threads, and --threads at least 1")
    return options
