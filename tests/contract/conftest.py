"""An in-process hubindex for Schemathesis, and the credentials it authenticates with."""

import asyncio
import base64

import pytest
import schemathesis
from connexion import AsyncApp
from sqlalchemy import text

from server.app import create_app
from server.auth import Access, RepositoryName
from server.services.tokens import TokenService
from server.settings import Settings
from server.storage.database import sync_engine
from server.storage.migrations import upgrade
from tests.harness import FAST_HASHING, hubindex

ADMIN = ("conformance", "conformance-password")


def conformance_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        # Generated registrations must be able to log in without a mailbox.
        email_confirmation="off",
        # Schemathesis sends wrong passwords on purpose; counting them would lock its own
        # administrator out. The throttle has its own tests.
        login_failures_per_account=0,
        login_failures_per_address=0,
        validate_responses=True,
        **FAST_HASHING,
    )


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
def api_schema(conformance_app: AsyncApp, conformance_database: str) -> schemathesis.BaseSchema:
    """The served spec, authenticating through ``schema.auth()``: Schemathesis still sends its
    own wrong and missing credentials where its checks need them."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", conformance_app)
    credentials = Credentials(conformance_database)

    # Not cached: the credential depends on the operation (and a token on its repository).
    @schema.auth(refresh_interval=None)
    class ConformanceAuth:
        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            return credentials.header(case)

        def set(
            self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext
        ) -> None:
            case.headers = {**(case.headers or {}), "Authorization": data}

    return schema


class _KeyOf:
    def __init__(self, key: bytes) -> None:
        self.key = key

    async def get(self, _session: object) -> bytes:
        return self.key


class Credentials:
    """Basic for the administrator; for token-only operations, a genuine token for the case's
    repository, signed with the database's key as the index would hand it out."""

    def __init__(self, database_url: str) -> None:
        engine = sync_engine(database_url)
        with engine.connect() as connection:
            key = connection.execute(text("SELECT secret FROM signing_keys")).scalar_one()
        engine.dispose()
        self._tokens = TokenService(None, _KeyOf(key), 3600)  # type: ignore[arg-type]

    def header(self, case: schemathesis.Case) -> str:
        security = case.operation.definition.raw.get("security", [])
        schemes = {name for option in security for name in option}
        if "basicAuth" in schemes:
            return "Basic " + base64.b64encode(":".join(ADMIN).encode()).decode()
        path = case.path_parameters or {}
        repository = RepositoryName.of(path.get("namespace"), str(path.get("repository", "x")))
        return "Token " + str(asyncio.run(self._tokens.issue(repository, Access.WRITE)))


def reset_to_admin_only(database_url: str) -> None:
    """Delete everything but the administrator (and the signing key)."""
    engine = sync_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM repositories"))
        connection.execute(text("DELETE FROM login_failures"))
        connection.execute(text("DELETE FROM known_login_addresses"))
        connection.execute(text("DELETE FROM users WHERE username != :admin"), {"admin": ADMIN[0]})
    engine.dispose()
