"""GET /api/v1/popular (the help center home page's popular articles) through Flask's test client, on SQLite
and on a real PostgreSQL server, over a small knowledge base: views in, the most viewed public articles of the
reader's language out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import MiniKB, page
from databases import BACKENDS, database_url

from kbtools.analytics.store import insert_events
from kbtools.service import create_app


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path):
    kb = MiniKB(tmp_path / "kb")
    kb.both("cards/freeze.md", page("freeze", "Freeze a card"), page("freeze", "Geler une carte"))
    kb.both("cards/limits.md", page("limits", "Card limits"), page("limits", "Plafonds de carte"))
    kb.write("en/cards/pin.md", page("pin", "Change your PIN"))  # English only: the French site shows it as is
    kb.both(
        "playbooks/fraud.md", *[page("fraud", "Fraud SOP", type="sop", audience="internal", category="playbooks")] * 2
    )
    kb.both("cards/old.md", *[page("old", "Old page", status="archived")] * 2)
    application = create_app(
        {
            "root": str(kb.root),
            "database_url": database_url(request.param, tmp_path),
            "rate_limit": "off",
            "site_dir": str(tmp_path / "site"),
            "api_tokens": ["popular-token-0001"],
        }
    )
    yield application
    application.extensions["kb_engine"].dispose()


def views(app, article: str, lang: str, count: int, *, site: str | None = "public", days_ago: float = 1) -> None:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    rows = [
        {
            "type": "view",
            "article": article,
            "lang": lang,
            "version": None,
            "site": site,
            "session": f"session-{article}-{index:04d}",
            "query": None,
            "query_norm": None,
            "results": None,
            "created_at": when,
        }
        for index in range(count)
    ]
    with app.extensions["kb_engine"].begin() as connection:
        insert_events(connection, rows)


def test_most_viewed_public_articles_of_the_readers_language_first(app) -> None:
    views(app, "limits", "fr", 5)
    views(app, "freeze", "fr", 3)
    views(app, "freeze", "en", 9)  # the English site's readers
    views(app, "pin", "fr", 2)  # shown untranslated on the French site
    views(app, "freeze", "fr", 2, site=None)  # stored before events said their site: the help center's
    body = app.test_client().get("/api/v1/popular?lang=fr").get_json()
    assert body == {
        "lang": "fr",
        "days": 30,
        "articles": [
            {"id": "freeze", "title": "Geler une carte", "url": "fr/cards/freeze/", "views": 5},
            {"id": "limits", "title": "Plafonds de carte", "url": "fr/cards/limits/", "views": 5},
            {"id": "pin", "title": "Change your PIN", "url": "fr/cards/pin/", "views": 2},
        ],
    }
    english = app.test_client().get("/api/v1/popular?limit=1").get_json()  # default language, first only
    assert english["articles"] == [{"id": "freeze", "title": "Freeze a card", "url": "cards/freeze/", "views": 9}]


@pytest.mark.parametrize(
    ("article", "site", "days_ago"),
    [
        ("fraud", "public", 1),  # an internal SOP: never on the help center's home page
        ("fraud", "internal", 1),
        ("freeze", "internal", 1),  # the agent wiki's views are not customers'
        ("freeze", "public", 31),  # older than the 30 days
        ("old", "public", 1),  # archived: no longer published
        ("gone", "public", 1),  # no such page
    ],
)
def test_what_the_help_center_does_not_show_is_never_popular(app, article: str, site: str, days_ago: float) -> None:
    views(app, article, "en", 4, site=site, days_ago=days_ago)
    body = app.test_client().get("/api/v1/popular?lang=en").get_json()
    assert body["articles"] == []


def test_answers_are_cached_for_browsers_cdns_and_the_worker(app) -> None:
    client = app.test_client()
    views(app, "limits", "en", 1)
    first = client.get("/api/v1/popular?lang=en")
    assert first.status_code == 200
    cache = first.headers["Cache-Control"]
    assert cache.startswith("public, max-age=") and 0 < int(cache.rsplit("=", 1)[1]) <= 300
    views(app, "freeze", "en", 3)  # within the cache's lifetime: the same answer
    assert client.get("/api/v1/popular?lang=en").get_json() == first.get_json()
    assert client.get("/api/v1/popular?lang=en&limit=2").get_json()["articles"][0]["id"] == "freeze"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lang=de", "lang"),
        ("lang=", "lang"),
        ("limit=0", "limit"),
        ("limit=21", "limit"),
        ("limit=six", "limit"),
        ("limit=%D9%A3", "limit"),  # an Arabic-Indic digit: a digit to str.isdigit, not to int()
        ("limit=-1", "limit"),
        ("page=2", "page"),
        ("lang=fr&lang=en&session=x", "session"),
    ],
)
def test_bad_queries_are_422_json_naming_the_field(app, query: str, field: str) -> None:
    answer = app.test_client().get(f"/api/v1/popular?{query}")
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"] == "invalid_parameters"
    assert body["errors"][0]["field"] == field
