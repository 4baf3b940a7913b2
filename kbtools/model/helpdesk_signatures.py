"""How helpdesks sign the webhooks they send, checked on receipt (kb's own scheme is `kbtools.model.signatures`).

- Zendesk: `X-Zendesk-Webhook-Signature` is base64(HMAC-SHA256(secret, timestamp + body)) and
  `X-Zendesk-Webhook-Signature-Timestamp` the timestamp signed (ISO 8601, e.g. 2026-11-20T09:30:00Z; Unix
  seconds are read too). The timestamp is signed, so the same window as kb's refuses old ones.
- Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret, body)>`. Nothing outside the body is signed
  and there is no timestamp header: replay protection rests on the notification's own id and `created_at`,
  which are inside the signed body (see `kbtools/service/inbound/intercom.py`).

Each function returns what replay protection needs and raises `SignatureError` otherwise, as `verify` does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from kbtools.model.signatures import DEFAULT_TOLERANCE_SECONDS, SignatureError

ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
INTERCOM_SIGNATURE = "X-Hub-Signature"


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """What Zendesk sends in X-Zendesk-Webhook-Signature for `body` signed at `timestamp` (as sent)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _unix_time(timestamp: str) -> float:
    if timestamp.isascii() and timestamp.isdigit():
        return float(timestamp)
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise SignatureError(f"malformed {ZENDESK_TIMESTAMP} header: expected an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise SignatureError(f"malformed {ZENDESK_TIMESTAMP} header: the time has no time zone")
    return moment.timestamp()


def verify_zendesk(
    secrets: Iterable[str],
    signature: str | None,
    timestamp: str | None,
    body: bytes,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> str:
    """The signed timestamp (as sent), when Zendesk's headers sign `body` with one of `secrets` within
    `tolerance` seconds of `now`; SignatureError otherwise."""
    if not signature or not timestamp:
        raise SignatureError(f"missing {ZENDESK_SIGNATURE} or {ZENDESK_TIMESTAMP} header")
    if abs(now - _unix_time(timestamp)) > tolerance:
        raise SignatureError(f"timestamp outside the {tolerance}-second window (a replay, or a clock off)")
    expected = [zendesk_signature(secret, timestamp, body).encode() for secret in secrets]
    if not any(hmac.compare_digest(signature.strip().encode(), known) for known in expected):
        raise SignatureError("signature does not match the body and the shared secret")
    return timestamp


def intercom_signature(secret: str, body: bytes) -> str:
    """What Intercom sends in X-Hub-Signature for `body`."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def verify_intercom(secrets: Iterable[str], signature: str | None, body: bytes) -> None:
    """Nothing, when X-Hub-Signature signs `body` with one of `secrets` (the app's client secret);
    SignatureError otherwise. There is no timestamp to check: see the module's note on replays."""
    if not signature:
        raise SignatureError(f"missing {INTERCOM_SIGNATURE} header")
    if not signature.startswith("sha1="):
        raise SignatureError(f"malformed {INTERCOM_SIGNATURE} header: expected sha1=<hex>")
    expected = [intercom_signature(secret, body).encode() for secret in secrets]
    if not any(hmac.compare_digest(signature.strip().encode(), known) for known in expected):
        raise SignatureError("signature does not match the body and the shared secret")
