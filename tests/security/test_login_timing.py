"""A failed login takes as long for an unknown user as for a known one with a wrong password.

Otherwise the time of a 401 tells which usernames exist. The server runs with its default,
strong argon2id parameters, so a password check costs tens of milliseconds: an unknown user
that is answered at once (not checked against a dummy hash) stands out.
"""

import statistics
import time
from collections.abc import Callable

from tests.harness import Index, new_account
from tests.security.helpers import assert_error, basic

ROUNDS = 7
STRONG_ARGON2 = {"argon2_time_cost": 3, "argon2_memory_kib": 65536, "argon2_parallelism": 4}


def _timed_login(index: Index, username: str, password: str) -> float:
    started = time.perf_counter()
    response = index.client.get("/v1/users/", headers=basic(username, password))
    elapsed = time.perf_counter() - started
    assert_error(response, 401)
    return elapsed


def test_unknown_users_take_as_long_as_wrong_passwords(make_index: Callable[..., Index]):
    index = make_index(email_confirmation="off", **STRONG_ARGON2)
    known = index.account()
    strangers = [new_account() for _ in range(ROUNDS + 1)]
    # Warm up both paths (connections, caches), then alternate so that drift hits both alike.
    _timed_login(index, strangers[0].username, strangers[0].password)
    _timed_login(index, known.username, known.password + "-warm-up")
    unknown, wrong = [], []
    for round_, stranger in enumerate(strangers[1:]):
        unknown.append(_timed_login(index, stranger.username, stranger.password))
        wrong.append(_timed_login(index, known.username, f"{known.password}-wrong-{round_}"))

    unknown_median, wrong_median = statistics.median(unknown), statistics.median(wrong)
    timings = (
        f"unknown user {unknown_median * 1000:.0f} ms, wrong password {wrong_median * 1000:.0f} ms"
    )
    assert unknown_median >= 0.05, f"an unknown user is answered without hashing: {timings}"
    assert wrong_median >= 0.05, f"a wrong password is answered without hashing: {timings}"
    assert 0.5 <= unknown_median / wrong_median <= 2, timings
