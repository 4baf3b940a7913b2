"""Auto-replies through the Flask test client, on SQLite and PostgreSQL: suggestions only when confident, the
reply from the ticket's template, tracking links (redirect, expiry, tampering), answers once per link, no
ticket text stored, retention, and every bad request refused with a JSON 4xx and nothing stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from databases import BACKENDS, database_url
from sqlalchemy import select

from kbtools.analytics.autoreply_store import record_ticket
from kbtools.analytics.store import connect, metadata, migrate
from kbtools.model.project import KnowledgeBase
from kbtools.service import create_app
from search import build_index

TOKEN = "autoreply-token-123456"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PATH = "/api/v1/autoreply"

# Realistic tickets (the helpdesk sends them as they arrive): answerable ones, and ones no article answers
DECLINED = {
    "ticket_id": "48213",
    "subject": "Card declined at restaurant",
    "body": "Hello, my Brightspend card was declined twice last night at a restaurant in Berlin. The app says "
    "insufficient wallet balance but our finance team topped the wallet up last week. Can you check? "
    "Thanks, Anna Schmidt, +49 151 2345 6789",
    "lang": "en",
    "case_reason": "card/declined",
    "channel": "email",
}
REMBOURSEMENT = {
    "ticket_id": "48214",
    "subject": "Demande de remboursement",
    "body": "Bonjour, nous avons résilié notre abonnement annuel il y a 5 jours et souhaitons demander un "
    "remboursement de l'abonnement. Comment faire ? Cordialement, Jean Martin",
    "lang": "fr",
    "case_reason": "payment/refund-request",
    "channel": "web",
}
OFF_TOPIC = {
    "ticket_id": "48215",
    "subject": "Call back",
    "body": "Hi, can someone call me back tomorrow morning? I prefer to discuss this by phone. Thanks, Paul",
    "lang": "en",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("autoreply-index")
    build_index(KnowledgeBase.at(REPO_ROOT), folder)
    return folder


def make_app(url: str, index: Path, **settings):
    return create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": url,
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(index),
            **settings,
        }
    )


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


@pytest.fixture
def app(url: str, index: Path):
    app = make_app(url, index)
    yield app
    app.extensions["kb_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def stored(app) -> dict[str, list[dict]]:
    """Every row of every table of the event store."""
    with app.extensions["kb_engine"].connect() as connection:
        return {
            name: [dict(row._mapping) for row in connection.execute(select(table))]
            for name, table in metadata.tables.items()
            if name != "schema_migrations"
        }


def token_of(url: str) -> str:
    match = re.fullmatch(r"http://127\.0\.0\.1:8000/r/([A-Za-z0-9_-]+)", url)
    assert match, url
    return match.group(1)


# Suggestions and the reply --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticket", "first", "template", "site"),
    [
        (DECLINED, "card-payment-declined", "autoreply-card-declined", "/"),
        (REMBOURSEMENT, "request-a-refund", "autoreply-refund-request", "/fr/"),
        ({**DECLINED, "case_reason": None}, "card-payment-declined", "autoreply-default", "/"),
        ({**DECLINED, "case_reason": "account/sign-in"}, "card-payment-declined", "autoreply-default", "/"),
    ],
    ids=["en, its case reason", "fr, its case reason", "no case reason: default", "other case reason: default"],
)
def test_a_clear_ticket_gets_articles_and_its_templates_reply(client, ticket, first, template, site) -> None:
    response = client.post(PATH, json={k: v for k, v in ticket.items() if v is not None}, headers=AUTH)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert 1 <= len(body["articles"]) <= 3
    assert body["articles"][0]["id"] == first
    assert body["confidence"] >= body["threshold"]
    assert body["template"] == template
    for article in body["articles"]:
        assert f"]({article['url']})" in body["reply"]  # each suggestion through its tracking link
        assert article["article_url"].startswith("http://127.0.0.1:8000" + site)  # the ticket's language
        token_of(article["url"])
    assert "{{autoreply." not in body["reply"]
    assert f"ticket {ticket['ticket_id']}" in body["reply"] or f"ticket\n{ticket['ticket_id']}" in body["reply"]
    assert '<a href="http://127.0.0.1:8000/r/' in body["reply_html"]


def test_a_vague_ticket_gets_nothing_and_is_counted_as_a_gap(app, client) -> None:
    response = client.post(PATH, json=OFF_TOPIC, headers=AUTH)
    body = response.get_json()
    assert response.status_code == 200
    assert body["articles"] == [] and body["reply"] is None and body["template"] is None
    assert body["confidence"] < body["threshold"]
    rows = stored(app)
    assert [(r["ticket_id"], r["suggested"]) for r in rows["autoreply_tickets"]] == [("48215", 0)]
    assert rows["autoreply_links"] == []


def test_the_threshold_is_a_setting(url, index) -> None:
    app = make_app(url, index, autoreply_min_confidence=1000)
    body = app.test_client().post(PATH, json=DECLINED, headers=AUTH).get_json()
    app.extensions["kb_engine"].dispose()
    assert body["articles"] == [] and body["threshold"] == 1000


@pytest.mark.parametrize("ticket", [DECLINED, REMBOURSEMENT, OFF_TOPIC], ids=["en", "fr", "off-topic"])
def test_no_ticket_text_is_stored(app, client, ticket) -> None:
    """Subject and body may hold personal data: no word of them is in any column of any table."""
    client.post(PATH, json=ticket, headers=AUTH)
    rows = stored(app)
    assert rows["autoreply_tickets"], "the ticket was not recorded"
    values = [str(value) for table in rows.values() for row in table for value in row.values() if value is not None]
    # Words kb may store for its own reasons: the fields sent to be stored, the content's ids
    ours = " ".join([str(ticket.get(name)) for name in ("ticket_id", "lang", "case_reason", "channel")])
    ours += " ".join(doc.id for doc in KnowledgeBase.at(REPO_ROOT).load())
    words = {w.lower() for w in re.findall(r"\w{4,}", ticket["subject"] + " " + ticket["body"])}
    words -= {w.lower() for w in re.findall(r"\w{4,}", ours)}
    leaked = sorted(w for w in words if any(w in value.lower() for value in values))
    assert leaked == []
    assert len(words) > 5  # names, places, the customer's own words
    ticket_row = rows["autoreply_tickets"][0]
    assert set(ticket_row) == {"id", "ticket_id", "lang", "case_reason", "channel", "template", "suggested"} | {
        "created_at",
        "experiment",  # the template's experiment and variant sent (None here): no ticket text either
        "variant",
    }


# Bad requests: a JSON 4xx, nothing stored ------------------------------------------------------------------

BAD_BODIES = [
    ({**DECLINED, "lang": "de"}, "lang"),
    ({**DECLINED, "case_reason": "card/nope"}, "case_reason"),
    ({**DECLINED, "case_reason": "../../etc"}, "case_reason"),
    ({**DECLINED, "ticket_id": ""}, "ticket_id"),
    ({**DECLINED, "ticket_id": "a b"}, "ticket_id"),
    ({**DECLINED, "ticket_id": "x" * 101}, "ticket_id"),
    ({**DECLINED, "ticket_id": 48213}, "ticket_id"),
    ({**DECLINED, "subject": None}, "subject"),
    ({**DECLINED, "subject": "x" * 501}, "subject"),
    ({**DECLINED, "body": "x" * 20_001}, "body"),
    ({**DECLINED, "body": "card\x00declined"}, "body"),
    ({**DECLINED, "channel": "E mail"}, "channel"),
    ({**DECLINED, "priority": "high"}, "priority"),
    ({k: v for k, v in DECLINED.items() if k != "body"}, "body"),
    ({k: v for k, v in DECLINED.items() if k != "ticket_id"}, "ticket_id"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD_BODIES)])
def test_a_bad_field_is_a_422_naming_it(app, client, body, field) -> None:
    response = client.post(PATH, json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_body"
    assert field in [error["field"] for error in response.get_json()["errors"]]
    assert stored(app)["autoreply_tickets"] == []


@pytest.mark.parametrize(
    ("data", "headers", "status"),
    [
        ("{}", {}, 401),  # no token
        ("{}", {"Authorization": "Bearer wrong-token-00000"}, 401),
        ("ticket=1", {**AUTH, "Content-Type": "application/x-www-form-urlencoded"}, 415),
        ("{not json", {**AUTH, "Content-Type": "application/json"}, 400),
        ("[" * 40 + "]" * 40, {**AUTH, "Content-Type": "application/json"}, 400),
        ('["a list"]', {**AUTH, "Content-Type": "application/json"}, 422),
        ('"text"', {**AUTH, "Content-Type": "application/json"}, 422),
        ("x" * (65 * 1024), {**AUTH, "Content-Type": "application/json"}, 413),
    ],
    ids=["no token", "wrong token", "form", "not JSON", "too deep", "list", "string", "too large"],
)
def test_a_bad_request_is_a_json_4xx(app, client, data, headers, status) -> None:
    response = client.post(PATH, data=data, headers=headers)
    assert response.status_code == status
    assert response.is_json and response.get_json()["error"]
    assert stored(app)["autoreply_tickets"] == []


def test_without_a_search_index_nothing_is_stored(url, tmp_path) -> None:
    app = make_app(url, tmp_path / "none")
    response = app.test_client().post(PATH, json=DECLINED, headers=AUTH)
    assert response.status_code == 503 and response.get_json()["error"] == "index_unavailable"
    assert stored(app)["autoreply_tickets"] == []
    app.extensions["kb_engine"].dispose()


# Tracking links --------------------------------------------------------------------------------------------


def suggest(client, ticket=DECLINED) -> list[str]:
    body = client.post(PATH, json=ticket, headers=AUTH).get_json()
    return [token_of(article["url"]) for article in body["articles"]]


@pytest.mark.parametrize(
    ("ticket", "location"),
    [(DECLINED, "/cards/card-payment-declined/"), (REMBOURSEMENT, "/fr/payments/request-a-refund/")],
    ids=["en", "fr"],
)
def test_a_link_counts_the_click_and_redirects_to_the_article_in_the_tickets_language(
    app, client, ticket, location
) -> None:
    token = suggest(client, ticket)[0]
    for _ in range(2):
        response = client.get(f"/r/{token}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"{location}#kb-reply={token}"
        assert response.headers["Cache-Control"] == "no-store"
    assert client.head(f"/r/{token}").status_code == 302  # a link checker: not a click
    (link,) = [row for row in stored(app)["autoreply_links"] if row["rank"] == 1]
    assert link["clicks"] == 2 and link["first_click_at"] is not None
    assert token not in str(stored(app))  # only its hash is kept


def tampered(token: str) -> list[str]:
    flip = "A" if token[-1] != "A" else "B"
    return [
        token[:-1] + flip,  # one character changed
        token[:-1],  # cut short
        token + "A",  # longer
        token.upper(),
        "x" * 43,
        "short",
        "..%2F..%2Fevil.example",
        "https:%2F%2Fevil.example",
        token + "/../../evil",
    ]


def test_a_tampered_or_unknown_token_gets_a_page_and_no_redirect(app, client) -> None:
    token = suggest(client)[0]
    for bad in tampered(token):
        response = client.get(f"/r/{bad}")
        assert response.status_code == 404, bad
        assert "Location" not in response.headers
        assert "This link is not valid" in response.get_data(as_text=True)
    assert all(row["clicks"] == 0 for row in stored(app)["autoreply_links"])


def expired_link(app, lang: str = "en", article: str = "card-payment-declined") -> str:
    """A link whose time ran out, stored the way the endpoint stores one."""
    token = "expired-token-0123456789abcdefghijklmnop"
    long_ago = datetime.now(UTC) - timedelta(days=20)
    ticket = {"ticket_id": "9", "lang": lang, "case_reason": None, "channel": None, "template": None}
    record_ticket(
        app.extensions["kb_engine"],
        {**ticket, "suggested": 1, "created_at": long_ago},
        [
            {
                "token": token,
                "article": article,
                "lang": lang,
                "rank": 1,
                "created_at": long_ago,
                "expires_at": long_ago + timedelta(days=14),
            }
        ],
    )
    return token


@pytest.mark.parametrize(("lang", "says"), [("en", "This link has expired"), ("fr", "Ce lien a expiré")])
def test_an_expired_link_says_so_in_the_tickets_language(app, client, lang, says) -> None:
    token = expired_link(app, lang, "card-payment-declined")
    response = client.get(f"/r/{token}")
    assert response.status_code == 410
    assert "Location" not in response.headers
    assert says in response.get_data(as_text=True)
    answer = client.post("/api/v1/autoreply/outcome", json={"token": token, "solved": True})
    assert answer.status_code == 410 and answer.get_json()["error"] == "link_expired"
    assert stored(app)["autoreply_links"][0]["outcome"] is None


# Answers ---------------------------------------------------------------------------------------------------

OUTCOME = "/api/v1/autoreply/outcome"


@pytest.mark.parametrize("solved", [True, False], ids=["solved", "not solved"])
def test_an_answer_is_recorded_once_per_link(app, client, solved) -> None:
    token = suggest(client)[0]
    client.get(f"/r/{token}")
    first = client.post(OUTCOME, json={"token": token, "solved": solved})
    assert first.status_code == 200
    assert first.get_json() == {"recorded": "solved" if solved else "not_solved"}
    again = client.post(OUTCOME, json={"token": token, "solved": not solved})
    assert again.status_code == 409 and again.get_json()["error"] == "already_answered"
    (link,) = [row for row in stored(app)["autoreply_links"] if row["rank"] == 1]
    assert link["outcome"] == ("solved" if solved else "not_solved")


def test_the_browser_may_send_the_answer_as_text_plain(app, client) -> None:
    token = suggest(client)[0]
    response = client.post(OUTCOME, data=f'{{"token": "{token}", "solved": true}}', content_type="text/plain")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"token": "unknown-token-000000000000000000", "solved": True}, 404),
        ({"token": "short", "solved": True}, 422),
        ({"token": "unknown-token-000000000000000000", "solved": "yes"}, 422),
        ({"token": "unknown-token-000000000000000000"}, 422),
        ({"token": "unknown-token-000000000000000000", "solved": True, "ticket_id": "1"}, 422),
    ],
    ids=["unknown token", "malformed token", "solved not a boolean", "no answer", "unknown field"],
)
def test_a_bad_answer_is_a_json_4xx_and_changes_nothing(app, client, body, status) -> None:
    suggest(client)
    response = client.post(OUTCOME, json=body)
    assert response.status_code == status and response.get_json()["error"]
    assert all(row["outcome"] is None for row in stored(app)["autoreply_links"])


# Retention -------------------------------------------------------------------------------------------------


def test_rows_past_the_retention_period_are_deleted_when_the_service_starts(url, index) -> None:
    engine = connect(url)
    migrate(engine)
    now = datetime.now(UTC)
    for ticket_id, age in (("old", 200), ("recent", 10)):
        when = now - timedelta(days=age)
        record_ticket(
            engine,
            {"ticket_id": ticket_id, "lang": "en", "case_reason": None, "channel": None, "template": None}
            | {"suggested": 1, "created_at": when},
            [
                {"token": f"{ticket_id}-token-000000000000000000", "article": "card-payment-declined", "lang": "en"}
                | {"rank": 1, "created_at": when, "expires_at": when + timedelta(days=14)}
            ],
        )
    engine.dispose()
    app = make_app(url, index, autoreply_retention_days=180)
    rows = stored(app)
    app.extensions["kb_engine"].dispose()
    assert [row["ticket_id"] for row in rows["autoreply_tickets"]] == ["recent"]
    assert len(rows["autoreply_links"]) == 1


def test_the_description_lists_the_routes(client) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"200", "401", "400", "413", "415", "422", "503"} <= paths[PATH]["post"]["responses"].keys()
    assert {"200", "404", "409", "410", "422"} <= paths[OUTCOME]["post"]["responses"].keys()
    assert paths["/api/v1/reports/autoreplies"]["get"]["security"] == [{"bearer": []}]
