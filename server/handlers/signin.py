"""``signin.*``: signing in to the management API, for a signed token (a JWT)."""

from generated import models
from server.auth import Account
from server.errors import AuthenticationFailed
from server.handlers._audit import signed_in
from server.handlers.call import Call
from server.http.credentials import BasicCredential


async def login(call: Call, *, body: models.SignIn) -> models.SignedIn:
    token = await _sign_in(call, body.username, body.password.get_secret_value())
    return models.SignedIn(token=token)


async def token(call: Call, *, body: models.TokenRequest) -> models.TokenGranted:
    token = await _sign_in(call, body.identifier, body.secret.get_secret_value())
    return models.TokenGranted(access_token=token)


async def _sign_in(call: Call, username: str, secret: str) -> str:
    """The password (or access token) checked as a v1 call's Basic credentials are, under the
    same login limits; then a token for whoever it proved to be."""
    services = call.services
    identity = await services.identify(BasicCredential(username, secret), call.address)
    if not isinstance(identity, Account):  # identify answers an account for a password
        raise AuthenticationFailed("wrong username or password")
    token = await services.bearer.issue(identity)
    await signed_in(call, identity, "v2")
    return token
