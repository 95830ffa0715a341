"""The robustness suite: the real server (in-process, or as `hubindex serve` processes) under
bad input, races, crashes and several replicas, on SQLite and on PostgreSQL."""

from tests.functional.conftest import (  # noqa: F401 - fixtures shared with the functional suite
    database_url,
    index,
    mailbox,
    make_index,
    postgres_databases,
    sqlite_template,
)
from tests.security.conftest import module_database_url  # noqa: F401 - one database per module
