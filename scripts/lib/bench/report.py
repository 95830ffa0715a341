"""Summaries of the rounds, and the Markdown tables for the README."""

import statistics
from typing import Any

from bench.targets import Verdict, format_value
from bench.wrk import LoadResult


def summarize(rounds: list[LoadResult]) -> dict[str, Any]:
    """Medians over the rounds of one server in one scenario, with every round kept.

    A round without a single answer counts its whole duration as its latency: a lower bound,
    flagged by ``latency_lower_bound``.
    """

    def median(values: list[float]) -> float:
        return statistics.median(values) if values else 0.0

    def latency(result: LoadResult, value: float) -> float:
        return value if result.requests else result.seconds * 1000

    requests = sum(r.requests for r in rounds)
    server_cpu = sum(r.server_cpu_seconds for r in rounds)
    return {
        "rps": median([r.rps for r in rounds]),
        "p50_ms": median([latency(r, r.p50_ms) for r in rounds]),
        "p99_ms": median([latency(r, r.p99_ms) for r in rounds]),
        "latency_lower_bound": any(r.requests == 0 for r in rounds),
        "requests": requests,
        "failed": sum(r.failed for r in rounds),
        "timeouts": sum(r.errors["timeout"] for r in rounds),
        "server_cpu_share": median([r.server_cpu_share for r in rounds]),
        "cpu_us_per_request": server_cpu * 1e6 / requests if requests else None,
        "loadgen_cpu_share": median([r.loadgen_cpu_seconds / r.seconds for r in rounds]),
        "database_cpu_share": median([r.database_cpu_seconds / r.seconds for r in rounds]),
        "other_cpu_share": median([r.other_cpu_share for r in rounds]),
        "rounds": [round_json(r) for r in rounds],
    }


def round_json(result: LoadResult) -> dict[str, Any]:
    return {
        "requests": result.requests,
        "seconds": round(result.seconds, 3),
        "rps": round(result.rps, 1),
        "p50_ms": result.p50_ms,
        "p90_ms": result.p90_ms,
        "p99_ms": result.p99_ms,
        "max_ms": result.max_ms,
        "mean_ms": round(result.mean_ms, 3),
        "errors": result.errors,
        "server_cpu_seconds": round(result.server_cpu_seconds, 3),
        "loadgen_cpu_seconds": round(result.loadgen_cpu_seconds, 3),
        "database_cpu_seconds": round(result.database_cpu_seconds, 3),
        "other_cpu_seconds": round(result.other_cpu_seconds, 3),
        "settle_seconds": round(result.settle_seconds, 2),
    }


DISTURBED_CORES = 0.2


def _us(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f} µs" if value < 10_000 else f"{value / 1000:,.0f} ms"


def _ms(value: float) -> str:
    return format_value(value, "ms")


def _latency(summary: dict[str, Any], key: str) -> str:
    """A latency, or ``> 10 s`` when a round got no answer within its 10 s."""
    if summary["latency_lower_bound"]:
        return f"> {summary[key] / 1000:.0f} s"
    return _ms(summary[key])


def _rps(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _cpu_ratio(reference: dict[str, Any], hubindex: dict[str, Any]) -> str:
    """The reference's CPU per request over hubindex's: the req/s ratio a machine with a core
    to spare for each would show, and the steadier figure when other processes load it."""
    ours, theirs = hubindex["cpu_us_per_request"], reference["cpu_us_per_request"]
    return f"{theirs / ours:.3f}x" if ours and theirs else "-"


def _mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.0f} MiB"


def markdown(result: dict[str, Any], verdicts: list[Verdict]) -> str:
    options = result["options"]
    largest = max(options["sizes"])
    lines = [
        f"### hubindex benchmark: {options['backend']}, {largest:,} repositories"
        f"{' (quick)' if options['quick'] else ''}",
        "",
        f"{result['started_at'][:16].replace('T', ' ')} UTC, commit {result['git']['commit'][:10]}"
        f"{' + local changes' if result['git']['dirty'] else ''}; {result['machine']['cpus']}"
        f" cores shared by server and load generator. wrk -t {options['threads']}"
        f" -c {options['connections']}, {options['rounds']} A/B rounds of {options['duration']} s"
        f" (writes: at least {options['min_write_seconds']} s, -c {options['write_connections']}),"
        " medians. References: plain Starlette with the same uvicorn settings, answering"
        " hubindex's recorded bytes, without an access log (the ceiling; the targets are ratios"
        " to it) and with uvicorn's (logged: a logging record and a write per request)."
        " hubindex logs every request.",
        "",
        "| scenario | hubindex req/s | p50 | p99 | reference req/s | p50 | p99 | ratio"
        " | logged reference req/s | ratio | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    verdict_by_name = {v.name: v for v in verdicts}
    for scenario in result["scenarios"].values():
        hub, ref, logged = scenario["hubindex"], scenario["reference"], scenario["logged"]
        hub_p50, hub_p99 = _latency(hub, "p50_ms"), _latency(hub, "p99_ms")
        verdict = verdict_by_name.get(f"{scenario['title']}: hubindex/reference")
        target = f"{verdict.goal_text()} {verdict.describe()}" if verdict else "-"
        flags = []
        if hub["failed"] or ref["failed"]:
            flags.append(f"{hub['failed']}/{ref['failed']} failed")
        if hub["timeouts"] or ref["timeouts"]:
            flags.append(f"{hub['timeouts']}/{ref['timeouts']} timed out")
        if scenario["connections"] != options["connections"]:
            flags.insert(0, f"-c {scenario['connections']}")
        title = scenario["title"] + (f" [{', '.join(flags)}]" if flags else "")
        lines.append(
            f"| {title} | {_rps(hub['rps'])} | {hub_p50} | {hub_p99}"
            f" | {_rps(ref['rps'])} | {_latency(ref, 'p50_ms')} | {_latency(ref, 'p99_ms')}"
            f" | {scenario['ratio']:.3f}x | {_rps(logged['rps'])}"
            f" | {scenario['ratio_logged']:.3f}x | {target} |"
        )
    lines += [
        "",
        "| CPU per request (server process) | hubindex | reference | ratio | logged reference"
        " | ratio | cores busy: hubindex | PostgreSQL | wrk | other processes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    disturbed = 0.0
    for scenario in result["scenarios"].values():
        hub, ref, logged = scenario["hubindex"], scenario["reference"], scenario["logged"]
        disturbed = max(
            disturbed, hub["other_cpu_share"], ref["other_cpu_share"], logged["other_cpu_share"]
        )
        lines.append(
            f"| {scenario['title']} | {_us(hub['cpu_us_per_request'])}"
            f" | {_us(ref['cpu_us_per_request'])} | {_cpu_ratio(ref, hub)}"
            f" | {_us(logged['cpu_us_per_request'])} | {_cpu_ratio(logged, hub)}"
            f" | {hub['server_cpu_share']:.2f}"
            f" | {hub['database_cpu_share']:.2f} | {hub['loadgen_cpu_share']:.2f}"
            f" | {hub['other_cpu_share']:.2f} |"
        )
    if disturbed > DISTURBED_CORES:
        lines += [
            "",
            f"**Warning:** other processes used up to {disturbed:.2f} cores during a load;"
            " those numbers are disturbed. Rerun on a quiet machine.",
        ]
    for note in result["notes"]:
        lines += ["", f"**Note:** {note}"]
    lines += ["", "| target | measured | goal | status |", "| --- | ---: | ---: | --- |"]
    for verdict in verdicts:
        note = f" ({verdict.note})" if verdict.note else ""
        lines.append(
            f"| {verdict.name}{note} | {format_value(verdict.measured, verdict.unit)}"
            f" | {verdict.goal_text()} | {verdict.describe()} |"
        )
    latency = result["search_latency"]
    if latency:
        sizes = sorted(latency, key=int)
        lines += [
            "",
            "| search, single requests, no result cache | "
            + " | ".join(f"{int(s):,}" for s in sizes)
            + " |",
            "| --- |" + " ---: |" * len(sizes),
            "| p50 | " + " | ".join(_ms(latency[s]["p50_ms"]) for s in sizes) + " |",
            "| p99 | " + " | ".join(_ms(latency[s]["p99_ms"]) for s in sizes) + " |",
            "| matches per term | "
            + " | ".join(f"{latency[s]['mean_matches']:,.0f}" for s in sizes)
            + " |",
            "| requests | " + " | ".join(str(latency[s]["requests"]) for s in sizes) + " |",
            "| worst-case terms and pages: max | "
            + " | ".join(_ms(latency[s]["worst"]["max_ms"]) for s in sizes)
            + " |",
            "| worst-case terms and pages: p50 | "
            + " | ".join(_ms(latency[s]["worst"]["p50_ms"]) for s in sizes)
            + " |",
            "| slowest worst-case request | "
            + " | ".join(f"`{latency[s]['worst']['slowest']}`" for s in sizes)
            + " |",
        ]
    memory = result["memory"]
    seeding = ", ".join(
        f"{s['size']:,} in {s['seconds']:.1f} s{' (cached)' if s['cached'] else ''}"
        for s in result["seeding"]
    )
    startup = result["startup"]
    lines += [
        "",
        f"Server RSS after the load: hubindex {_mib(memory['hubindex'].get('VmRSS'))}"
        f" (peak {_mib(memory['hubindex'].get('VmHWM'))}), reference"
        f" {_mib(memory['reference'].get('VmRSS'))}. Start-up to first ping:"
        f" {', '.join(f'{s:.2f}' for s in startup['empty'])} s on an empty database,"
        f" {', '.join(f'{s:.2f}' for s in startup['seeded'])} s on seeded ones."
        f" Seeding: {seeding}.",
        "",
    ]
    return "\n".join(lines)
