"""Real credentials and codes for Schemathesis's cases, in-process and in the CLI alike.

Each is minted by the server's own services over the database under test, so the operations
that need one (token-only registry checks, the management API's signed tokens,
``users.confirm``) are fuzzed past their refusals.
"""

import asyncio
import base64
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import schemathesis
from sqlalchemy import create_engine, text

from server.auth import Access, RepositoryName
from server.composition import AppState, Services
from server.services.tokens import SigningKeyCache, TokenService
from server.settings import Settings
from tests.contract.organizations import make_creatable
from tests.contract.registrations import make_registrable
from tests.hashing import FAST_HASHING

T = TypeVar("T")

CONFIRM = "users.confirm"
# The management API's schemes: a signed token of the administrator's.
BEARER_SCHEMES = {"bearerAuth", "legacyJwt"}


def conformance_settings(database_url: str, **overrides: Any) -> Settings:
    """For Schemathesis's cases, in the conformance and the differential suites alike."""
    return Settings(
        database_url=database_url,
        # Generated registrations must be able to log in without a mailbox.
        email_confirmation="off",
        # Schemathesis sends wrong passwords on purpose; counting them would lock its own
        # administrator out. The throttle has its own tests.
        login_failures_per_account=0,
        login_failures_per_address=0,
        # Nor may its registrations and new addresses, all from one address, be refused.
        registrations_per_address=0,
        new_emails_per_address=0,
        emails_per_account=0,
        validate_responses=True,
        # Hooks on the loopback (the discard port), whose creation resolves no name: the
        # cases never make the index call out to the internet.
        webhooks_allow_private_addresses=True,
        **{**FAST_HASHING, **overrides},
    )


class Credentials:
    """Basic for the administrator; for the management API's operations, a genuine signed
    token of the administrator's (made anew well before it expires); for token-only
    operations, a genuine token for the case's repository, as the index would hand it out; for
    ``users.confirm``, a genuine code in about half of the schema-valid cases (the rest keep
    the drawn code, which is unknown)."""

    def __init__(self, database_url: str, admin: tuple[str, str]) -> None:
        self._settings = conformance_settings(database_url)
        self._admin = admin
        self._basic = "Basic " + base64.b64encode(":".join(admin).encode()).decode()
        self._minted: set[str] = set()
        # The database's signing key, read once by a token issued in a unit of work; then
        # issuing reads nothing, and needs no unit (nor session).
        self._keys = SigningKeyCache()
        self._run(
            lambda services: services.tokens.issue(
                RepositoryName.of(None, "x"), Access.READ, instance=0
            )
        )
        self._tokens = TokenService(None, self._keys, self._settings.token_ttl_seconds)  # type: ignore[arg-type]  # a case sent again keeps its (used) code
        self._bearer: tuple[float, str, str | None] | None = None
        # A token names the repository's instance: read where it exists, as it is now. One
        # connection kept for the lookups (a new PostgreSQL connection for each case cost
        # ~40 ms on a loaded machine), closed by ``close`` before the database goes.
        self._instances = create_engine(database_url, pool_size=1)

    def install(self, hooks: Any) -> None:
        """Authenticate every case and substitute codes: ``hooks`` is a schema (in-process) or
        the ``schemathesis`` module (the CLI's hooks), which take the same decorators."""
        credentials = self

        # Not cached: the credential depends on the operation (and a token on its repository).
        @hooks.auth(refresh_interval=None)
        class ConformanceAuth:
            def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
                return credentials.header(case)

            def set(
                self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext
            ) -> None:
                case.headers = {**(case.headers or {}), "Authorization": data}

        # Schemathesis takes this hook only globally: in-process, it keeps to the cases of
        # ``hooks`` and its clones (which share its document).
        document = None if hooks is schemathesis else hooks.raw_schema

        @schemathesis.hook
        def before_call(
            context: schemathesis.HookContext, case: schemathesis.Case, **_: Any
        ) -> None:
            if document is None or case.operation.schema.raw_schema is document:
                credentials.substitute_code(case)
                make_registrable(case)
                make_creatable(case, credentials.admin_name)

    def close(self) -> None:
        """Close the lookups' connection (before the database is dropped or reset)."""
        self._instances.dispose()

    @property
    def admin_name(self) -> str:
        return self._admin[0]

    def header(self, case: schemathesis.Case) -> str:
        security = case.operation.definition.raw.get("security", [])
        schemes = {name for option in security for name in option}
        if "basicAuth" in schemes:
            return self._basic
        if schemes & BEARER_SCHEMES:
            return f"Bearer {self.bearer_token()}"
        path = case.path_parameters or {}
        repository = RepositoryName.of(path.get("namespace"), str(path.get("repository", "x")))
        with self._instances.connect() as connection:
            instance = connection.execute(
                text("SELECT instance FROM repositories WHERE namespace = :ns AND name = :name"),
                {"ns": repository.namespace, "name": repository.name},
            ).scalar()
        # A repository that does not exist gets a token for an instance no repository has.
        issued = self._tokens.issue(repository, Access.WRITE, instance=instance or 0)
        return f"Token {asyncio.run(issued)}"

    def bearer_token(self) -> str:
        """A signed token of the administrator's, as ``POST /v2/auth/token`` answers it: made
        again once half its lifetime has passed, or once the administrator's password changed
        (a drawn ``users.update`` of the administrator may change it; the token then ends)."""
        now = time.monotonic()
        stamp = self._password_hash()
        if (
            self._bearer is None
            or now - self._bearer[0] > self._settings.bearer_ttl_seconds / 2
            or stamp != self._bearer[2]
        ):

            async def issue(services: Services) -> str:
                account = (await services.logins.attempt(self._admin[0], "127.0.0.1")).account
                assert account is not None, "the administrator is gone"
                return await services.bearer.issue(account)

            self._bearer = (now, self._run(issue), stamp)
        return self._bearer[1]

    def _password_hash(self) -> str | None:
        with self._instances.connect() as connection:
            return connection.execute(
                text("SELECT password_hash FROM users WHERE username = :name"),
                {"name": self._admin[0]},
            ).scalar()

    def substitute_code(self, case: schemathesis.Case) -> None:
        """Put a genuine confirmation code into about half of the positive ``users.confirm``
        cases: those whose drawn code ``keeps_drawn`` does not keep."""
        if case.operation.definition.raw.get("operationId") != CONFIRM:
            return
        if case.meta is not None and case.meta.generation.mode.is_negative:
            return
        drawn = str((case.query or {}).get("code"))
        if drawn in self._minted or self.keeps_drawn(drawn):
            return
        address = f"confirm-{secrets.token_hex(8)}@conformance.example.com"
        confirmation = self._run(
            lambda services: services.accounts.update(self._admin[0], email=address, password=None)
        )
        assert confirmation is not None
        self._minted.add(confirmation.code)
        case.query = {**(case.query or {}), "code": confirmation.code}

    @staticmethod
    def keeps_drawn(code: str) -> bool:
        """Whether a drawn code stays (and is unknown): the same for a case on every run."""
        return zlib.crc32(code.encode()) % 2 == 1

    def _run(self, work: Callable[[Services], Awaitable[T]]) -> T:
        async def in_a_unit() -> T:
            state = AppState(self._settings)
            state.signing_key = self._keys  # kept from one unit to the next
            await state.start()
            try:
                async with state.unit_of_work(writes=True) as services:
                    return await work(services)
            finally:
                await state.close()

        return asyncio.run(in_a_unit())
