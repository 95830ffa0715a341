"""What one app instance holds: settings, the database, and the services built per request."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

from server.auth import Identity, RepositoryName
from server.cache import GenerationCache
from server.http.credentials import Credential, TokenCredential
from server.services import secrets_key
from server.services.access_tokens import AccessTokenService
from server.services.account_changes import AccountChangeLimits, Kind, RecentRefusals
from server.services.accounts import AccountService, DatabaseAccountService
from server.services.audit import AuditLog
from server.services.audit_pruning import AuditPruner
from server.services.authentication import Authentication
from server.services.bearer import BearerTokens
from server.services.guesses import GuessesInFlight
from server.services.invites import InviteService
from server.services.logins import LoginThrottle
from server.services.mail import LogMailer, Mailer, SmtpMailer
from server.services.org_access_tokens import OrgAccessTokenService
from server.services.organizations import OrganizationService
from server.services.orphans import OrphanService
from server.services.pages import RepositoryPages
from server.services.passwords import Passwords
from server.services.permissions import Permissions
from server.services.pulls import PullCounter
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
from server.services.sharing import Sharing
from server.services.tags import TagService
from server.services.teams import TeamService
from server.services.tokens import SigningKeyCache, TokenService
from server.services.webhook_outbox import Outbox
from server.services.webhooks import WebhookService
from server.settings import Settings
from server.storage.database import Database, DatabaseSession
from server.storage.migrations import heads
from server.storage.threaded import SqliteReader, SqliteWriter
from server.webhooks.sealing import Sealer
from server.webhooks.worker import DeliveryRules, DeliveryWorker

T = TypeVar("T")

LARGE_ANSWERS = 4


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
            emails_per_account=settings.emails_per_account,
        )

    @cached_property
    def account_change_limits(self) -> AccountChangeLimits:
        settings = self._state.settings
        return AccountChangeLimits(
            self._session,
            per_address={
                "registration": settings.registrations_per_address,
                "email": settings.new_emails_per_address,
            },
            window=timedelta(seconds=settings.account_change_window_seconds),
            refusals=self._state.account_change_refusals,
        )

    def refuse_if_refused_lately(self, kind: Kind, address: str) -> None:
        """TooManyAccountChanges if ``address`` was refused ``kind`` lately and still would be
        (server.services.account_changes.RecentRefusals): from memory, no database."""
        self._state.account_change_refusals.check(kind, address)

    async def admit_account_change(self, kind: Kind, address: str) -> None:
        """Count a registration or a new address from ``address`` against its limit
        (TooManyAccountChanges past it), in a unit of work of its own, committed whatever
        becomes of the change. This unit's transaction is ended first: call it before anything
        in this unit writes. An address refused a moment ago is refused again at once."""
        self._state.account_change_refusals.check(kind, address)
        await self._session.rollback()
        async with self._state.unit_of_work(writes=True) as services:
            await services.account_change_limits.admit(kind, address)

    @cached_property
    def repositories(self) -> RepositoryService:
        return DatabaseRepositoryService(
            self._session,
            max_images=self._state.settings.max_images_per_repository,
            reader=self._state.sqlite_reader,
            writer=self._state.sqlite_writer,
            private_by_default=self._state.settings.default_privacy == "private",
        )

    @cached_property
    def pages(self) -> RepositoryPages:
        return RepositoryPages(self._session)

    def count_pull(self, repository: RepositoryName) -> None:
        """Count a pull of ``repository``, written with this process's next batch."""
        self._state.pulls.count(repository)

    @cached_property
    def webhooks(self) -> WebhookService:
        return WebhookService(self._session, self._state.sealer)

    @cached_property
    def invites(self) -> InviteService:
        return InviteService(self._session)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self._session, self._state.sealer)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self._session)

    async def audit_apart(
        self,
        account: str,
        action: str,
        *,
        actor: str,
        name: str = "",
        data: dict[str, str] | None = None,
    ) -> None:
        """An event that rides with no change of this unit (a sign-in, which only reads):
        written in a unit of its own, committed at once. This unit's transaction is ended
        first: call it after this unit's reads, never in a unit that writes."""
        await self._session.rollback()
        async with self._state.unit_of_work(writes=True) as services:
            await services.audit.record(account, action, actor=actor, name=name, data=data)

    def deliver_soon(self) -> None:
        """Wake this process's delivery worker (after a commit that queued deliveries)."""
        self._state.deliveries.wake()

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
    def permissions(self) -> Permissions:
        return Permissions(self._session)

    @cached_property
    def sharing(self) -> Sharing:
        return Sharing(self._session)

    @cached_property
    def tags(self) -> TagService:
        return TagService(self._session)

    @cached_property
    def orphans(self) -> OrphanService:
        return OrphanService(self._session)

    @cached_property
    def tokens(self) -> TokenService:
        keys, ttl = self._state.signing_key, self._state.settings.token_ttl_seconds
        return TokenService(self._session, keys, ttl)

    @cached_property
    def access_tokens(self) -> AccessTokenService:
        return AccessTokenService(self._session, self._state.signing_key)

    @cached_property
    def org_access_tokens(self) -> OrgAccessTokenService:
        return OrgAccessTokenService(self._session, self._state.signing_key)

    @cached_property
    def bearer(self) -> BearerTokens:
        keys, ttl = self._state.signing_key, self._state.settings.bearer_ttl_seconds
        return BearerTokens(self._session, keys, self.access_tokens, ttl)

    @cached_property
    def organizations(self) -> OrganizationService:
        return OrganizationService(self._session)

    @cached_property
    def teams(self) -> TeamService:
        return TeamService(self._session)

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
            access_tokens=self.access_tokens,
            org_access_tokens=self.org_access_tokens,
            bearer=self.bearer,
            logins=self.logins,
            guesses=state.guesses,
            passwords=state.passwords,
            cached=self.cached,
            unit_of_work=state.unit_of_work,
        )

    async def identify(
        self, credential: Credential | None, address: str, *, writes: bool = True
    ) -> Identity:
        """Who presented ``credential`` (see :meth:`Authentication.identify`). A token goes
        straight to the token service: it needs none of the logins' machinery, and the
        registry's checks are the index's hottest path."""
        if isinstance(credential, TokenCredential):
            return await self.tokens.verify(credential, cached=self.cached, writes=writes)
        return await self.authentication.identify(credential, address)

    async def cached(
        self,
        key: Hashable,
        compute: Callable[[], Awaitable[T]],
        *,
        keep: Callable[[T], bool] = lambda _value: True,
        decides: bool = False,
    ) -> T:
        """``compute()``, or what it gave an earlier request while the database has not
        changed since, as ``Database.change_counter`` tells (where it cannot, every call
        computes). ``compute`` must read nothing but the database, and every caller's answer
        must be the same. A value ``keep`` refuses (a large one) goes to the few entries of
        the state's cache of large answers instead. Requests asking for one key at once share
        one computation (30 clients pulling one long list cost one read).

        ``decides``: the value decides a write or an authentication. It is then kept only
        where the counter is read from the database at this moment (SQLite), never where
        another process's change may not have been announced yet (PostgreSQL):
        ``Database.decision_counter``.
        """
        state = self._state
        cache = state.read_cache
        counter = state.counter(decides=decides)
        if cache is None or counter is None:
            return await compute()
        # The counter first: see GenerationCache.
        found = cache.get(counter, key)
        if found is None:
            found = state.large_answers.get(counter, key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        flight = (counter, key)
        running = state.computing.get(flight)
        if running is not None:
            try:
                return await asyncio.shield(running)  # type: ignore[no-any-return]
            except asyncio.CancelledError:
                if not running.cancelled():
                    raise  # this request was cancelled
                return await compute()  # the other's computation failed: compute here
        # Computed in this task, not another: what runs inline (SQLite) must not yield.
        running = asyncio.get_running_loop().create_future()
        state.computing[flight] = running
        try:
            found = await compute()
        except BaseException:
            running.cancel()
            raise
        else:
            running.set_result(found)
        finally:
            state.computing.pop(flight, None)
        if keep(found):
            cache.put(counter, key, found)
        elif not decides:
            state.large_answers.put(counter, key, found)
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
            hashes_waiting=settings.password_hashes_waiting,
        )
        self.mailer: Mailer = (
            SmtpMailer(settings.smtp_url, settings.mail_from) if settings.smtp_url else LogMailer()
        )
        self.signing_key = SigningKeyCache()
        self._sealer: Sealer | None = None  # the secrets key, read by start()
        self.account_change_refusals = RecentRefusals()
        self.guesses = GuessesInFlight()
        entries = settings.search_cache_entries
        self.search_cache = SearchResultCache(entries) if entries else None
        self.sqlite_searcher = SqliteSearcher.for_url(settings.database_url)
        self.sqlite_reader = SqliteReader.for_url(settings.database_url)
        self.sqlite_writer = SqliteWriter.for_url(settings.database_url)
        self.read_cache: GenerationCache[Hashable, Any] | None = (
            GenerationCache(settings.read_cache_entries) if settings.read_cache_entries else None
        )
        # Answers the read cache will not keep (image lists of thousands): only a few, so that
        # its memory stays bounded (a few times the largest list the limit allows).
        self.large_answers: GenerationCache[Hashable, Any] = GenerationCache(LARGE_ANSWERS)
        self.computing: dict[tuple[int, Hashable], asyncio.Future[Any]] = {}
        self.deliveries = DeliveryWorker(
            self._outbox_unit,
            DeliveryRules(
                allow_private=settings.webhooks_allow_private_addresses,
                timeout_seconds=settings.webhooks_timeout_seconds,
                max_attempts=settings.webhooks_max_attempts,
                retry_cap_seconds=settings.webhooks_retry_max_seconds,
                disable_after=settings.webhooks_disable_after,
            ),
            single=make_url(settings.database_url).get_backend_name() == "sqlite",
        )
        self.pulls = PullCounter(lambda: self.unit_of_work(writes=True))
        self.audit_pruning = AuditPruner(self._audit_unit, settings.audit_retention_days)

    def counter(self, *, decides: bool) -> int | None:
        """The change counter the read cache keeps answers under (see Services.cached);
        None: nothing may be kept (no cache, or no counter that can be trusted here)."""
        if self.read_cache is None:
            return None
        database = self.database
        return database.decision_counter() if decides else database.change_counter()

    def kept(self, key: Hashable, *, decides: bool) -> Any | None:
        """What Services.cached keeps under ``key`` while the database has not changed since
        it was computed; None if nothing. Asks no unit of work (nor session) for it."""
        counter = self.counter(decides=decides)
        if counter is None or self.read_cache is None:
            return None
        return self.read_cache.get(counter, key)

    @asynccontextmanager
    async def unit_of_work(self, *, writes: bool) -> AsyncIterator[Services]:
        """Services over one transaction, committed when the block ends without error."""
        async with self.database.unit_of_work(writes=writes) as session:
            yield Services(self, session)

    def prepare_secrets(self) -> None:
        """Read the secrets key and check it against the database (SecretsKeyError if it does
        not fit): a serving process does it before it serves."""
        self._sealer = secrets_key.prepare(self.settings)

    @property
    def sealer(self) -> Sealer:
        """What seals and opens webhook secrets. A state not prepared (an operator's command, a
        test of the services) reads the key file when first needed, without the database's
        check: that may be asked inside a unit of work, which SQLite's lock would not let
        write the check."""
        if self._sealer is None:
            self._sealer = secrets_key.unchecked(self.settings)
        return self._sealer

    async def start(self) -> None:
        await self.database.start()

    @asynccontextmanager
    async def _outbox_unit(self, *, writes: bool = True) -> AsyncIterator[Outbox]:
        async with self.unit_of_work(writes=writes) as services:
            yield services.outbox

    @asynccontextmanager
    async def _audit_unit(self) -> AsyncIterator[AuditLog]:
        async with self.unit_of_work(writes=True) as services:
            yield services.audit

    async def close(self) -> None:
        await self.audit_pruning.close()
        await self.deliveries.close()
        await self.pulls.close()
        if self.sqlite_searcher is not None:
            self.sqlite_searcher.close()
        if self.sqlite_reader is not None:
            self.sqlite_reader.close()
        if self.sqlite_writer is not None:
            self.sqlite_writer.close()
        self.passwords.close()
        await self.database.dispose()
