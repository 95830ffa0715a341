"""An in-process hubindex for Schemathesis, and the credentials it authenticates with."""

from collections.abc import Iterator

import pytest
import schemathesis
from connexion import AsyncApp
from sqlalchemy import text

from server.app import create_app
from server.storage.engines import sync_engine
from server.storage.migrations import upgrade
from tests.contract.credentials import Credentials, conformance_settings
from tests.harness import hubindex

ADMIN = ("conformance", "conformance-password")


@pytest.fixture(scope="session")
def conformance_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('conformance') / 'hubindex.db'}"
    upgrade(database_url)
    hubindex(
        "users", "create", ADMIN[0], "--email", "conformance@example.com", "--admin",
        "--password-stdin",
        database_url=database_url,
        stdin=ADMIN[1] + "\n",
    )  # fmt: skip
    return database_url


@pytest.fixture(scope="session")
def conformance_app(conformance_database: str) -> AsyncApp:
    return create_app(conformance_settings(conformance_database))


@pytest.fixture(scope="session")
def conformance_credentials(conformance_database: str) -> Iterator[Credentials]:
    credentials = Credentials(conformance_database, ADMIN)
    yield credentials
    credentials.close()


@pytest.fixture(scope="session")
def api_schema(
    conformance_app: AsyncApp, conformance_credentials: Credentials
) -> schemathesis.BaseSchema:
    """The served spec, authenticating through ``schema.auth()``: Schemathesis still sends its
    own wrong and missing credentials where its checks need them."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", conformance_app)
    conformance_credentials.install(schema)
    return schema


def reset_to_admin_only(database_url: str) -> None:
    """Delete everything but the administrator (and the signing key)."""
    engine = sync_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM collaborators"))
        connection.execute(text("DELETE FROM repositories"))
        connection.execute(text("DELETE FROM organizations"))
        connection.execute(text("DELETE FROM access_tokens"))
        connection.execute(text("DELETE FROM login_failures"))
        connection.execute(text("DELETE FROM known_login_addresses"))
        connection.execute(text("DELETE FROM users WHERE username != :admin"), {"admin": ADMIN[0]})
    engine.dispose()
