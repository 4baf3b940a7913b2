"""Helpdesks' own webhook signatures (kbtools.model.helpdesk_signatures): Zendesk's base64 HMAC-SHA256 over timestamp +
body, Intercom's X-Hub-Signature sha1 over the body; what a receiver accepts and refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from kbtools.model.helpdesk_signatures import intercom_signature, verify_intercom, verify_zendesk, zendesk_signature
from kbtools.model.signatures import SignatureError

BODY = b'{"ticket_id": "35436", "tags": "kb_macro__macro-refund"}'
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC).timestamp()
STAMP = "2026-11-20T09:30:00Z"


def test_zendesk_signature_is_base64_hmac_sha256_of_timestamp_then_body() -> None:
    # Zendesk's documented recipe, spelled out: base64(HMACSHA256(TIMESTAMP + BODY))
    expected = base64.b64encode(hmac.new(b"secret", STAMP.encode() + BODY, hashlib.sha256).digest()).decode()
    assert zendesk_signature("secret", STAMP, BODY) == expected
    assert verify_zendesk(["old", "secret"], expected, STAMP, BODY, now=NOW + 60) == STAMP


def test_zendesk_timestamp_in_unix_seconds_is_read_too() -> None:
    stamp = str(int(NOW))
    assert verify_zendesk(["secret"], zendesk_signature("secret", stamp, BODY), stamp, BODY, now=NOW) == stamp


@pytest.mark.parametrize(
    ("signature", "stamp", "body", "now", "reason"),
    [
        (None, STAMP, BODY, NOW, "missing"),
        (zendesk_signature("secret", STAMP, BODY), None, BODY, NOW, "missing"),
        (zendesk_signature("secret", "soon", BODY), "soon", BODY, NOW, "malformed"),
        (zendesk_signature("secret", "2026-11-20T09:30:00", BODY), "2026-11-20T09:30:00", BODY, NOW, "time zone"),
        (zendesk_signature("other", STAMP, BODY), STAMP, BODY, NOW, "does not match"),
        (zendesk_signature("secret", STAMP, BODY), STAMP, BODY + b" ", NOW, "does not match"),
        (zendesk_signature("secret", STAMP, BODY), "2026-11-20T09:30:01Z", BODY, NOW, "does not match"),
        (zendesk_signature("secret", STAMP, BODY).encode().hex(), STAMP, BODY, NOW, "does not match"),
        (zendesk_signature("secret", STAMP, BODY), STAMP, BODY, NOW + 301, "window"),
        (zendesk_signature("secret", STAMP, BODY), STAMP, BODY, NOW - 301, "window"),
    ],
    ids=["no-signature", "no-timestamp", "bad-time", "no-zone", "wrong-secret", "body-changed", "time-changed",
         "hex-not-base64", "too-old", "too-new"],
)  # fmt: skip
def test_zendesk_refusals(signature, stamp, body, now, reason) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_zendesk(["secret"], signature, stamp, body, now=now)


def test_intercom_signature_is_sha1_hmac_of_the_body() -> None:
    expected = "sha1=" + hmac.new(b"client-secret", BODY, hashlib.sha1).hexdigest()
    assert intercom_signature("client-secret", BODY) == expected
    verify_intercom(["rotated", "client-secret"], expected, BODY)


@pytest.mark.parametrize(
    ("signature", "body", "reason"),
    [
        (None, BODY, "missing"),
        ("", BODY, "missing"),
        ("sha256=" + hashlib.sha256(BODY).hexdigest(), BODY, "malformed"),
        (intercom_signature("client-secret", BODY).removeprefix("sha1="), BODY, "malformed"),
        (intercom_signature("other", BODY), BODY, "does not match"),
        (intercom_signature("client-secret", BODY), BODY.replace(b"35436", b"35437"), "does not match"),
    ],
    ids=["none", "empty", "sha256", "no-prefix", "wrong-secret", "body-changed"],
)
def test_intercom_refusals(signature, body, reason) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_intercom(["client-secret"], signature, body)
