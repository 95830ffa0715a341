"""CPU time from /proc: of one process, of the PostgreSQL server, of the whole machine."""

import os
import resource
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def machine_seconds() -> float:
    """CPU time every process of the machine has used (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICKS


def postgres_seconds() -> float:
    """CPU time of the running ``postgres`` processes (the server and its backends)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name, _, rest = text.partition("(")[2].rpartition(")")
        if name == "postgres":
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def children_seconds() -> float:
    """CPU time of this process's finished (waited-for) children: the load generator."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True, slots=True)
class Sample:
    server: float
    database: float
    loadgen: float
    machine: float

    @classmethod
    def take(cls, server_pid: int, *, database: bool) -> "Sample":
        return cls(
            server=process_seconds(server_pid),
            database=postgres_seconds() if database else 0.0,
            loadgen=children_seconds(),
            machine=machine_seconds(),
        )


@dataclass(frozen=True, slots=True)
class Usage:
    """CPU seconds used between two samples, by whom."""

    server: float
    database: float  # PostgreSQL (0 on SQLite, where the database is inside the server)
    loadgen: float
    other: float  # the rest of the machine: work that disturbs the measurement

    @classmethod
    def between(cls, before: Sample, after: Sample) -> "Usage":
        server = after.server - before.server
        database = after.database - before.database
        loadgen = after.loadgen - before.loadgen
        machine = after.machine - before.machine
        return cls(server, database, loadgen, max(0.0, machine - server - database - loadgen))
