"""What one app instance holds: settings, the database, and the services built per request."""

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import cached_property
from typing import Any, TypeVar

from server.auth import Identity
from server.cache import GenerationCache
from server.http.credentials import Credential
from server.services.accounts import AccountService, DatabaseAccountService
from server.services.authentication import Authentication
from server.services.guesses import GuessesInFlight
from server.services.logins import LoginThrottle
from server.services.mail import LogMailer, Mailer, SmtpMailer
from server.services.passwords import Passwords
from server.services.readiness import ReadinessCheck
from server.services.repositories import DatabaseRepositoryService, RepositoryService
from server.services.search import (
    CachedSearchService,
    DatabaseSearchService,
    SearchResultCache,
    SearchService,
    SqliteSearcher,
    ThreadedSearchService,
)
from server.services.tokens import SigningKeyCache, TokenService
from server.settings import Settings
from server.storage.database import Database, DatabaseSession
from server.storage.migrations import heads

T = TypeVar("T")


class Services:
    """The services of one unit of work (one request), each made when first used."""

    def __init__(self, state: "AppState", session: DatabaseSession) -> None:
        self._state = state
        self._session = session

    @cached_property
    def accounts(self) -> AccountService:
        settings = self._state.settings
        return DatabaseAccountService(
            self._session,
            self._state.passwords,
            confirmation_required=settings.email_confirmation == "required",
            confirmation_ttl=timedelta(seconds=settings.confirmation_ttl_seconds),
        )

    @cached_property
    def repositories(self) -> RepositoryService:
        return DatabaseRepositoryService(self._session)

    @cached_property
    def search(self) -> SearchService:
        searcher = self._state.sqlite_searcher
        searches: SearchService = (
            ThreadedSearchService(searcher) if searcher else DatabaseSearchService(self._session)
        )
        cache = self._state.search_cache
        if cache is None:
            return searches
        counter = self._state.database.change_counter
        return CachedSearchService(self._session, searches, cache, counter)

    @cached_property
    def tokens(self) -> TokenService:
        keys, ttl = self._state.signing_key, self._state.settings.token_ttl_seconds
        return TokenService(self._session, keys, ttl)

    @cached_property
    def logins(self) -> LoginThrottle:
        settings = self._state.settings
        return LoginThrottle(
            self._session,
            per_account=settings.login_failures_per_account,
            per_address=settings.login_failures_per_address,
            window=timedelta(seconds=settings.login_failure_window_seconds),
            known_for=timedelta(days=settings.login_known_address_days),
        )

    @cached_property
    def readiness(self) -> ReadinessCheck:
        return ReadinessCheck(self._session, heads)

    @property
    def mailer(self) -> Mailer:
        return self._state.mailer

    @cached_property
    def authentication(self) -> Authentication:
        state = self._state
        return Authentication(
            self._session,
            tokens=self.tokens,
            logins=self.logins,
            guesses=state.guesses,
            passwords=state.passwords,
            cached=self.cached,
            unit_of_work=state.unit_of_work,
        )

    async def identify(self, credential: Credential | None, address: str) -> Identity:
        """Who presented ``credential`` (see :meth:`Authentication.identify`)."""
        return await self.authentication.identify(credential, address)

    async def cached(
        self,
        key: Hashable,
        compute: Callable[[], Awaitable[T]],
        *,
        keep: Callable[[T], bool] = lambda _value: True,
    ) -> T:
        """``compute()``, or what it gave an earlier request while the database has not
        changed since, as ``Database.change_counter`` tells (where it cannot, every call
        computes). ``compute`` must read nothing but the database, and every caller's answer
        must be the same. A value ``keep`` refuses (a large one) is computed afresh each time.
        """
        cache = self._state.read_cache
        counter = self._state.database.change_counter() if cache is not None else None
        if cache is None or counter is None:
            return await compute()
        found = cache.get(counter, key)  # the counter first: see GenerationCache
        if found is None:
            found = await compute()
            if keep(found):
                cache.put(counter, key, found)
        return found  # type: ignore[no-any-return]


class AppState:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = Database(settings.database_url, pool_size=settings.database_pool_size)
        self.passwords = Passwords(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            remember_seconds=settings.password_cache_seconds,
        )
        self.mailer: Mailer = (
            SmtpMailer(settings.smtp_url, settings.mail_from) if settings.smtp_url else LogMailer()
        )
        self.signing_key = SigningKeyCache()
        self.guesses = GuessesInFlight()
        entries = settings.search_cache_entries
        self.search_cache = SearchResultCache(entries) if entries else None
        self.sqlite_searcher = SqliteSearcher.for_url(settings.database_url)
        self.read_cache: GenerationCache[Hashable, Any] | None = (
            GenerationCache(settings.read_cache_entries) if settings.read_cache_entries else None
        )

    @asynccontextmanager
    async def unit_of_work(self, *, writes: bool) -> AsyncIterator[Services]:
        """Services over one transaction, committed when the block ends without error."""
        async with self.database.unit_of_work(writes=writes) as session:
            yield Services(self, session)

    async def start(self) -> None:
        await self.database.start()

    async def close(self) -> None:
        if self.sqlite_searcher is not None:
            self.sqlite_searcher.close()
        self.passwords.close()
        await self.database.dispose()
