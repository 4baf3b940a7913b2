"""POST /api/v1/events through Flask's test client, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from databases import BACKENDS, database_url
from sqlalchemy import func, inspect, select

from kbtools.analytics.store import events, votes
from kbtools.service import create_app

SESSION = "tab-0123456789"
TOKEN = "events-token-0001"
AGENT = {"Authorization": f"Bearer {TOKEN}"}
UNKNOWN_TYPE = "unknown event type; types: view, vote, search, contact, macro_used, contact_step, contact_answer"


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path):
    url = database_url(request.param, tmp_path)
    application = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": url,
            "rate_limit": "off",
            "site_dir": str(tmp_path / "site"),
            "api_tokens": [TOKEN],
        }
    )
    yield application
    application.extensions["kb_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def _count(app, table) -> int:
    with app.extensions["kb_engine"].connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def view(**fields):
    return {"type": "view", "article": "card-payment-declined", "lang": "en", "session": SESSION, **fields}


def test_one_event_as_json_and_a_batch_as_text_plain(app, client) -> None:
    answer = client.post("/api/v1/events", json=view(version="5fcea67"))
    assert (answer.status_code, answer.get_json()) == (202, {"accepted": 1})
    batch = {
        "events": [
            view(lang="fr"),
            {"type": "search", "lang": "fr", "session": SESSION, "query": "Carte  Refusée !", "results": 0},
            {"type": "contact", "article": "card-payment-declined", "lang": "fr", "session": SESSION},
        ]
    }
    answer = client.post("/api/v1/events", data=json.dumps(batch), content_type="text/plain;charset=UTF-8")
    assert (answer.status_code, answer.get_json()) == (202, {"accepted": 3})
    assert _count(app, events) == 4
    with app.extensions["kb_engine"].connect() as connection:
        stored = connection.execute(select(events.c.query, events.c.query_norm).where(events.c.type == "search")).one()
    assert tuple(stored) == ("Carte  Refusée !", "carte refusee")


def test_a_later_vote_replaces_the_earlier_one(app, client) -> None:
    vote = {"type": "vote", "article": "request-a-refund", "lang": "en", "session": SESSION}
    assert client.post("/api/v1/events", json={**vote, "helpful": True}).status_code == 202
    later = {**vote, "helpful": False, "reason": "missing", "comment": "<script>alert(1)</script>"}
    assert client.post("/api/v1/events", json=later).status_code == 202
    other_session = {**vote, "session": "another-tab-99", "helpful": True}
    assert client.post("/api/v1/events", json=other_session).status_code == 202
    with app.extensions["kb_engine"].connect() as connection:
        rows = connection.execute(select(votes.c.session, votes.c.helpful, votes.c.reason, votes.c.comment)).all()
    assert sorted(map(tuple, rows)) == [
        ("another-tab-99", True, None, None),
        (SESSION, False, "missing", "<script>alert(1)</script>"),
    ]


def test_nothing_identifying_is_stored(app) -> None:
    columns = {
        c["name"] for table in ("events", "votes") for c in inspect(app.extensions["kb_engine"]).get_columns(table)
    }
    assert not columns & {"ip", "ip_address", "user_agent", "cookie", "remote_addr", "email"}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "error"),
    [
        ("{not json", "application/json", 400, "malformed_json"),
        (b"\xff\xfe", "text/plain", 400, "malformed_json"),
        ("x" * (64 * 1024 + 1), "text/plain", 413, "request_entity_too_large"),
        (json.dumps(view()), "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (json.dumps(view()), "text/html", 415, "unsupported_media_type"),
    ],
)
def test_bad_requests_get_a_json_error_and_store_nothing(app, client, body, content_type, status, error) -> None:
    answer = client.post("/api/v1/events", data=body, content_type=content_type)
    assert answer.status_code == status
    assert answer.get_json()["error"] == error
    assert _count(app, events) == 0


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({**view(), "type": "click"}, {"type": UNKNOWN_TYPE}),
        (view(article="no-such-article"), {"article": "no published page 'no-such-article' in 'en'"}),
        (view(lang="de"), {"lang": "not a language of this knowledge base: ['en', 'es', 'fr']"}),
        (view(session="short"), {"session": "'short' does not match '^[A-Za-z0-9_-]{8,64}$'"}),
        (view(referrer="https://x"), {"referrer": "unknown field"}),
        (
            {"type": "vote", "article": "request-a-refund", "lang": "en", "session": SESSION, "helpful": "yes"},
            {"helpful": "'yes' is not of type 'boolean'"},
        ),
        (
            {
                "type": "vote",
                "article": "request-a-refund",
                "lang": "en",
                "session": SESSION,
                "helpful": False,
                "comment": "x" * 1001,
            },
            {"comment": "too long: at most 1000 characters"},
        ),
        (
            {
                "type": "vote",
                "article": "request-a-refund",
                "lang": "en",
                "session": SESSION,
                "helpful": False,
                "reason": "boring",
            },
            {"reason": "'boring' is not one of ['unclear', 'incorrect', 'missing', 'not_working', 'other']"},
        ),
        (
            {"type": "search", "lang": "en", "session": SESSION, "query": "q" * 201, "results": 1},
            {"query": "too long: at most 200 characters"},
        ),
        (
            {"type": "search", "lang": "en", "session": SESSION, "query": "card", "results": -1},
            {"results": "-1 is less than the minimum of 0"},
        ),
        ({"events": [view()] * 51}, {"events": "too many: at most 50 items"}),
        ([view()], {"(body)": "an event is a JSON object"}),
        ({**view(), "type": {}}, {"type": UNKNOWN_TYPE}),
        # Every bad field of an event at once, whether its shape or the knowledge base finds it wrong
        (
            {"type": "view", "lang": "de", "session": "s1", "article": "Card_Payment"},
            {
                "article": "'Card_Payment' does not match '^[a-z0-9]+(-[a-z0-9]+)*$'",
                "session": "'s1' does not match '^[A-Za-z0-9_-]{8,64}$'",
                "lang": "not a language of this knowledge base: ['en', 'es', 'fr']",
            },
        ),
        (
            view(lang="de", article="no-such-article"),
            {
                "lang": "not a language of this knowledge base: ['en', 'es', 'fr']",
                "article": "no published page 'no-such-article' in any language",
            },
        ),
        (
            {
                "type": "vote",
                "article": "request-a-refund",
                "lang": "en",
                "session": "short",
                "helpful": False,
                "reason": "boring",
                "comment": "bell \u0007",
            },
            {
                "comment": "contains a control character (U+0007) at position 5: not allowed in text",
                "reason": "'boring' is not one of ['unclear', 'incorrect', 'missing', 'not_working', 'other']",
                "session": "'short' does not match '^[A-Za-z0-9_-]{8,64}$'",
            },
        ),
        (
            {"type": "macro_used", "article": "request-a-refund", "lang": "en", "session": SESSION},
            {"article": "'request-a-refund' is not a macro: only a macro's reply is copied"},
        ),
    ],
)
def test_invalid_fields_get_422_with_every_error(app, client, payload, errors) -> None:
    answer = client.post("/api/v1/events", json=payload)
    assert answer.status_code == 422
    found = {e["field"]: e["message"] for e in answer.get_json()["errors"]}
    assert found == errors
    assert len(answer.data) < 1000  # what was wrong, not the request repeated back
    assert _count(app, events) == 0


def test_every_bad_field_of_every_event_of_a_batch(app, client) -> None:
    batch = {"events": [view(lang="de", session="s1"), view(), {**view(article="Nope"), "helpful": True}]}
    answer = client.post("/api/v1/events", json=batch)
    assert answer.status_code == 422
    assert sorted(e["field"] for e in answer.get_json()["errors"]) == [
        "events[0].lang",
        "events[0].session",
        "events[2].article",
        "events[2].helpful",
    ]
    assert _count(app, events) == 0


def test_a_vote_stores_its_site(app, client) -> None:
    assert client.post("/api/v1/events", json=_vote()).status_code == 202
    wiki_vote = _vote(session="agent-tab-0001", site="internal")
    assert client.post("/api/v1/events", json=wiki_vote, headers=AGENT).status_code == 202
    with app.extensions["kb_engine"].connect() as connection:
        rows = connection.execute(select(votes.c.session, votes.c.site)).all()
    assert sorted(map(tuple, rows)) == [("agent-tab-0001", "internal"), (SESSION, "public")]


def test_the_wikis_events_need_its_sign_in_and_public_ones_name_public_pages(app, client) -> None:
    copy = {"type": "macro_used", "article": "macro-refund-approved", "lang": "en", "session": SESSION}
    # Anyone can reach the endpoint: made-up agent feedback or macro copies are refused, nothing stored
    refused = client.post("/api/v1/events", json={"events": [view(), {**copy, "site": "internal"}]})
    assert (refused.status_code, refused.get_json()["error"]) == (403, "agent_only")
    assert client.post("/api/v1/events", json={**copy, "site": "internal"}, headers=AGENT).status_code == 202
    # The help center's events name its pages; an internal page is as unknown as a made-up one (no probing)
    for article in ("macro-refund-approved", "refund-and-goodwill-guardrails", "no-such-page"):
        answer = client.post("/api/v1/events", json=view(article=article))
        assert answer.status_code == 422
        assert answer.get_json()["errors"] == [
            {"field": "article", "message": f"no published page '{article}' in 'en'"}
        ]
    assert _count(app, events) == 1


def test_one_bad_event_in_a_batch_stores_none(app, client) -> None:
    answer = client.post("/api/v1/events", json={"events": [view(), view(article="nope")]})
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == [
        {"field": "events[1].article", "message": "no published page 'nope' in 'en'"}
    ]
    assert _count(app, events) == 0


def test_rate_limit_answers_429(tmp_path: Path) -> None:
    app = create_app(
        {"root": str(REPO_ROOT), "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}", "rate_limit": "3/minute"}
    )
    client = app.test_client()
    statuses = [client.post("/api/v1/events", json=view()).status_code for _ in range(4)]
    assert statuses == [202, 202, 202, 429]
    answer = client.post("/api/v1/events", json=view())
    assert answer.get_json()["error"] == "too_many_requests"
    assert int(answer.headers["Retry-After"]) > 0


def test_cors_allows_only_configured_origins(tmp_path: Path) -> None:
    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "rate_limit": "off",
            "allowed_origins": ["https://help.example.com"],
        }
    )
    client = app.test_client()
    allowed = client.post("/api/v1/events", json=view(), headers={"Origin": "https://help.example.com"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://help.example.com"
    other = client.post("/api/v1/events", json=view(), headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_deeply_nested_json_is_a_400_not_a_crash(app, client) -> None:
    deep_field = json.dumps({**view(), "extra": "X"}).replace('"X"', "[" * 40 + "]" * 40)
    for body in ("[" * 30000 + "]" * 30000, deep_field):
        answer = client.post("/api/v1/events", data=body, content_type="application/json")
        assert answer.status_code == 400
        assert answer.get_json()["error"] == "malformed_json"
    assert _count(app, events) == 0


def _vote(**fields):
    return {"type": "vote", "article": "request-a-refund", "lang": "en", "session": SESSION, "helpful": False, **fields}


def _search(query: str):
    return {"type": "search", "lang": "fr", "session": SESSION, "query": query, "results": 0}


@pytest.mark.parametrize(
    ("body", "field", "character"),
    [
        # JSON escapes, as a client would send them: json.dumps keeps a lone surrogate as \ud800
        (json.dumps(_search("carte \ud800")), "query", "U+D800"),
        (json.dumps(_vote(comment="broken \udfff link")), "comment", "U+DFFF"),
        (json.dumps(_search("carte\u0000refusée")), "query", "U+0000"),
        (json.dumps(_vote(comment="nul \u0000 byte")), "comment", "U+0000"),
        (json.dumps({"events": [view(), _vote(comment="bell \u0007")]}), "events[1].comment", "U+0007"),
    ],
)
def test_text_postgresql_cannot_store_is_a_422_naming_the_field(app, client, body, field, character) -> None:
    answer = client.post("/api/v1/events", data=body, content_type="application/json")
    assert answer.status_code == 422
    (error,) = answer.get_json()["errors"]
    assert error["field"] == field and character in error["message"]
    assert _count(app, events) == 0 and _count(app, votes) == 0


def test_tabs_line_breaks_and_any_script_are_stored(app, client) -> None:
    comment = "Step 2\tfails.\r\nÉtape 3 : 失败 🙁"
    assert client.post("/api/v1/events", json=_vote(comment=comment)).status_code == 202
    with app.extensions["kb_engine"].connect() as connection:
        assert connection.execute(select(votes.c.comment)).scalar_one() == comment


def _chunked(client, body: bytes):
    """A body without Content-Length, as gunicorn hands a chunked request over (its input terminated)."""
    return client.post(
        "/api/v1/events",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_64_kib_is_a_413(app, client) -> None:
    one = json.dumps(view()).encode()
    padded = one[:-1] + b" " * (64 * 1024 - len(one)) + b"}"  # valid JSON, exactly 64 KiB
    assert len(padded) == 64 * 1024
    assert (_chunked(client, one).status_code, _chunked(client, padded).status_code) == (202, 202)
    # Werkzeug alone would stop reading at 64 KiB without a word and accept the truncated, still valid, JSON
    over = padded[:-1] + b" }"
    answer = _chunked(client, over)
    assert answer.status_code == 413 and answer.get_json()["error"] == "request_entity_too_large"
    answer = _chunked(client, json.dumps({"events": [view()] * 50}).encode() + b" " * 70_000)
    assert answer.status_code == 413
    assert _count(app, events) == 2


@pytest.mark.parametrize(
    ("query", "grouped_as"),
    [
        ("Carte  Refusée !", "carte refusee"),  # case, accents, punctuation, spaces
        ("ﬁnance", "finance"),  # a ligature
        ("e-mail non reçu ?", "e-mail non recu"),
        ("ガス", "ガス"),  # a voiced kana is another letter, not an accent: never 'カス'
        ("क्या", "क्या"),  # Devanagari's virama is part of the word
    ],
)
def test_searches_are_grouped_by_their_words_in_any_script(app, client, query: str, grouped_as: str) -> None:
    search = {"type": "search", "lang": "fr", "session": SESSION, "query": query, "results": 0}
    assert client.post("/api/v1/events", json=search).status_code == 202
    with app.extensions["kb_engine"].connect() as connection:
        assert connection.execute(select(events.c.query_norm)).scalar_one() == grouped_as
