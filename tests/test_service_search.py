"""GET /api/v1/search over the sample content: public vs signed-in agents, logging, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT
from databases import BACKENDS, database_url
from sqlalchemy import select

from kbtools.analytics.store import events
from kbtools.model.project import KnowledgeBase
from kbtools.service import create_app
from search import build_index

TOKEN = "search-token-0001"
AGENT = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build_index(KnowledgeBase(REPO_ROOT), folder)
    return folder


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, index_dir: Path, tmp_path: Path):
    application = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": database_url(request.param, tmp_path),
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(index_dir),
        }
    )
    yield application
    application.extensions["kb_engine"].dispose()


def _logged(app) -> list:
    with app.extensions["kb_engine"].connect() as connection:
        return connection.execute(
            select(events.c.query, events.c.query_norm, events.c.lang, events.c.results).order_by(events.c.id)
        ).all()


def test_public_search_never_returns_internal_content(app) -> None:
    answer = app.test_client().get("/api/v1/search?q=refund&lang=en&per_page=50")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["audience"] == "public" and body["total"] > 0
    assert {hit["type"] for hit in body["hits"]} <= {"article", "troubleshooting"}
    assert all(not hit["snippet"]["agent"] for hit in body["hits"])
    assert all("reply" not in hit for hit in body["hits"])


def test_agents_find_macros_with_their_reply(app) -> None:
    body = app.test_client().get("/api/v1/search?q=refund+approved&lang=en&type=macro", headers=AGENT).get_json()
    assert body["audience"] == "internal"
    first = body["hits"][0]
    assert first["id"] == "macro-refund-approved"
    assert first["reply"].startswith("Hi {{ticket.requester.first_name}}")
    # What Copy reply copies from the results: the macro page's text, links absolute for the customer
    lost = app.test_client().get("/api/v1/search?q=card+blocked&lang=en&type=macro", headers=AGENT).get_json()
    reply = next(hit["reply"] for hit in lost["hits"] if hit["id"] == "macro-lost-card-blocked")
    assert "[virtual card](http://127.0.0.1:8000/cards/create-a-virtual-card/)" in reply
    assert ".md)" not in reply and "!!! agent" not in reply


def test_every_query_is_logged_with_its_result_count(app) -> None:
    client = app.test_client()
    client.get("/api/v1/search?q=carte+bloquee&lang=fr&session=wiki-tab-000001")
    client.get("/api/v1/search?q=xqzjvkwp&lang=en")
    with app.extensions["kb_engine"].connect() as connection:
        rows = connection.execute(select(events.c.query_norm, events.c.lang, events.c.results, events.c.session)).all()
    logged = {row.query_norm: row for row in rows}
    assert logged["carte bloquee"].results > 0 and logged["carte bloquee"].session == "wiki-tab-000001"
    assert logged["xqzjvkwp"].results == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "q"),
        ("q=" + "x" * 201, "q"),
        ("q=card&lang=de", "lang"),
        ("q=card&page=0", "page"),
        ("q=card&per_page=500", "per_page"),
        ("q=card&sort=date", "sort"),
        ("q=card&session=bad%20id", "session"),
        ("q=card&session=", "session"),
        ("q=card&site_lang=de", "site_lang"),
        # PostgreSQL cannot store NUL in text: the search would answer and its event be lost
        ("q=x%00", "q"),
        ("q=carte%01refus%C3%A9e", "q"),
    ],
)
def test_bad_parameters_get_422(app, query: str, field: str) -> None:
    answer = app.test_client().get(f"/api/v1/search?{query}")
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == field
    assert _logged(app) == []


def test_no_index_yet_is_a_503(tmp_path: Path) -> None:
    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "search_index": str(tmp_path / "missing"),
        }
    )
    answer = app.test_client().get("/api/v1/search?q=card")
    assert answer.status_code == 503 and answer.get_json()["error"] == "index_unavailable"


def test_a_search_is_logged_in_the_language_of_the_page_it_was_made_from(app) -> None:
    client = app.test_client()
    client.get("/api/v1/search?q=carte+bloquee&site_lang=fr")  # the French wiki, searching every language
    client.get("/api/v1/search?q=card+blocked&lang=en&site_lang=fr")  # the language filter wins
    client.get("/api/v1/search?q=card+blocked")  # neither: the default language
    assert [(row.query_norm, row.lang) for row in _logged(app)] == [
        ("carte bloquee", "fr"),
        ("card blocked", "en"),
        ("card blocked", "en"),
    ]


def test_a_search_left_empty_by_a_filter_alone_is_not_a_content_gap(app) -> None:
    client = app.test_client()
    # Public content holds no macro: the filter leaves nothing, the query itself finds pages
    filtered = client.get("/api/v1/search?q=refund&lang=en&type=macro").get_json()
    unfiltered = client.get("/api/v1/search?q=refund&lang=en").get_json()
    assert filtered["total"] == 0 and unfiltered["total"] > 0
    nothing = client.get("/api/v1/search?q=xqzjvkwp&lang=en&type=macro").get_json()
    assert nothing["total"] == 0
    logged = [(row.query_norm, row.results) for row in _logged(app)]
    assert logged == [("refund", unfiltered["total"]), ("refund", unfiltered["total"]), ("xqzjvkwp", 0)]
    report = client.get("/api/v1/reports/gaps", headers=AGENT).get_json()
    assert [gap["query"] for gap in report["no_results"]] == ["xqzjvkwp"]


@pytest.mark.parametrize("query", ["%CC%81", "%21%3F", "*", "%E2%80%A6", "-", "_", "%22%22"])
def test_a_query_without_any_word_finds_nothing_and_is_not_logged(app, query: str) -> None:
    answer = app.test_client().get(f"/api/v1/search?q={query}&lang=en", headers=AGENT)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["total"], body["hits"]) == (0, [])
    assert _logged(app) == []


def test_query_syntax_is_searched_as_plain_words(app) -> None:
    client = app.test_client()
    plain = client.get("/api/v1/search?q=refund&lang=en&per_page=50", headers=AGENT).get_json()
    for syntax in ("refund*", "refund^9", '"refund"', "(refund)", "refund~2", "+refund", "refund AND *:*"):
        found = client.get("/api/v1/search", query_string={"q": syntax, "lang": "en", "per_page": 50}, headers=AGENT)
        assert [hit["id"] for hit in found.get_json()["hits"]] == [hit["id"] for hit in plain["hits"]], syntax
    word = client.get("/api/v1/search?q=title&per_page=50", headers=AGENT).get_json()
    field = client.get("/api/v1/search?q=title%3A*&per_page=50", headers=AGENT).get_json()
    assert (field["total"], field["hits"]) == (word["total"], word["hits"])
    assert field["suggestion"] is None or not set(field["suggestion"]) & set(":*")
