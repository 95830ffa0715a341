"""The delivery worker each serving process runs beside its requests.

It takes due deliveries from the outbox under a lease (server.services.webhook_outbox), sends
each signed, to an address checked at that moment, and records the outcome: delivered on a
2xx, else tried again later (server.webhooks.retries) until the attempts run out; a hook whose
deliveries are given up too often in a row is disabled. It wakes when its own process commits
a delivery, and otherwise looks every POLL_SECONDS (for other processes' deliveries, and for
retries that have come due).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from server.services.webhook_outbox import DELIVERED, FAILED, PENDING, Outbox, Taken
from server.version import VERSION
from server.webhooks import addresses, retries, signing

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
BATCH = 16  # deliveries taken, and sent at once, per round
BREATH_SECONDS = 0.02  # between two full rounds
USER_AGENT = f"hubindex-webhooks/{VERSION}"


@dataclass(frozen=True, slots=True)
class DeliveryRules:
    allow_private: bool
    timeout_seconds: float
    max_attempts: int
    retry_cap_seconds: float
    disable_after: int

    @property
    def lease(self) -> timedelta:
        """How long a taken delivery is held: longer than an attempt can take (its address
        resolved, then connected, sent and answered, each within the timeout)."""
        return timedelta(seconds=max(30.0, 4 * self.timeout_seconds))


@dataclass(frozen=True, slots=True)
class Attempt:
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


# A unit of work over the outbox (``writes``: a writing one, the default).
UnitOfWork = Callable[..., AbstractAsyncContextManager[Outbox]]


class DeliveryWorker:
    def __init__(self, unit_of_work: UnitOfWork, rules: DeliveryRules, *, single: bool) -> None:
        """``single``: the only process of its database (SQLite), which may release at start
        every lease an earlier run left."""
        self._unit_of_work = unit_of_work
        self._rules = rules
        self._single = single
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        if self._task is not None:
            return
        self._client = httpx.AsyncClient(
            timeout=self._rules.timeout_seconds,
            follow_redirects=False,  # a redirect could lead anywhere, a private address too
            trust_env=False,  # never through a proxy of the environment
            headers={"User-Agent": USER_AGENT},
        )
        self._task = asyncio.create_task(self._run(), name="hubindex webhook deliveries")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        if self._single:
            with contextlib.suppress(Exception):
                async with self._unit_of_work() as outbox:
                    await outbox.release_all()
        while True:
            try:
                busy = await self.round()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("webhook deliveries: a round failed; trying again shortly")
                busy = False
            if busy:  # more may be due at once: after a breath, for the write lock's others
                await asyncio.sleep(BREATH_SECONDS)
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()

    async def round(self) -> bool:
        """Take what is due, send it, record the outcomes; whether a full batch was taken.

        A look that only reads comes first, so that an idle worker writes nothing; the
        outcomes of a round are recorded in one transaction: on SQLite each writing
        transaction holds the one write lock, which requests and commands wait for."""
        async with self._unit_of_work(writes=False) as outbox:
            if not await outbox.any_due():
                return False
        async with self._unit_of_work() as outbox:
            lease, taken = await outbox.take(BATCH, self._rules.lease)
        if not taken:
            return False
        attempts = await asyncio.gather(*(self.send(delivery) for delivery in taken))
        async with self._unit_of_work() as outbox:
            for delivery, attempt in zip(taken, attempts, strict=True):
                await self._record(outbox, delivery, lease, attempt)
        return len(taken) == BATCH

    async def _record(self, outbox: Outbox, delivery: Taken, lease: str, attempt: Attempt) -> None:
        rules = self._rules
        retry_at = None
        if attempt.delivered:
            outcome = DELIVERED
        elif delivery.attempts < rules.max_attempts:
            outcome = PENDING
            wait = retries.delay(delivery.attempts, cap_seconds=rules.retry_cap_seconds)
            retry_at = datetime.now(UTC) + wait
        else:
            outcome = FAILED
        recorded = await outbox.finish(
            delivery,
            lease,
            outcome=outcome,
            status=attempt.status,
            error=attempt.error,
            retry_at=retry_at,
        )
        if not recorded or delivery.hook_id is None or delivery.event == "test":
            return
        if outcome == DELIVERED:
            await outbox.hook_succeeded(delivery.hook_id)
        elif outcome == FAILED:
            disabled = await outbox.hook_gave_up(
                delivery.hook_id, disable_after=rules.disable_after
            )
            if disabled:
                hook = delivery.hook_id
                logger.warning("webhook hook %s disabled: its deliveries kept failing", hook)

    async def send(self, delivery: Taken) -> Attempt:
        """One attempt: the address checked as resolved now, then a signed POST to it."""
        assert self._client is not None
        if delivery.secret is None:
            return Attempt(None, "its secret is sealed with a key this process's key file lacks")
        body = delivery.payload.encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            signing.TIMESTAMP: str(timestamp),
            signing.SIGNATURE: signing.signature(delivery.secret, timestamp, body),
            signing.DELIVERY: str(delivery.id),
            signing.EVENT: delivery.event,
        }
        try:
            target = addresses.parse(delivery.url)
            found = await addresses.allowed(target, allow_private=self._rules.allow_private)
        except addresses.RefusedAddress as refused:
            return Attempt(None, str(refused))
        url, extensions = _pinned(target, found[0])
        headers["Host"] = target.url.netloc.rpartition("@")[2]
        try:
            async with self._client.stream(
                "POST", url, content=body, headers=headers, extensions=extensions
            ) as response:
                await _drain(response.aiter_raw())
                status = response.status_code
        except httpx.HTTPError as error:
            return Attempt(None, f"{type(error).__name__}: {error}".rstrip(": ")[:255])
        return Attempt(status, None if 200 <= status < 300 else f"answered {status}")


def _pinned(target: addresses.Target, address: Any) -> tuple[str, dict[str, Any]]:
    """The URL with its host replaced by the address checked (so that no second lookup can
    answer another), and the TLS server name the certificate is checked against."""
    host = f"[{address}]" if address.version == 6 else str(address)
    userinfo, at, _ = target.url.netloc.rpartition("@")
    parts = target.url._replace(netloc=f"{userinfo}{at}{host}:{target.port}")
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    return parts.geturl(), extensions


_MOST_BYTES_READ = 64 * 1024


async def _drain(chunks: AsyncIterator[bytes]) -> None:
    """Read a little of the answer (its status is what counts), never all of a large one."""
    read = 0
    async for chunk in chunks:
        read += len(chunk)
        if read >= _MOST_BYTES_READ:
            break
