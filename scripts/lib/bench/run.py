"""``scripts/bench``: hubindex against the two references, A B C A B C, and the targets.

Order of a run: time ``scripts/generate --check``; seed (or take from the cache) one database
per size; time start-ups on empty databases; measure single-request search latency on each
size; then on the largest, record hubindex's answers for the reference, start the reference,
and load both in turn for every scenario (a warm-up each, then the rounds). After each load
the harness waits until the server is idle again, so that the next load has the CPU.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import probe, report, targets, wrk
from bench.databases import Databases, PostgreSQLDatabases, SQLiteDatabases
from bench.options import Options, parse
from bench.paths import OUTPUT, ROOT
from bench.scenarios import Scenario, scenarios
from bench.servers import Server, ServerError, start_hubindex, start_reference
from server.spec.checkout import shown as _shown

MIN_WRITE_SECONDS = 4
FEW_ANSWERS = 30


UNCACHED_SEARCH = {"HUBINDEX_SEARCH_CACHE_ENTRIES": "0"}


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    options = parse(argv)
    wrk_path = wrk.find_wrk()
    if wrk_path is None:
        print(f"scripts/bench: {wrk.INSTALL_HINT}", file=sys.stderr)
        return 2
    databases: Databases = (
        PostgreSQLDatabases(options.postgres_url)
        if options.backend == "postgresql"
        else SQLiteDatabases(refresh=options.refresh)
    )
    try:
        result = Run(options, wrk_path, databases).execute()
    except (ServerError, probe.PreflightError, wrk.LoadError) as error:
        print(f"scripts/bench: {error}", file=sys.stderr)
        return 1
    finally:
        databases.close()
    verdicts = targets.evaluate(result)
    result["targets"] = [verdict.as_json() for verdict in verdicts]
    table = report.markdown(result, verdicts)
    write(options, result, table)
    print(table)
    for problem in result["problems"]:
        print(f"scripts/bench: {problem}", file=sys.stderr)
    return 1 if result["problems"] else 0


class Run:
    def __init__(self, options: Options, wrk_path: str, databases: Databases) -> None:
        self.options = options
        self.wrk = wrk_path
        self.databases = databases
        self.nonce = secrets.token_hex(2)
        self.servers: list[Server] = []
        self.logs = OUTPUT / "logs"
        self.scenarios = [
            s for s in scenarios() if not options.scenarios or s.key in options.scenarios
        ]

    def execute(self) -> dict[str, Any]:
        try:
            return self._execute()
        finally:
            for server in list(self.servers):
                self.stop(server)

    def _execute(self) -> dict[str, Any]:
        options = self.options
        result: dict[str, Any] = {
            "schema": 2,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "git": git_state(),
            "machine": machine(self.wrk),
            "options": {
                "quick": options.quick,
                "backend": options.backend,
                "sizes": list(options.sizes),
                "duration": options.duration,
                "warmup": options.warmup,
                "rounds": options.rounds,
                "connections": options.connections,
                "write_connections": options.write_connections,
                "min_write_seconds": MIN_WRITE_SECONDS,
                "threads": options.threads,
                "wrk_timeout": options.timeout,
            },
            "server_env": options.server_env,
            "problems": [],  # the run is not to be trusted (exit status 1)
            "notes": [],  # results to read with care
        }
        result["generate_check"] = time_generate_check()
        log(f"scripts/generate --check: {result['generate_check']['seconds']:.2f} s")
        seeded = {size: self.databases.seeded(size) for size in options.sizes}
        result["seeding"] = [
            {"size": s.size, "seconds": round(s.seconds, 2), "cached": s.cached}
            for s in seeded.values()
        ]
        startup: dict[str, list[float]] = {"empty": [], "seeded": []}
        for n in range(options.startups):
            server = self.start_hubindex(self.databases.empty(), f"hubindex-empty-{n}")
            startup["empty"].append(round(server.startup_seconds, 3))
            self.stop(server)
        log(f"start-up on an empty database: {startup['empty']} s")
        result["startup"] = startup
        result["search_latency"] = {}
        largest = max(options.sizes)
        for size in options.sizes:
            if not self.scenarios or any(s.key == "search" for s in self.scenarios):
                # With the result cache off: how the text index itself grows with the size. The
                # load below runs as shipped, where repeated terms come from the cache.
                server = self.start_hubindex(
                    seeded[size].url, f"hubindex-{size}-uncached", UNCACHED_SEARCH
                )
                startup["seeded"].append(round(server.startup_seconds, 3))
                latency = probe.search_latency(
                    server,
                    budget=options.probe_budget,
                    min_requests=options.probe_min,
                    max_requests=options.probe_max,
                )
                worst = probe.worst_case_search(server)
                self.stop(server)
                result["search_latency"][str(size)] = asdict(latency) | {"worst": asdict(worst)}
                log(
                    f"worst-case search at {size:,} (no result cache): max {worst.max_ms:.1f} ms"
                    f" ({worst.slowest}), p50 {worst.p50_ms:.1f} ms, {worst.requests} requests"
                )
                log(
                    f"search latency at {size:,} (no result cache): p50 {latency.p50_ms:.1f} ms,"
                    f" p99 {latency.p99_ms:.1f} ms ({latency.requests} requests,"
                    f" {latency.mean_matches:,.0f} matches per term)"
                )
            if size == largest:
                server = self.start_hubindex(seeded[size].url, f"hubindex-{size}")
                startup["seeded"].append(round(server.startup_seconds, 3))
                self.load_both(server, result)
                self.stop(server)
        result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        result["machine"]["loadavg_at_end"] = loadavg()
        return result

    def start_hubindex(
        self, url: str, name: str, settings: Mapping[str, str] | None = None
    ) -> Server:
        environment = {**self.options.server_env, **(settings or {})}
        server = start_hubindex(url, environment, self.logs / f"{name}.log")
        self.servers.append(server)
        return server

    def stop(self, server: Server) -> None:
        server.stop()
        self.servers.remove(server)

    def load_both(self, hub: Server, result: dict[str, Any]) -> None:
        responses = self.logs / "reference-responses.json"
        responses.parent.mkdir(parents=True, exist_ok=True)
        # Ping too, whether or not it is loaded: it is how the reference is seen to be up.
        self.scenarios = probe.with_tokens(hub, self.scenarios)
        recorded = [s for s in scenarios() if s.key == "ping" and s not in self.scenarios]
        answers = probe.record(hub, recorded + self.scenarios, self.nonce)
        responses.write_text(json.dumps(answers, indent=1))
        ref = start_reference(responses, self.logs / "reference.log")
        self.servers.append(ref)
        logged = start_reference(responses, self.logs / "reference-logged.log", access_log=True)
        self.servers.append(logged)
        try:
            result["reference_startup_seconds"] = round(ref.startup_seconds, 3)
            with tempfile.TemporaryDirectory(prefix="hubindex-bench-wrk-") as workdir:
                result["scenarios"] = {
                    s.key: self.scenario(s, (hub, ref, logged), Path(workdir), result)
                    for s in self.scenarios
                }
            result["memory"] = {
                "hubindex": hub.memory_kib(),
                "reference": ref.memory_kib(),
                "logged": logged.memory_kib(),
            }
        finally:
            self.stop(logged)
            self.stop(ref)

    def load(
        self, server: Server, scenario: Scenario, load: wrk.Load, workdir: Path
    ) -> wrk.LoadResult:
        return wrk.run(
            self.wrk,
            server,
            scenario,
            load,
            workdir=workdir,
            nonce=self.nonce,
            postgres=self.options.backend == "postgresql",
        )

    def scenario(
        self,
        scenario: Scenario,
        servers: tuple[Server, Server, Server],
        workdir: Path,
        result: dict[str, Any],
    ) -> dict[str, Any]:
        """Rounds of hubindex, the reference and the logged reference, in turn."""
        options = self.options
        # Writes wait for argon2 at its default costs: with many requests at once the first
        # answers take seconds on 2 cores, so a shorter load would measure nothing.
        seconds = options.duration if scenario.read else max(options.duration, MIN_WRITE_SECONDS)
        connections = options.connections if scenario.read else options.write_connections
        measured = wrk.Load(seconds, connections, options.threads, options.timeout)
        if options.warmup:
            warm = wrk.Load(options.warmup, connections, options.threads, options.timeout)
            for server in servers:
                self.load(server, scenario, warm, workdir)
                server.settle(limit=options.settle_limit)
        rounds: dict[str, list[wrk.LoadResult]] = {server.name: [] for server in servers}
        for n in range(1, options.rounds + 1):
            for server in servers:
                loaded = self.load(server, scenario, measured, workdir)
                settled = server.settle(limit=options.settle_limit)
                loaded = replace(loaded, settle_seconds=settled)
                rounds[server.name].append(loaded)
                log(
                    f"{scenario.key} round {n}/{options.rounds} {server.name}:"
                    f" {loaded.rps:,.1f} req/s, p50 {loaded.p50_ms:.2f} ms,"
                    f" p99 {loaded.p99_ms:.2f} ms, {loaded.failed} failed,"
                    f" {loaded.errors['timeout']} timeouts; CPU: server"
                    f" {loaded.server_cpu_share:.2f} cores, PostgreSQL"
                    f" {loaded.database_cpu_seconds / loaded.seconds:.2f}, others"
                    f" {loaded.other_cpu_share:.2f};"
                    f" idle again after {settled:.1f} s"
                )
        hubindex = report.summarize(rounds["hubindex"])
        reference = report.summarize(rounds["reference"])
        logged = report.summarize(rounds["logged"])
        self.check(scenario, hubindex, reference, result)
        self.check_server(scenario, "logged", logged, result)
        return {
            "title": scenario.title,
            "connections": connections,
            "seconds": seconds,
            "method": scenario.method,
            "path": scenario.path,
            "read": scenario.read,
            "ratio_target": scenario.ratio_target,
            "hubindex": hubindex,
            "reference": reference,
            "logged": logged,
            # Of the ceiling (the reference without an access log): what the targets are about.
            "ratio": hubindex["rps"] / reference["rps"] if reference["rps"] else 0.0,
            "ratio_logged": hubindex["rps"] / logged["rps"] if logged["rps"] else 0.0,
        }

    def check(
        self,
        scenario: Scenario,
        hubindex: dict[str, Any],
        reference: dict[str, Any],
        result: dict[str, Any],
    ) -> None:
        """Wrong answers make the run fail; so does no answer at all from the reference (or,
        in a quick run, from hubindex). Too few answers from hubindex are noted."""
        problems, notes = result["problems"], result["notes"]
        self.check_server(scenario, "hubindex", hubindex, result)
        self.check_server(scenario, "reference", reference, result)
        rounds = self.options.rounds
        if hubindex["requests"] == 0 and self.options.quick:
            problems.append(f"{scenario.key}: hubindex answered no request")
        elif hubindex["latency_lower_bound"]:
            notes.append(
                f"{scenario.title}: in at least one of {rounds} rounds hubindex answered none of"
                " its requests; its latency is shown as the load's duration (a lower bound)."
            )
        elif hubindex["requests"] < FEW_ANSWERS:
            notes.append(
                f"{scenario.title}: hubindex answered only {hubindex['requests']} requests in"
                f" {rounds} rounds; use a longer --duration for a steadier figure."
            )

    def check_server(
        self, scenario: Scenario, name: str, summary: dict[str, Any], result: dict[str, Any]
    ) -> None:
        """Failed requests make the run fail; so does a reference that answered none."""
        problems = result["problems"]
        if summary["failed"]:
            problems.append(
                f"{scenario.key}: {name}: {summary['failed']} requests failed (a status"
                f" other than 2xx/3xx, or a socket error); see {self.logs}"
            )
        if name != "hubindex" and summary["requests"] == 0:
            label = "the logged reference" if name == "logged" else "the reference"
            problems.append(f"{scenario.key}: {label} answered no request")


def time_generate_check() -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - the project's own script
        [str(ROOT / "scripts" / "generate"), "--check"],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=300,
    )
    return {"seconds": round(time.perf_counter() - started, 3), "exit_code": done.returncode}


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(  # noqa: S603
            ["git", *args],  # noqa: S607 - git from PATH
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD") or "unknown", "dirty": bool(git("status", "-s"))}


def machine(wrk_path: str) -> dict[str, Any]:
    version = subprocess.run(  # noqa: S603
        [wrk_path, "-v"], capture_output=True, text=True, check=False
    )
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "wrk": (version.stdout or version.stderr).splitlines()[0].strip(),
        "loadavg_at_start": loadavg(),
    }


def loadavg() -> list[float]:
    return [float(part) for part in Path("/proc/loadavg").read_text().split()[:3]]


def write(options: Options, result: dict[str, Any], table: str) -> None:
    options.json_path.parent.mkdir(parents=True, exist_ok=True)
    options.json_path.write_text(json.dumps(result, indent=1) + "\n")
    options.markdown_path.parent.mkdir(parents=True, exist_ok=True)
    options.markdown_path.write_text(table)
    history = OUTPUT / "history"
    history.mkdir(parents=True, exist_ok=True)
    stamp = result["started_at"].replace(":", "").replace("-", "")[:15]
    kind = "quick-" if options.quick else ""
    (history / f"{stamp}-{kind}{options.backend}.json").write_text(json.dumps(result, indent=1))
    log(f"wrote {_shown(options.json_path)} and {_shown(options.markdown_path)}")
