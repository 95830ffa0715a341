"""``scripts/bench private-search`` on a small seed: what it prepares, and that its filtered
searches find what each caller may read."""

from pathlib import Path

from bench import private_search, seed
from sqlalchemy import create_engine, text

from server.services.permissions import visible_to, visible_to_org_token


def connection_count(url: str, where: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(f"SELECT count(*) FROM repositories WHERE {where}")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_the_probe_prepares_ten_percent_private_ranks_and_readers_of_some(tmp_path: Path):
    path = tmp_path / "seeded.db"
    seed.seed_sqlite(path, 2_000)
    url = f"sqlite:///{path}"
    reader = private_search.prepare(url, 2_000)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            private = connection.execute(
                text("SELECT count(*) FROM repositories WHERE is_private")
            ).scalar_one()
            ids = [
                row[0]
                for row in connection.execute(
                    text("SELECT id FROM repositories WHERE is_private ORDER BY id")
                )
            ]
            granted = connection.execute(
                text("SELECT count(*) FROM collaborators WHERE user_id = :u"), {"u": reader}
            ).scalar_one()
            # "-7" is in the names of one repository in 20 (the seed names them word-word-N, N < 20)
            counted = {
                caller: private_search.run(connection, "-7", 1, 25, "sqlite", visible)
                for caller, visible in (
                    ("reader", visible_to(reader)),
                    ("token", visible_to_org_token(private_search.TOKEN_UUID)),
                    ("anonymous", visible_to(None)),
                    ("all", None),
                )
            }
            matching = "(namespace || '/' || name || ' ' || description) LIKE '%-7%'"
            expected = {
                caller: connection.execute(
                    text(f"SELECT count(*) FROM repositories WHERE {matching} AND {where}")
                ).scalar_one()
                for caller, where in (
                    ("reader", "(NOT is_private OR id IN (SELECT repository_id"
                               f" FROM collaborators WHERE user_id = {reader}))"),
                    ("token", "(NOT is_private OR namespace = 'privateorg')"),
                    ("anonymous", "NOT is_private"),
                    ("all", "1"),
                )
            }  # fmt: skip
    finally:
        engine.dispose()
    assert private == 200
    assert ids != list(range(10, 2_001, 10))  # drawn, not every tenth
    assert granted == 200  # every private one: fewer than READABLE exist
    assert counted == expected
    assert expected["anonymous"] < expected["reader"] == expected["token"] == expected["all"]
    ranked = connection_count(url, "star_count > 0 AND pull_count >= 0")
    assert ranked == 200  # one in ten
    timings = private_search.measure(url, reader)
    callers = [timing.caller.split()[0] for timing in timings]
    assert callers == ["reader", "organization", "anonymous", "unfiltered"]
    assert all(0 < timing.p50_ms <= timing.max_ms for timing in timings)
