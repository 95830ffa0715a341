"""``profiles.*``: users as Docker Hub's older ``/v2/users/{username}/`` and ``/v2/user/`` show
them (server.services.accounts)."""

from generated import models
from server.auth import Account
from server.errors import AuthenticationFailed
from server.handlers.call import Call
from server.services.accounts import Profile


async def get(call: Call, *, username: str) -> models.UserProfile:
    return _model(await call.services.accounts.profile(username))


async def me(call: Call) -> models.UserProfile:
    identity = call.identity
    if not isinstance(identity, Account):
        raise AuthenticationFailed("authentication required")
    return _model(await call.services.accounts.profile(identity.username))


def _model(profile: Profile) -> models.UserProfile:
    return models.UserProfile(
        id=str(profile.user_id),
        username=profile.username,
        full_name="",
        location="",
        company="",
        gravatar_email="",
        gravatar_url="",
        profile_url="",
        date_joined=profile.joined,
        type="User",
    )
