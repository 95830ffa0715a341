"""Accounts: registration, email confirmation, login, changes."""

import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import (
    ColumnElement,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from server.auth import LIBRARY
from server.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    UserExists,
)
from server.services.access_tokens import aware
from server.services.organizations import last_owned
from server.services.passwords import HashPlace, Passwords
from server.storage.database import DatabaseSession
from server.storage.prepared import plain_read, prepared
from server.storage.tables import Email, EmailConfirmation, Namespace, Repository, User

RESERVED_USERNAMES = frozenset({LIBRARY})

_users = User.__table__
_emails = Email.__table__
_namespaces = Namespace.__table__
_confirmations = EmailConfirmation.__table__
# Whether an address counts (as _counts, at :now): confirmed, or its code not expired yet.
_address_counts = or_(
    _emails.c.confirmed,
    exists().where(
        _confirmations.c.email_id == _emails.c.id,
        _confirmations.c.expires_at > bindparam("now"),
    ),
)
# Whether a username or an address that counts is an account's. Every registration asks it
# first, those a flood sends in vain too: a prepared statement, not an ORM query built, keyed
# and compiled anew each time (about half the loop's time of a refused registration).
_TAKEN = plain_read(
    prepared(
        select(literal(1)).where(
            or_(
                # A name is taken by a user or an organization alike (migration 0012).
                exists().where(_namespaces.c.name == bindparam("username")),
                exists().where(_users.c.username == bindparam("username")),
                exists().where(_emails.c.address == bindparam("email"), _address_counts),
            )
        )
    )
)
# A new account's rows, in Core: the ORM's unit of work cost more of the loop than the rest of
# a registration's statements together.
_FORGET_EXPIRED = prepared(
    delete(_emails).where(_emails.c.address == bindparam("address"), not_(_address_counts))
)
_ADD_USER = insert(_users).returning(_users.c.id)
_ADD_EMAIL = insert(_emails).returning(_emails.c.id)
_ADD_NAMESPACE = insert(_namespaces)
_ADD_CONFIRMATION = insert(_confirmations)


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """An account as an operator sees it."""

    username: str
    active: bool
    admin: bool
    created_at: datetime
    emails: tuple[tuple[str, bool], ...]  # (address, confirmed), oldest first
    repositories: int


@dataclass(frozen=True, slots=True)
class Profile:
    """What anyone may see of an active account."""

    user_id: int
    username: str
    joined: datetime


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A code to mail to ``address``; it confirms the address and activates its account."""

    address: str
    code: str


class AccountService(Protocol):
    async def taken(self, username: str, email: str) -> bool:
        """Whether an account has this username, or this email address (in any case)."""

    def hashing_place(self) -> AbstractAsyncContextManager[HashPlace]:
        """A place among the password hashes for a new account (Passwords.place: waiting up to
        a second for one, else Overloaded), given back unless ``register`` used it. This
        unit's transaction is ended first (nothing is held while waiting): take it before
        anything is counted or written, so that a flood past the hashes' bound is refused for
        the price of the lookup alone."""

    async def register(
        self, username: str, password: str, email: str, place: HashPlace | None = None
    ) -> Confirmation | None:
        """Create an account; the confirmation to mail, or None when none is required.

        What the unit of work did before (a lookup) is rolled back first: the password is
        hashed outside any transaction."""

    async def confirm(self, code: str) -> None:
        """Confirm the address a code was mailed to and activate its account."""

    async def update(
        self, username: str, *, email: str | None, password: str | None
    ) -> Confirmation | None:
        """Add an address and/or replace the password; the confirmation for a new address.

        With a password, what the unit of work did before is rolled back first (the password
        is hashed outside any transaction): call it before anything in the unit writes."""

    async def create(self, username: str, email: str, password: str, *, admin: bool) -> None:
        """Create an active account (an operator's command)."""

    async def _forget_expired(self, email: str) -> None:
        """An unconfirmed address whose code has expired belongs to no one any more: its row
        goes, so that the address can be registered or added again."""
        await self._session.execute(
            delete(Email).where(Email.address == email.lower(), not_(_counts()))
        )

    async def activate(self, username: str) -> None:
        """Activate an account without a mailed code (an operator's command)."""

    async def summaries(self, username: str | None = None) -> list[AccountSummary]:
        """Every account by name, or the one named (an operator's command)."""

    async def profile(self, username: str) -> Profile:
        """An active account's profile; any other name is not found."""

    async def set_active(self, username: str, active: bool) -> None:
        """Enable or disable an account: a disabled one's logins and tokens are refused."""

    async def set_password(self, username: str, password: str) -> None:
        """Replace an account's password (an operator's command)."""

    async def delete(self, username: str) -> None:
        """Delete an account that owns no repositories (an operator's command)."""


class DatabaseAccountService:
    def __init__(
        self,
        session: DatabaseSession,
        passwords: Passwords,
        *,
        confirmation_required: bool,
        confirmation_ttl: timedelta,
        emails_per_account: int = 0,
    ) -> None:
        self._session = session
        self._passwords = passwords
        self._confirmation_required = confirmation_required
        self._confirmation_ttl = confirmation_ttl
        self._emails_per_account = emails_per_account

    async def taken(self, username: str, email: str) -> bool:
        # Any text may be looked up, but PostgreSQL refuses a NUL in a query's text: a value
        # that holds one is no account's (the rules of a registration refuse it), nor is "".
        values = {
            "username": "" if "\x00" in username else username,
            "email": "" if "\x00" in email else email.lower(),
            "now": datetime.now(UTC),
        }
        if not (values["username"] or values["email"]):
            return False
        found = (await self._session.execute(_TAKEN, values)).first()
        return found is not None

    @asynccontextmanager
    async def hashing_place(self) -> AsyncIterator[HashPlace]:
        await self._session.rollback()
        place = await self._passwords.place()
        try:
            yield place
        finally:
            self._passwords.give_back(place)

    async def register(
        self, username: str, password: str, email: str, place: HashPlace | None = None
    ) -> Confirmation | None:
        if username in RESERVED_USERNAMES:
            raise InvalidRequest(f"username: {username!r} is reserved")
        # On SQLite a writing unit's first statement (the lookup) took the write lock, which
        # must not be held while argon2 runs: that transaction ends, the insert begins its own.
        # A registration of the same name in between is still refused, by the unique index.
        await self._session.rollback()
        user = await self._add_user(
            username,
            email,
            password,
            active=not self._confirmation_required,
            admin=False,
            place=place,
        )
        if not self._confirmation_required:
            return None
        return await self._new_confirmation(*user)

    async def create(self, username: str, email: str, password: str, *, admin: bool) -> None:
        await self._add_user(username, email, password, active=True, admin=admin)

    async def _add_user(
        self,
        username: str,
        email: str,
        password: str,
        *,
        active: bool,
        admin: bool,
        place: HashPlace | None = None,
    ) -> tuple[int, str]:
        """The new account's address: its id and its text."""
        password_hash = await self._passwords.hash(password, place)
        await self._forget_expired(email)
        address = email.lower()
        user = {
            "username": username,
            "password_hash": password_hash,
            "is_active": active,
            "is_admin": admin,
        }
        try:
            user_id = (await self._session.execute(_ADD_USER, user)).scalar_one()
            # The name's own row: its key refuses a name an organization holds, too.
            named = {"name": username, "user_id": user_id, "organization_id": None}
            await self._session.execute(_ADD_NAMESPACE, named)
            added = {"user_id": user_id, "address": address, "confirmed": active}
            email_id = (await self._session.execute(_ADD_EMAIL, added)).scalar_one()
        except IntegrityError:
            raise UserExists() from None
        return email_id, address

    async def _new_confirmation(self, email_id: int, address: str) -> Confirmation:
        code = secrets.token_urlsafe(32)
        expires_at = datetime.now(UTC) + self._confirmation_ttl
        confirmation = {"code_hash": _digest(code), "email_id": email_id, "expires_at": expires_at}
        await self._session.execute(_ADD_CONFIRMATION, confirmation)
        return Confirmation(address, code)

    async def confirm(self, code: str) -> None:
        # Deleting the row is what makes the code single-use, also under concurrent clicks.
        email_id = await self._session.scalar(
            delete(EmailConfirmation)
            .where(
                EmailConfirmation.code_hash == _digest(code),
                EmailConfirmation.expires_at > datetime.now(UTC),
            )
            .returning(EmailConfirmation.email_id)
        )
        if email_id is None:
            raise NotFound("the confirmation code is unknown, used or expired")
        email = await self._session.get_one(Email, email_id)
        email.confirmed = True
        await self._session.execute(
            update(User).where(User.id == email.user_id).values(is_active=True)
        )

    async def update(
        self, username: str, *, email: str | None, password: str | None
    ) -> Confirmation | None:
        password_hash = None
        if password is not None:
            # No transaction may stay open while argon2 runs (~0.2 s): on SQLite a writing
            # unit's first statement takes the database's write lock. This unit has only read
            # (the caller's login) so far: that transaction ends, and the change begins its own.
            await self._session.rollback()
            password_hash = await self._passwords.hash(password)
        # Locked (PostgreSQL; SQLite's writers take turns anyway): concurrent additions to
        # one account count its addresses one after the other.
        user = await self._session.scalar(
            select(User).where(User.username == username).with_for_update()
        )
        if user is None:
            raise NotFound(f"user {username} not found")
        if password_hash is not None:
            user.password_hash = password_hash
        if email is None:
            await self._session.flush()
            return None
        await self._forget_expired(email)
        if self._emails_per_account:
            held = await self._session.scalar(
                select(func.count()).select_from(Email).where(Email.user_id == user.id, _counts())
            )
            if held >= self._emails_per_account:
                raise Conflict(
                    f"email: an account may have {self._emails_per_account} addresses at most"
                )
        address = Email(user_id=user.id, address=email.lower(), confirmed=False)
        self._session.add(address)
        try:
            await self._session.flush()
        except IntegrityError:
            raise Conflict("email: that address belongs to an account already") from None
        return await self._new_confirmation(address.id, address.address)

    async def _forget_expired(self, email: str) -> None:
        """An unconfirmed address whose code has expired belongs to no one any more: its row
        goes, so that the address can be registered or added again."""
        await self._session.execute(
            _FORGET_EXPIRED, {"address": email.lower(), "now": datetime.now(UTC)}
        )

    async def activate(self, username: str) -> None:
        await self.set_active(username, True)

    async def summaries(self, username: str | None = None) -> list[AccountSummary]:
        owned = (
            select(func.count())
            .where(Repository.namespace == User.username)
            .correlate(User)
            .scalar_subquery()
        )
        query = select(User, owned).order_by(User.username)
        if username is not None:
            query = query.where(User.username == username)
        rows = (await self._session.execute(query)).all()
        if username is not None and not rows:
            raise NotFound(f"user {username} not found")
        addresses: dict[int, list[tuple[str, bool]]] = {}
        ids = [user.id for user, _ in rows]
        emails = await self._session.execute(
            select(Email.user_id, Email.address, Email.confirmed)
            .where(Email.user_id.in_(ids))
            .order_by(Email.id)
        )
        for user_id, address, confirmed in emails:
            addresses.setdefault(user_id, []).append((address, confirmed))
        return [
            AccountSummary(
                user.username,
                user.is_active,
                user.is_admin,
                user.created_at,
                tuple(addresses.get(user.id, ())),
                repositories,
            )
            for user, repositories in rows
        ]

    async def profile(self, username: str) -> Profile:
        found = await self._session.execute(
            select(User.id, User.username, User.created_at).where(
                User.username == username, User.is_active
            )
        )
        row = found.one_or_none()
        if row is None:
            raise NotFound(f"user {username} not found")
        user_id, name, joined = row
        return Profile(user_id, name, aware(joined))

    async def set_active(self, username: str, active: bool) -> None:
        changed = await self._session.execute(
            update(User).where(User.username == username).values(is_active=active)
        )
        if changed.rowcount == 0:
            raise NotFound(f"user {username} not found")

    async def set_password(self, username: str, password: str) -> None:
        await self._session.rollback()  # no transaction open while argon2 runs
        password_hash = await self._passwords.hash(password)
        changed = await self._session.execute(
            update(User).where(User.username == username).values(password_hash=password_hash)
        )
        if changed.rowcount == 0:
            raise NotFound(f"user {username} not found")

    async def delete(self, username: str) -> None:
        # A name freed while repositories remain under it would hand them to whoever
        # registers it next.
        owned = await self._session.scalar(
            select(func.count()).where(Repository.namespace == username)
        )
        if owned:
            raise Conflict(
                f"user {username} owns {owned} repositories: delete them first, or disable"
                " the account instead"
            )
        user_id = await self._session.scalar(select(User.id).where(User.username == username))
        last = await last_owned(self._session, user_id) if user_id is not None else []
        if last:
            raise Conflict(
                f"user {username} is the last owner of {', '.join(last)}: make another member"
                " an owner, or delete the organization, first"
            )
        deleted = await self._session.execute(delete(User).where(User.username == username))
        if deleted.rowcount == 0:
            raise NotFound(f"user {username} not found")


def _counts() -> ColumnElement[bool]:
    """Whether an address (of ``Email``) counts: confirmed, or its code not expired yet."""
    valid_code = (
        select(EmailConfirmation.email_id)
        .where(
            EmailConfirmation.email_id == Email.id,
            EmailConfirmation.expires_at > datetime.now(UTC),
        )
        .exists()
    )
    return or_(Email.confirmed, valid_code)


def _digest(code: str) -> bytes:
    return hashlib.sha256(code.encode()).digest()
