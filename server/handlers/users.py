"""``users.*``: registration, login, email confirmation, account changes."""

from urllib.parse import urlencode

from generated import models
from server.auth import Account, OrgToken, authorize_account
from server.errors import AuthenticationFailed, UserExists
from server.handlers._audit import signed_in
from server.handlers.call import BodyRules, Call, Reply
from server.services.accounts import Confirmation

# Compiled when the app is built (it imports this module), not at the first registration.
_NEW_ACCOUNT = BodyRules(models.RegistrationRules)


async def register(call: Call, *, body: models.Registration) -> models.UserCreated:
    accounts = call.services.accounts
    # `docker login` registers first and logs in only on this exact answer, so it comes
    # before any rule is judged: its prompt sends "email": "" for an existing account, and a
    # mistyped password may be short.
    if await accounts.taken(body.username, body.email):
        raise UserExists()
    # What follows costs the index an argon2 hash: a flood of it is refused before the rules
    # are judged and before anything is counted or written. An address refused lately is
    # refused again from memory; then a place among the hashes is kept for this one (waiting
    # up to a second for it: the refusals of a flood come no faster than that).
    call.services.refuse_if_refused_lately("registration", call.address)
    async with accounts.hashing_place() as place:
        fields = {"username": body.username, "password": body.password.get_secret_value()}
        new = _NEW_ACCOUNT.parse({**fields, "email": body.email})
        # Only now, with nothing of it taken and every field good, is it counted: an existing
        # account's `docker login` is never refused by the registration limit.
        await call.services.admit_account_change("registration", call.address)
        confirmation = await accounts.register(
            new.username, new.password.get_secret_value(), str(new.email), place
        )
    _mail_after_commit(call, confirmation)
    return models.UserCreated("User Created")


async def login(call: Call) -> models.Ok:
    # An organization access token signs in as its organization (`docker login -u ORG`).
    if not isinstance(call.identity, Account | OrgToken):
        raise AuthenticationFailed("authentication required")
    await signed_in(call, call.identity, "v1")
    return models.Ok("OK")


async def confirm(call: Call, *, code: str) -> models.EmailConfirmed:
    await call.services.accounts.confirm(code)
    return models.EmailConfirmed("Email confirmed")


async def update(call: Call, *, username: str, body: models.UserUpdate) -> Reply:
    authorize_account(call.identity, username)
    if body.email is not None:
        await call.services.admit_account_change("email", call.address)
    confirmation = await call.services.accounts.update(
        username,
        email=None if body.email is None else str(body.email),
        password=None if body.password is None else body.password.get_secret_value(),
    )
    owner = isinstance(call.identity, Account) and call.identity.username == username
    if body.password is not None and owner:  # an administrator's address is not the owner's
        await call.services.logins.keep_known(username, call.address)
    _mail_after_commit(call, confirmation)
    return Reply(204)


def _mail_after_commit(call: Call, confirmation: Confirmation | None) -> None:
    """The link comes from configuration, never from the request's ``Host``, which the client
    chose: without HUBINDEX_PUBLIC_URL (allowed only when no SMTP server is configured, and the
    link goes to the operator's log) it is the path alone, for the operator to open on the
    index."""
    if confirmation is None:
        return
    base = str(call.settings.public_url or "").rstrip("/")
    link = f"{base}/v1/users/confirm?{urlencode({'code': confirmation.code})}"
    mailer = call.services.mailer
    call.after_commit(lambda: mailer.send_confirmation(confirmation.address, link))
