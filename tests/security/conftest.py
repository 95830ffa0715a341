"""The security suite: the real server over HTTP, on SQLite and on PostgreSQL.

Fixtures are shared with the functional suite; ``module_database_url`` adds one database per
module and backend, for tables of cases that share their accounts.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functional.conftest import (  # noqa: F401 - fixtures shared with the functional suite
    BACKENDS,
    database_url,
    fresh_database,
    index,
    mailbox,
    make_index,
    postgres_databases,
    sqlite_template,
)


@pytest.fixture(scope="module", params=BACKENDS)
def module_database_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[str]:
    """A fresh, migrated database of each backend, shared by the tests of one module."""
    yield from fresh_database(request, tmp_path_factory.mktemp("module"), sqlite_template)
