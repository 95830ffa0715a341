"""The database backends a test run covers: SQLite always, PostgreSQL when one answers.

``HUBINDEX_TEST_POSTGRES_URL`` names the PostgreSQL server (its user must be allowed to create
databases). Set, it is required: a server that does not answer fails the tests that need it.
Unset, the server this machine kind runs (``DEFAULT_POSTGRES_URL``) is used when it answers,
and the PostgreSQL cases are skipped with the reason when it does not. Set to the empty
string, PostgreSQL is left out on purpose.
"""

import functools
import os
from dataclasses import dataclass

import psycopg
from sqlalchemy.engine import make_url

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
VARIABLE = "HUBINDEX_TEST_POSTGRES_URL"


@dataclass(frozen=True, slots=True)
class PostgresTarget:
    url: str | None  # None: left out
    why_left_out: str = ""


@functools.cache
def postgres() -> PostgresTarget:
    """The PostgreSQL server to test against, or why there is none."""
    configured = os.environ.get(VARIABLE)
    if configured == "":
        return PostgresTarget(None, f"{VARIABLE} is set empty")
    if configured:
        return PostgresTarget(configured)
    try:
        psycopg.connect(_libpq(DEFAULT_POSTGRES_URL), connect_timeout=2).close()
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return PostgresTarget(
            None, f"no PostgreSQL at 127.0.0.1:5432 ({reason}); set {VARIABLE} to name one"
        )
    return PostgresTarget(DEFAULT_POSTGRES_URL)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
