"""Tokens expire: every step that takes a token refuses an expired one (one short wait)."""

import time
from collections.abc import Callable

import httpx

from tests.functional.support import as_user, image_id, with_token
from tests.harness import Index
from tests.protocol import steps
from tests.protocol.world import World

# Two seconds, not one: a lifetime rounded down to whole seconds still leaves the fresh checks
# below more than a second.
TTL_SECONDS = 2
# (step, access of the token) -> status once the token expired.
EXPIRED = [
    ("registry checks by listing", "read", 401),
    ("registry checks by listing", "write", 401),
    ("registry checks at auth", "read", 401),
    ("registry checks at auth", "write", 401),
    ("finish push", "write", 401),
    ("start pull", "read", 401),
]
Step = Callable[[Index, str, dict[str, str]], httpx.Response]
STEPS: dict[str, Step] = {
    "registry checks by listing": steps.registry_checks,
    "registry checks at auth": steps.registry_authorizes,
    "finish push": lambda index, path, headers: steps.finish_push(
        index, path, headers, [{"id": image_id()}]
    ),
    "start pull": steps.start_pull,
}


def test_every_step_refuses_an_expired_token(make_index: Callable[..., Index]):
    world = World(make_index(token_ttl_seconds=TTL_SECONDS))
    path = world.path("alice/repo")
    tokens = {access: world.token("alice/repo", access) for access in ("read", "write")}
    for token in tokens.values():  # they work while they are fresh
        assert steps.registry_checks(world.index, path, with_token(token)).status_code == 200

    time.sleep(TTL_SECONDS + 1.1)  # past the lifetime, even if it is rounded up to a second

    outcomes = {
        (step, access): STEPS[step](world.index, path, with_token(tokens[access]))
        for step, access, _ in EXPIRED
    }
    assert {key: response.status_code for key, response in outcomes.items()} == {
        (step, access): status for step, access, status in EXPIRED
    }
    for response in outcomes.values():
        steps.assert_outcome(response, response.status_code)
    renewed = steps.start_push(world.index, path, as_user(world.alice), [])
    token = steps.assert_token(renewed, path, "write")
    assert steps.registry_checks(world.index, path, with_token(token)).status_code == 200
