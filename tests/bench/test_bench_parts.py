"""The benchmark's pure parts: its data set, wrk's output, the verdicts."""

import os
import sqlite3
from pathlib import Path

import httpx
import pytest
from bench import clients, cpu, data, seed, targets, wrk

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:1/v1/_ping
  2 threads and 32 connections
BENCH_RESULT {"requests": 1500, "duration_us": 1000000, "bytes": 9000, "p50_us": 1500, \
"p90_us": 4000, "p99_us": 9000, "max_us": 12000, "mean_us": 2000.5, "errors": {"connect": 0, \
"read": 1, "write": 0, "status": 2, "timeout": 3}}
"""


def test_repositories_are_deterministic_and_unique_by_name():
    rows = list(data.repositories(2000))
    assert rows == list(data.repositories(2000))
    assert [row[0] for row in rows] == list(range(1, 2001))
    assert len({(namespace, name) for _, namespace, name, _ in rows}) == 2000
    assert len(data.WORDS) == len(set(data.WORDS)) == data.VOCABULARY_SIZE


def test_every_query_term_matches_about_half_a_percent():
    rows = list(data.repositories(20_000))
    for term in data.QUERY_TERMS:
        matches = sum(1 for _, ns, name, text in rows if term in f"{ns}/{name} {text}")
        assert 40 <= matches <= 200, term


def test_wrk_result_line_is_parsed_exactly():
    used = cpu.Usage(server=0.5, database=0.0, loadgen=0.25, other=0.1)
    result = wrk.parse(WRK_OUTPUT, used, elapsed=1.01)
    assert result.requests == 1500
    assert result.rps == pytest.approx(1500)
    assert (result.p50_ms, result.p99_ms) == (1.5, 9.0)
    assert result.failed == 3
    assert result.errors["timeout"] == 3
    assert result.cpu_us_per_request == pytest.approx(333.3, abs=0.1)
    assert result.other_cpu_share == pytest.approx(0.1)


def test_cpu_usage_leaves_the_rest_of_the_machine_as_other():
    before = cpu.Sample(server=1.0, database=5.0, loadgen=0.0, machine=100.0)
    after = cpu.Sample(server=2.0, database=5.5, loadgen=0.25, machine=104.0)
    used = cpu.Usage.between(before, after)
    assert (used.server, used.database, used.loadgen) == (1.0, 0.5, 0.25)
    assert used.other == pytest.approx(2.25)
    assert cpu.process_seconds(os.getpid()) > 0


def test_wrk_without_a_result_line_is_an_error():
    with pytest.raises(wrk.LoadError):
        wrk.parse("unable to connect", cpu.Usage(0, 0, 0, 0), elapsed=1)


@pytest.mark.parametrize(
    ("measured", "higher", "status", "text"),
    [
        (0.25, True, "MISSED", "MISSED (needs 2.0x)"),
        (1.0, True, "MET", "MET (2.0x headroom)"),
        (40.0, False, "MISSED", "MISSED (needs 2.0x)"),
        (10.0, False, "MET", "MET (2.0x headroom)"),
        (0.0, True, "MISSED", "MISSED"),
        (None, True, "NOT MEASURED", "NOT MEASURED"),
    ],
)
def test_verdicts_say_by_what_factor(measured, higher, status, text):
    goal = 0.5 if higher else 20.0
    verdict = targets.Verdict("x", measured, goal, higher, "x" if higher else "ms")
    assert verdict.status == status
    assert verdict.describe() == text


def test_seeded_sqlite_database_has_the_rows_and_the_user(tmp_path: Path):
    from bench import seed

    path = tmp_path / "seeded.db"
    seed.seed_sqlite(path, 50)
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT count(*) FROM repositories").fetchone() == (52,)
        assert connection.execute("SELECT count(*) FROM images").fetchone() == (200,)
        assert connection.execute("SELECT username, is_active FROM users").fetchall() == [
            (data.BENCH_USER, 1)
        ]
    finally:
        connection.close()


def _answer(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, text="the body")


def test_the_stress_tally_counts_every_answer_and_tells_what_may_not_be():
    tally = clients.Tally(may_be_busy=frozenset({"flood"}), may_go_unanswered=frozenset({"flood"}))
    tally.count("flood", _answer(503, **{"Retry-After": "1"}))  # busy, and says when: fine
    tally.count("flood", _answer(503))  # busy without Retry-After
    tally.count("ping", _answer(503, **{"Retry-After": "1"}))  # a ping is never busy
    tally.count("ping", _answer(200))
    tally.failed("flood", httpx.ReadError("gone"))
    tally.failed("login", httpx.ReadError("gone"))
    assert list(tally.lines()) == [
        "flood: 0: 1, 503: 2",
        "login: 0: 1",
        "ping: 200: 1, 503: 1",
        "5xx: flood: 503 the body",
        "5xx: ping: 503 the body",
        "5xx: login: no answer (ReadError)",
    ]


def test_the_stress_tally_keeps_the_first_problems_and_counts_them_all():
    tally = clients.Tally()
    for _ in range(clients.PROBLEMS_KEPT + 5):
        tally.count("push", _answer(500))
    assert tally.statuses["push"][500] == clients.PROBLEMS_KEPT + 5
    assert len(tally.problems) == clients.PROBLEMS_KEPT


def test_the_ping_line_and_its_bound():
    times = [0.001] * 98 + [0.060, 0.070]
    assert clients.ping_line(times) == (
        "ping: 100 answered, p50 1.0 ms, p99 60.0 ms, max 70.0 ms (goal p99 <= 50 ms)"
    )
    assert not clients.ping_p99_held(times)
    assert clients.ping_p99_held([0.001] * 100)


@pytest.fixture
def seed_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """The seed cache in a folder of its own, seeding replaced by a file of the size's bytes:
    the sizes seeded."""
    monkeypatch.setattr(seed, "CACHE", tmp_path / "cache")
    seeded: list[int] = []

    def fake_seed(path: Path, size: int) -> float:
        seeded.append(size)
        path.write_bytes(b"x" * size)
        return 0.5

    monkeypatch.setattr(seed, "seed_sqlite", fake_seed)
    return seeded


def _age(path: Path, seconds: float) -> None:
    then = path.stat().st_mtime - seconds
    os.utime(path, (then, then))


def test_the_seed_key_follows_every_source_that_shapes_a_seed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    code, migrations = tmp_path / "seed.py", tmp_path / "migrations"
    (migrations / "versions").mkdir(parents=True)
    code.write_text("seed = 1\n")
    (migrations / "versions" / "0001_initial.py").write_text("tables = 1\n")
    monkeypatch.setattr(seed, "ROOT", tmp_path)
    monkeypatch.setattr(seed, "_KEY_SOURCES", (code, migrations))
    first = seed.cache_key()
    assert seed.cache_key() == first
    (migrations / "versions" / "0002_more.py").write_text("tables = 2\n")
    second = seed.cache_key()
    code.write_text("seed = 2\n")
    assert len({first, second, seed.cache_key()}) == 3


def test_checkouts_of_other_code_keep_seeds_of_their_own(
    monkeypatch: pytest.MonkeyPatch, seed_cache: list[int]
):
    monkeypatch.setattr(seed, "cache_key", lambda: "aaaa")
    built = seed.sqlite_cached(10, log=False)
    assert (built.cached, seed.sqlite_cached(10, log=False).cached) == (False, True)
    monkeypatch.setattr(seed, "cache_key", lambda: "bbbb")  # another worktree's code
    other = seed.sqlite_cached(10, log=False)
    assert (other.cached, other.url != built.url) == (False, True)
    assert seed_cache == [10, 10]
    monkeypatch.setattr(seed, "cache_key", lambda: "aaaa")
    assert seed.sqlite_cached(10, log=False) == seed.Seeded(10, built.url, 0.5, cached=True)
    assert seed_cache == [10, 10]
    assert sorted(p.name for p in seed.CACHE.iterdir()) == [
        "sqlite-10-aaaa.db", "sqlite-10-aaaa.json", "sqlite-10-bbbb.db", "sqlite-10-bbbb.json"
    ]  # fmt: skip


def test_a_seed_of_another_key_unused_for_a_day_and_a_dead_run_s_partial_are_removed(
    monkeypatch: pytest.MonkeyPatch, seed_cache: list[int]
):
    monkeypatch.setattr(seed, "cache_key", lambda: "aaaa")
    seed.sqlite_cached(10, log=False)
    seed.sqlite_cached(20, log=False)
    dead = seed.CACHE / "sqlite-10-bbbb.db.4242.partial"
    live = seed.CACHE / "sqlite-10-bbbb.db.4343.partial"
    dead.write_bytes(b"half")
    live.write_bytes(b"half")
    _age(dead, seed.STALE_AFTER_SECONDS + 60)
    for name in ("sqlite-10-aaaa.json", "sqlite-20-aaaa.json"):
        _age(seed.CACHE / name, seed.STALE_AFTER_SECONDS + 60)
    monkeypatch.setattr(seed, "cache_key", lambda: "bbbb")
    seed.sqlite_cached(10, log=False)
    assert sorted(p.name for p in seed.CACHE.iterdir()) == [
        "sqlite-10-bbbb.db", "sqlite-10-bbbb.db.4343.partial", "sqlite-10-bbbb.json",
        "sqlite-20-aaaa.db", "sqlite-20-aaaa.json",  # another size: not this run's to judge
    ]  # fmt: skip
