"""How a delivery is signed, and how a receiver checks it (docs/webhooks.md).

The signature is HMAC-SHA256, keyed by the hook's secret, over ``TIMESTAMP.BODY``: the
timestamp (Unix seconds, sent in ``X-Hubindex-Timestamp``) is inside what is signed, so a
receiver that refuses old timestamps refuses a delivery replayed later.
"""

import hashlib
import hmac
import secrets

SECRET_PREFIX = "hbi_whsec_"  # noqa: S105 (a prefix, no secret)
TIMESTAMP = "X-Hubindex-Timestamp"
SIGNATURE = "X-Hubindex-Signature"
DELIVERY = "X-Hubindex-Delivery"
EVENT = "X-Hubindex-Event"
# How far from its own clock a receiver should accept a timestamp (the documented check).
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(
    secret: str, timestamp: str, signed: str, body: bytes, *, now: float, tolerance: int = 300
) -> bool:
    """The receiver's check: the signature matches and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body), signed)
