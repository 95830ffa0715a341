"""The PostgreSQL database a test is handed is in the template's state, even when reused.

``postgres_databases`` gives a database a test is done with to the next test after putting it
back (tests/reset.py) instead of cloning a new one: what the next test sees must be what a
fresh clone of the template holds.
"""

import psycopg
from sqlalchemy.engine import make_url

from server.cli.accounts import create_user
from server.settings import Settings
from tests.functional.conftest import _PostgresDatabases
from tests.harness import FAST_HASHING
from tests.reset import Snapshot


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(False), autocommit=True
    )


def _names(databases: _PostgresDatabases) -> set[str]:
    with _connect(databases._url_of("postgres")) as connection:
        return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}


def test_a_released_database_comes_back_as_the_template_holds_it(
    postgres_databases: _PostgresDatabases,
):
    name, url = postgres_databases.create()
    with _connect(url) as connection:
        fresh = Snapshot.of(connection)
    settings = Settings(database_url=url, **FAST_HASHING)
    create_user(settings, "reused", "reused@example.com", "a-password-1", True)
    with _connect(url) as connection:
        connection.execute("DELETE FROM signing_keys")
        connection.execute("UPDATE search_generation SET generation = generation + 7")
        assert Snapshot.of(connection) != fresh

    postgres_databases.release(name)
    again, url = postgres_databases.create()
    try:
        assert again == name
        with _connect(url) as connection:
            assert Snapshot.of(connection) == fresh
            assert connection.execute("SELECT count(*) FROM users").fetchone() == (0,)
    finally:
        postgres_databases.release(again)


def test_a_database_whose_schema_changed_is_dropped_not_reused(
    postgres_databases: _PostgresDatabases,
):
    name, url = postgres_databases.create()
    with _connect(url) as connection:
        connection.execute("ALTER TABLE users ADD COLUMN left_behind integer")

    postgres_databases.release(name)

    assert name not in _names(postgres_databases)
    other, _ = postgres_databases.create()
    postgres_databases.release(other)
    assert other != name
