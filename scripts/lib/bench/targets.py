"""The performance targets, and whether a run met them (and by what factor)."""

import statistics
from dataclasses import dataclass
from typing import Any

P99_LIMIT_MS = 50.0
SEARCH_P50_LIMIT_MS = 20.0
SEARCH_WORST_LIMIT_MS = 100.0  # every term, page and page size, uncached
SEARCH_TARGET_SIZE = 1_000_000
STARTUP_LIMIT_S = 2.0
GENERATE_LIMIT_S = 5.0


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    measured: float | None
    goal: float
    higher_is_better: bool
    unit: str  # "x" (of the reference), "ms", "s"
    note: str = ""

    @property
    def factor(self) -> float | None:
        """At least 1 when met: measured/goal, or goal/measured when lower is better."""
        if self.measured is None:
            return None
        if self.higher_is_better:
            return self.measured / self.goal
        return self.goal / self.measured if self.measured > 0 else float("inf")

    @property
    def status(self) -> str:
        factor = self.factor
        if factor is None:
            return "NOT MEASURED"
        return "MET" if factor >= 1 else "MISSED"

    def describe(self) -> str:
        """``MET (1.3x headroom)``, ``MISSED (needs 4.2x)``."""
        factor = self.factor
        if factor is None:
            return "NOT MEASURED"
        if factor >= 1:
            return f"MET ({factor:.1f}x headroom)" if factor != float("inf") else "MET"
        return f"MISSED (needs {1 / factor:.1f}x)" if factor > 0 else "MISSED"

    def goal_text(self) -> str:
        sign = ">=" if self.higher_is_better else "<="
        return f"{sign} {format_value(self.goal, self.unit)}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "measured": self.measured,
            "goal": self.goal,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "status": self.status,
            "factor": self.factor,
            "note": self.note,
        }


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"
    return f"{value:.2f} {unit}"


def evaluate(result: dict[str, Any]) -> list[Verdict]:
    """The verdicts on a run's result (the JSON document run.py builds)."""
    verdicts: list[Verdict] = []
    scenarios = result["scenarios"]
    largest = max(result["options"]["sizes"])
    size_note = "" if largest == SEARCH_TARGET_SIZE else f"measured at {largest:,} repositories"
    for key, scenario in scenarios.items():
        if scenario["ratio_target"] is not None:
            verdicts.append(
                Verdict(
                    f"{scenario['title']}: hubindex/reference",
                    scenario["ratio"],
                    scenario["ratio_target"],
                    True,
                    "x",
                    size_note if key == "search" else "",
                )
            )
    latency = result["search_latency"].get(str(largest))
    verdicts.append(
        Verdict(
            f"search p50, single requests without the result cache, {largest:,} repositories",
            latency["p50_ms"] if latency else None,
            SEARCH_P50_LIMIT_MS,
            False,
            "ms",
            size_note,
        )
    )
    verdicts.append(
        Verdict(
            f"worst-case search, slowest single request without the result cache, {largest:,}"
            " repositories (short, blank and common terms, deep pages)",
            latency["worst"]["max_ms"] if latency else None,
            SEARCH_WORST_LIMIT_MS,
            False,
            "ms",
            size_note,
        )
    )
    connections = result["options"]["connections"]
    for scenario in scenarios.values():
        if scenario["read"]:
            hubindex = scenario["hubindex"]
            bound = hubindex["latency_lower_bound"]
            verdicts.append(
                Verdict(
                    f"{scenario['title']}: p99 at {connections} connections",
                    hubindex["p99_ms"],
                    P99_LIMIT_MS,
                    False,
                    "ms",
                    "at least: a round got no answer" if bound else "",
                )
            )
    starts = result["startup"]["empty"] + result["startup"]["seeded"]
    verdicts.append(
        Verdict(
            "start-up to the first answered /v1/_ping (median of the starts)",
            statistics.median(starts) if starts else None,
            STARTUP_LIMIT_S,
            False,
            "s",
        )
    )
    generate = result["generate_check"]
    verdicts.append(
        Verdict(
            "scripts/generate --check",
            generate["seconds"],
            GENERATE_LIMIT_S,
            False,
            "s",
            "" if generate["exit_code"] == 0 else f"it exited with {generate['exit_code']}",
        )
    )
    return verdicts
