"""The ticket-solved webhooks: kb's own, Zendesk's and Intercom's shapes and signatures, replay protection, every
bad request a 4xx JSON error with nothing stored, and the macro version recorded per use."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import MiniKB, page
from databases import BACKENDS, database_url
from gitrepo import GitRepo
from sqlalchemy import func, select

from kbtools.analytics.store import macro_outcomes, received_deliveries
from kbtools.model.helpdesk_signatures import intercom_signature, zendesk_signature
from kbtools.model.signatures import signature_header
from kbtools.service import create_app

PAYLOADS = Path(__file__).parent / "helpdesk_payloads"
KB_SECRET, ZENDESK_SECRET, INTERCOM_SECRET = "kb-s3cret", "zd-s3cret", "ic-s3cret"
PATH = "/api/v1/webhooks/ticket-solved"
ZENDESK = "/api/v1/webhooks/zendesk/ticket-solved"
INTERCOM = "/api/v1/webhooks/intercom/ticket-solved"
MACRO = dict(
    type="macro", audience="internal", category="billing", owner="billing", case_reason="payment/refund-request"
)


def knowledge_base(root: Path) -> tuple[MiniKB, GitRepo]:
    kb = MiniKB(root)
    kb.both(
        "billing/macro-refund.md",
        page("macro-refund", "Refund approved", **MACRO, body="Hi {{ticket.requester.first_name}},\n"),
        page("macro-refund", "Remboursement accepté", **MACRO, body="Bonjour,\n"),
    )
    kb.write("en/billing/macro-late.md", page("macro-late", "Late payment", **MACRO, body="Hello,\n"))
    kb.write("en/cards/declined.md", page("declined", "Card declined"))
    repo = GitRepo(kb.root)
    repo.commit("Macros")
    return kb, repo


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_app(root: Path, url: str) -> Any:
    return create_app(
        {
            "root": str(root),
            "database_url": url,
            "rate_limit": "off",
            "api_tokens": ["test-token-123456"],
            "search_index": str(root / "none"),
            "ticket_solved_secrets": [KB_SECRET],
            "zendesk_webhook_secrets": [ZENDESK_SECRET],
            "intercom_client_secrets": [INTERCOM_SECRET],
        }
    )


@pytest.fixture
def setup(tmp_path: Path, backend: str) -> tuple[Any, GitRepo, MiniKB]:
    kb, repo = knowledge_base(tmp_path / "kb")
    return make_app(kb.root, database_url(backend, tmp_path)), repo, kb


@pytest.fixture
def app(tmp_path: Path) -> Any:  # SQLite: the request checks do not depend on the database
    kb, _ = knowledge_base(tmp_path / "kb")
    return make_app(kb.root, database_url("sqlite", tmp_path))


def stored(app: Any) -> tuple[int, int]:
    """(outcome rows, deliveries remembered)."""
    with app.extensions["kb_engine"].connect() as connection:
        outcomes = connection.execute(select(func.count()).select_from(macro_outcomes)).scalar_one()
        deliveries = connection.execute(select(func.count()).select_from(received_deliveries)).scalar_one()
    return int(outcomes), int(deliveries)


def outcomes(app: Any) -> list[dict[str, Any]]:
    with app.extensions["kb_engine"].connect() as connection:
        rows = connection.execute(select(macro_outcomes).order_by(macro_outcomes.c.ticket_id, macro_outcomes.c.macro))
        return [dict(row._mapping) for row in rows]


BODY = {
    "ticket_id": "4711",
    "macros": ["macro-refund"],
    "lang": "en",
    "case_reason": "payment/refund-request",
    "satisfaction": "good",
    "reopened": False,
    "handle_time": 420,
}


def kb_post(client: Any, body: Any, secret: str = KB_SECRET, when: int | None = None, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    header = signature_header([secret], int(time.time()) if when is None else when, data)
    return client.post(PATH, data=data, headers={"X-KB-Signature": header, "Content-Type": "application/json"})


def zendesk_post(client: Any, data: bytes, secret: str = ZENDESK_SECRET, stamp: str | None = None):
    stamp = stamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {
        "X-Zendesk-Webhook-Signature": zendesk_signature(secret, stamp, data),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        "Content-Type": "application/json",
    }
    return client.post(ZENDESK, data=data, headers=headers)


def intercom_body(name: str = "intercom-conversation-admin-closed.json", **changes: Any) -> bytes:
    notification = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    notification["created_at"] = int(time.time()) - 5
    notification.update(changes)
    return json.dumps(notification).encode()


def intercom_post(client: Any, data: bytes, secret: str = INTERCOM_SECRET):
    headers = {"X-Hub-Signature": intercom_signature(secret, data), "Content-Type": "application/json"}
    return client.post(INTERCOM, data=data, headers=headers)


# Accepted shapes ------------------------------------------------------------------------------------------


def test_kb_body_is_stored_per_macro_with_the_macro_version_it_was_built_from(setup) -> None:
    app, repo, kb = setup
    client = app.test_client()
    first = repo.git("rev-parse", "--short=7", "HEAD")
    answer = kb_post(client, {**BODY, "macros": ["macro-refund", "macro-late"]})
    assert answer.status_code == 202, answer.json
    assert answer.json == {"ticket_id": "4711", "macros": 2}
    # The writer edits the macro: a ticket solved after the commit counts under the new version
    kb.write("en/billing/macro-refund.md", page("macro-refund", "Refund approved", **MACRO, body="Hi there,\n"))
    repo.commit("Shorter greeting", date="2026-02-01T10:00:00+00:00")
    second = repo.git("rev-parse", "--short=7", "HEAD")
    assert kb_post(client, {**BODY, "ticket_id": 4712, "satisfaction": 2}).status_code == 202
    rows = outcomes(app)
    assert [(r["ticket_id"], r["macro"], r["version"]) for r in rows] == [
        ("4711", "macro-late", first),
        ("4711", "macro-refund", first),
        ("4712", "macro-refund", second),
    ]
    assert [(r["satisfied"], r["rating"], r["handle_seconds"]) for r in rows] == [
        (True, "good", 420),
        (True, "good", 420),
        (False, "2", 420),
    ]


def test_a_ticket_solved_again_replaces_what_was_said_before(setup) -> None:
    app, _, _ = setup
    client = app.test_client()
    assert kb_post(client, {**BODY, "delivery_id": "d-1"}).status_code == 202
    again = {**BODY, "satisfaction": "bad", "reopened": True, "delivery_id": "d-2"}
    assert kb_post(client, again).status_code == 202
    [row] = outcomes(app)
    assert (row["satisfied"], row["reopened"]) == (False, True)


def test_zendesk_trigger_body_as_zendesk_renders_it(app) -> None:
    # The documented trigger body is valid JSON with its placeholders in (what the admin pastes)
    template = json.loads((PAYLOADS / "zendesk-trigger-body.json").read_text(encoding="utf-8"))
    assert template["ticket_id"] == "{{ticket.id}}" and template["satisfaction"] == "{{satisfaction.current_rating}}"
    client = app.test_client()
    answer = zendesk_post(client, (PAYLOADS / "zendesk-ticket-solved.json").read_bytes())
    assert answer.status_code == 202, answer.json
    [row] = outcomes(app)
    assert (row["helpdesk"], row["ticket_id"], row["macro"], row["lang"]) == ("zendesk", "35436", "macro-refund", "en")
    assert (row["case_reason"], row["satisfied"], row["rating"], row["reopened"], row["handle_seconds"]) == (
        "payment/refund-request",
        True,
        "good",
        False,
        420,
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"satisfaction": "Bad", "tags": "kb_macro__macro-refund kb_reopened"}, (False, "bad", True)),
        ({"satisfaction": "Offered", "handle_time": ""}, (None, None, False)),
        ({"satisfaction": "", "lang": "fr-CA"}, (None, None, False)),
        ({"satisfaction": "good", "lang": "Français", "case_reason": ""}, (True, "good", False)),
    ],
    ids=["bad-reopened", "offered-no-time", "unrated-locale", "language-name"],
)
def test_zendesk_placeholder_values(app, changes: dict[str, str], expected: tuple) -> None:
    payload = json.loads((PAYLOADS / "zendesk-ticket-solved.json").read_text(encoding="utf-8")) | changes
    answer = zendesk_post(app.test_client(), json.dumps(payload).encode())
    assert answer.status_code == 202, answer.json
    [row] = outcomes(app)
    assert (row["satisfied"], row["rating"], row["reopened"]) == expected


def test_intercom_notification_as_intercom_sends_it(app) -> None:
    client = app.test_client()
    answer = intercom_post(client, intercom_body())
    assert answer.status_code == 202, answer.json
    [row] = outcomes(app)
    assert (row["helpdesk"], row["ticket_id"], row["macro"], row["lang"]) == ("intercom", "147", "macro-refund", "fr")
    # rating 2 of 5: not satisfied, raw score kept; a reopen counted; no handling_time: time to last close
    assert (row["satisfied"], row["rating"], row["reopened"], row["handle_seconds"]) == (False, "2", True, 9600)
    assert intercom_post(client, intercom_body("intercom-ping.json")).status_code == 200
    assert stored(app) == (1, 1)  # the ping stores nothing


# Refused: signature, replay, shape ---------------------------------------------------------------------


def _kb_header(body: bytes, **kind: Any) -> dict[str, str]:
    now = int(time.time())
    return {
        "missing": {},
        "malformed": {"X-KB-Signature": "v1=abc"},
        "wrong-secret": {"X-KB-Signature": signature_header(["other"], now, body)},
        "old": {"X-KB-Signature": signature_header([KB_SECRET], now - 301, body)},
        "future": {"X-KB-Signature": signature_header([KB_SECRET], now + 301, body)},
        "other-scheme": {
            "X-Zendesk-Webhook-Signature": zendesk_signature(KB_SECRET, str(now), body),
            "X-Zendesk-Webhook-Signature-Timestamp": str(now),
        },
    }[kind["kind"]]


@pytest.mark.parametrize("kind", ["missing", "malformed", "wrong-secret", "old", "future", "other-scheme"])
def test_kb_signature_refused(app, kind: str) -> None:
    body = json.dumps(BODY).encode()
    answer = app.test_client().post(PATH, data=body, headers=_kb_header(body, kind=kind))
    assert answer.status_code == 401 and answer.json["error"] == "bad_signature", answer.json
    assert stored(app) == (0, 0)


@pytest.mark.parametrize("kind", ["missing", "malformed-time", "wrong-secret", "old", "tampered", "kb-scheme"])
def test_zendesk_signature_refused(app, kind: str) -> None:
    data = (PAYLOADS / "zendesk-ticket-solved.json").read_bytes()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    good = zendesk_signature(ZENDESK_SECRET, stamp, data)
    headers = {
        "missing": {},
        "malformed-time": {
            "X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, "yesterday", data),
            "X-Zendesk-Webhook-Signature-Timestamp": "yesterday",
        },
        "wrong-secret": {
            "X-Zendesk-Webhook-Signature": zendesk_signature("other", stamp, data),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        },
        "old": {
            "X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, "2026-01-01T00:00:00Z", data),
            "X-Zendesk-Webhook-Signature-Timestamp": "2026-01-01T00:00:00Z",
        },
        "tampered": {"X-Zendesk-Webhook-Signature": good, "X-Zendesk-Webhook-Signature-Timestamp": stamp},
        "kb-scheme": {"X-KB-Signature": signature_header([ZENDESK_SECRET], int(time.time()), data)},
    }[kind]
    body = data.replace(b"Good", b"Bad") if kind == "tampered" else data
    answer = app.test_client().post(ZENDESK, data=body, headers=headers)
    assert answer.status_code == 401 and answer.json["error"] == "bad_signature", answer.json
    assert stored(app) == (0, 0)


@pytest.mark.parametrize("kind", ["missing", "malformed", "wrong-secret", "tampered", "old-notification"])
def test_intercom_signature_refused(app, kind: str) -> None:
    data = intercom_body()
    headers = {
        "missing": {},
        "malformed": {"X-Hub-Signature": "sha256=" + "0" * 64},
        "wrong-secret": {"X-Hub-Signature": intercom_signature("other", data)},
        "tampered": {"X-Hub-Signature": intercom_signature(INTERCOM_SECRET, data)},
        "old-notification": {},
    }[kind]
    if kind == "tampered":
        data = data.replace(b'"rating": 2', b'"rating": 5')
    if kind == "old-notification":  # signed by Intercom, but older than ids are remembered
        data = intercom_body(created_at=int(time.time()) - 73 * 3600)
        headers = {"X-Hub-Signature": intercom_signature(INTERCOM_SECRET, data)}
    answer = app.test_client().post(INTERCOM, data=data, headers=headers)
    assert answer.status_code == 401 and answer.json["error"] == "bad_signature", answer.json
    assert stored(app) == (0, 0)


def test_no_secret_configured_refuses_everything(tmp_path: Path) -> None:
    kb, _ = knowledge_base(tmp_path / "kb")
    app = create_app({"root": str(kb.root), "database_url": database_url("sqlite", tmp_path), "rate_limit": "off"})
    body = json.dumps(BODY).encode()
    header = signature_header([""], int(time.time()), body)
    answer = app.test_client().post(PATH, data=body, headers={"X-KB-Signature": header})
    assert answer.status_code == 401 and "KB_TICKET_SOLVED_SECRETS" in answer.json["message"]
    assert stored(app) == (0, 0)


def test_replays_are_refused_on_every_route(setup) -> None:
    app, _, _ = setup
    client = app.test_client()
    now = int(time.time())
    data = json.dumps(BODY).encode()
    # kb: the same signed request again, and the same delivery id signed again later
    assert kb_post(client, None, raw=data, when=now).status_code == 202
    replay = kb_post(client, None, raw=data, when=now)
    assert replay.status_code == 409 and replay.json["error"] == "already_received"
    with_id = {**BODY, "ticket_id": "4800", "delivery_id": "delivery-1"}
    assert kb_post(client, with_id, when=now).status_code == 202
    assert kb_post(client, with_id, when=now + 1).status_code == 409
    # Zendesk: the same request (same signed timestamp)
    zendesk = (PAYLOADS / "zendesk-ticket-solved.json").read_bytes()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert zendesk_post(client, zendesk, stamp=stamp).status_code == 202
    assert zendesk_post(client, zendesk, stamp=stamp).status_code == 409
    # Intercom: the same notification id, even re-signed with a changed body
    notification = intercom_body()
    assert intercom_post(client, notification).status_code == 202
    assert intercom_post(client, notification).status_code == 409
    assert intercom_post(client, notification.replace(b'"rating": 2', b'"rating": 5')).status_code == 409
    assert stored(app) == (4, 4)  # tickets 4711 and 4800 (kb), 35436 (Zendesk), 147 (Intercom)
    assert [r["rating"] for r in outcomes(app) if r["helpdesk"] == "intercom"] == ["2"]


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        (b"{not json", 400, None, "not valid JSON"),
        (b"[1, 2]", 422, "(body)", "JSON object"),
        (json.dumps({**BODY, "macros": ["macro-refund", "no-such-macro"]}).encode(), 422, "macros[1]", "no-such-macro"),
        (json.dumps({**BODY, "macros": ["declined"]}).encode(), 422, "macros[0]", "not a published macro"),
        (json.dumps({**BODY, "lang": "fr", "macros": ["macro-late"]}).encode(), 422, "macros[0]", "macro-late"),
        (json.dumps({**BODY, "lang": "de"}).encode(), 422, "lang", "not a language"),
        (json.dumps({**BODY, "case_reason": "payment/nope"}).encode(), 422, "case_reason", "case reason"),
        (json.dumps({**BODY, "satisfaction": 6}).encode(), 422, "satisfaction", "1 to 5"),
        (json.dumps({**BODY, "satisfaction": True}).encode(), 422, "satisfaction", "1 to 5"),
        (json.dumps({**BODY, "satisfaction": "great"}).encode(), 422, "satisfaction", "1 to 5"),
        (json.dumps({**BODY, "handle_time": -1}).encode(), 422, "handle_time", "greater than or equal"),
        (json.dumps({**BODY, "handle_time": "420"}).encode(), 422, "handle_time", "integer"),
        (json.dumps({**BODY, "reopened": "yes"}).encode(), 422, "reopened", "boolean"),
        (json.dumps({k: v for k, v in BODY.items() if k != "ticket_id"}).encode(), 422, "ticket_id", "required"),
        (json.dumps({**BODY, "ticket_id": "a b"}).encode(), 422, "ticket_id", "pattern"),
        (json.dumps({**BODY, "subject": "Refund please"}).encode(), 422, "subject", "not permitted"),
        (json.dumps({**BODY, "macros": ["macro-refund"] * 51}).encode(), 422, "macros", "at most 50"),
        (b"x" * (65 * 1024), 413, None, ""),
    ],
    ids=[
        "not-json", "not-object", "unknown-macro", "an-article", "macro-not-in-lang", "unknown-lang",
        "unknown-case-reason", "score-6", "boolean-score", "word-score", "negative-time", "time-as-text",
        "reopened-text", "no-ticket", "ticket-with-space", "unknown-key", "too-many-macros", "too-large",
    ],
)  # fmt: skip
def test_bad_bodies_are_4xx_json_and_store_nothing(app, body: bytes, status: int, field: str | None, words: str):
    answer = kb_post(app.test_client(), None, raw=body)
    assert answer.status_code == status, answer.json
    assert answer.is_json and answer.json["error"]
    if field is not None:
        assert any(e["field"] == field and words in e["message"] for e in answer.json["errors"]), answer.json
    elif words:
        assert words in answer.json["message"]
    assert stored(app) == (0, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ticket_id": ""}, "ticket_id"),
        ({"satisfaction": "Superb"}, "satisfaction"),
        ({"handle_time": "7 minutes"}, "handle_time"),
        ({"tags": ["kb_macro__macro-refund"]}, "tags"),
        ({"tags": "kb_macro__nope"}, "macros[0]"),
        ({"lang": "Klingon"}, "lang"),
    ],
    ids=["no-ticket", "rating-word", "time-words", "tags-list", "unknown-macro-tag", "unknown-language"],
)
def test_bad_zendesk_bodies_are_422_and_store_nothing(app, changes: dict[str, Any], field: str) -> None:
    payload = json.loads((PAYLOADS / "zendesk-ticket-solved.json").read_text(encoding="utf-8")) | changes
    answer = zendesk_post(app.test_client(), json.dumps(payload).encode())
    assert answer.status_code == 422, answer.json
    assert [e["field"] for e in answer.json["errors"]] == [field]
    assert stored(app) == (0, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topic": "conversation.admin.replied"}, "topic"),
        ({"type": "event"}, "type"),
        ({"data": []}, "data"),
        ({"data": {"item": {"id": "147", "tags": {"tags": [{"name": "kb_macro__nope"}]}}}}, "macros[0]"),
        ({"data": {"item": {"id": "147", "conversation_rating": {"rating": 9}}}}, "satisfaction"),
    ],
    ids=["other-topic", "not-a-notification", "data-not-object", "unknown-macro-tag", "rating-9"],
)
def test_bad_intercom_bodies_are_422_and_store_nothing(app, changes: dict[str, Any], field: str) -> None:
    answer = intercom_post(app.test_client(), intercom_body(**changes))
    assert answer.status_code == 422, answer.json
    assert [e["field"] for e in answer.json["errors"]] == [field]
    assert stored(app) == (0, 0)


def test_a_rejected_request_forgets_nothing_it_would_refuse_later(app) -> None:
    """A refused delivery leaves no delivery key either: the helpdesk's corrected retry is taken."""
    client = app.test_client()
    now = int(time.time())
    bad = {**BODY, "macros": ["no-such-macro"], "delivery_id": "fix-me"}
    assert kb_post(client, bad, when=now).status_code == 422
    assert kb_post(client, {**bad, "macros": ["macro-refund"]}, when=now).status_code == 202
    assert stored(app) == (1, 1)


def test_a_ticket_solved_without_a_kb_macro_is_answered_and_stores_no_outcome(app) -> None:
    """A helpdesk's trigger fires for every solved ticket: most carry no kb macro tag."""
    payload = json.loads((PAYLOADS / "zendesk-ticket-solved.json").read_text(encoding="utf-8")) | {"tags": "vip"}
    answer = zendesk_post(app.test_client(), json.dumps(payload).encode())
    assert answer.status_code == 202 and answer.json == {"ticket_id": "35436", "macros": 0}
    assert stored(app) == (0, 1)  # only the delivery, so a replay of it is still refused
