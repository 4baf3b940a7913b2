"""Webhook signatures: what a receiver accepts and refuses (kbtools.model.signatures)."""

from __future__ import annotations

import pytest

from kbtools.model.signatures import SignatureError, signature_header, verify

BODY = b'{"ticket_id": "4711", "solved": true}'
NOW = 1_800_000_000


def test_a_signed_body_is_accepted_and_its_timestamp_returned() -> None:
    header = signature_header(["s3cret"], NOW, BODY)
    assert verify(["s3cret"], header, BODY, now=NOW + 10) == NOW


def test_a_rotated_secret_is_accepted_while_the_sender_signs_with_both() -> None:
    header = signature_header(["old", "new"], NOW, BODY)
    assert verify(["new"], header, BODY, now=NOW) == NOW
    assert verify(["old"], header, BODY, now=NOW) == NOW


@pytest.mark.parametrize(
    ("header", "body", "now", "reason"),
    [
        (None, BODY, NOW, "missing"),
        ("", BODY, NOW, "missing"),
        ("v1=abc", BODY, NOW, "malformed"),
        (f"t={NOW}", BODY, NOW, "malformed"),
        (f"t=-{NOW},v1=abc", BODY, NOW, "malformed"),
        (f"t={NOW},t={NOW},v1=abc", BODY, NOW, "malformed"),
        (signature_header(["s3cret"], NOW, BODY), BODY + b" ", NOW, "does not match"),
        (signature_header(["other"], NOW, BODY), BODY, NOW, "does not match"),
        (signature_header(["s3cret"], NOW, BODY).replace(f"t={NOW}", f"t={NOW + 1}"), BODY, NOW, "does not match"),
        (f"t={NOW},v1=\u00e9\u00e9", BODY, NOW, "does not match"),
        (signature_header(["s3cret"], NOW, BODY), BODY, NOW + 301, "window"),
        (signature_header(["s3cret"], NOW, BODY), BODY, NOW - 301, "window"),
    ],
    ids=[
        "absent",
        "empty",
        "no-timestamp",
        "no-signature",
        "negative-timestamp",
        "two-timestamps",
        "body-changed",
        "wrong-secret",
        "timestamp-changed",
        "non-ascii",
        "replayed-late",
        "from-the-future",
    ],
)
def test_a_request_not_signed_now_with_the_secret_is_refused(
    header: str | None, body: bytes, now: int, reason: str
) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify(["s3cret"], header, body, now=now)
