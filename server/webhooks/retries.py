"""When a failed delivery is tried again: exponential backoff with jitter.

The schedule lives in the outbox (``webhook_deliveries.next_attempt_at``), not in a process:
a retry library (tenacity, stamina) retries a call within one process and forgets it when the
process dies, while a delivery must survive a crash and may be retried by another process. So
this computes the next time and the database keeps it.
"""

import random
from datetime import timedelta

BASE_SECONDS = 1.0


def delay(failed_attempts: int, *, cap_seconds: float) -> timedelta:
    """The wait after the ``failed_attempts``-th failure in a row (1, 2, ...): doubled each
    time from BASE_SECONDS up to ``cap_seconds``, then between half of it and all of it
    ("equal jitter"), so that deliveries that failed together do not all come back at once."""
    exponent = min(max(failed_attempts, 1) - 1, 62)
    ceiling = min(cap_seconds, BASE_SECONDS * 2.0**exponent)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311 (no secret)
