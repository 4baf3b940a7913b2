"""Webhook signatures, both ways: the webhooks kb sends to a helpdesk and the ones it receives from it.

A signed request carries `X-KB-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC keyed with the
shared secret over `<t>.` followed by the raw body. The timestamp is inside the signed text, so a receiver
that refuses old timestamps refuses replays of a captured request; more than one `v1=` is allowed, so a
secret can be rotated without downtime (the sender signs with both for a while).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

SIGNATURE_HEADER = "X-KB-Signature"
# How far a signed timestamp may be from the receiver's clock, either way, before the request is refused
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """Why a request's signature is refused, in words an operator can act on."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` keyed with `secret`."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secrets: Iterable[str], timestamp: int, body: bytes) -> str:
    """The `X-KB-Signature` value for `body` sent at `timestamp`, signed with every secret given."""
    signed = [f"v1={signature(secret, timestamp, body)}" for secret in secrets]
    if not signed:
        raise ValueError("no secret to sign with")
    return ",".join([f"t={timestamp}", *signed])


def verify(
    secrets: Iterable[str],
    header: str | None,
    body: bytes,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """The signed timestamp, when `header` signs `body` with one of `secrets` within `tolerance` seconds of
    `now`; SignatureError otherwise."""
    if not header:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    timestamps: list[str] = []
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            candidates.append(value)
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not candidates:
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header: expected t=<unix seconds>,v1=<hex>")
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"timestamp outside the {tolerance}-second window (a replay, or a clock off)")
    expected = [signature(secret, timestamp, body).encode() for secret in secrets]
    if not any(hmac.compare_digest(candidate.encode(), known) for candidate in candidates for known in expected):
        raise SignatureError("signature does not match the body and the shared secret")
    return timestamp
