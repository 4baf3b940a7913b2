"""GET /api/v1/search over the sample content: public vs signed-in agents, logging, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT
from sqlalchemy import select

from kbtools.project import KnowledgeBase
from kbtools.service import create_app
from kbtools.service.db import events
from search import build_index

TOKEN = "search-token-0001"
AGENT = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build_index(KnowledgeBase(REPO_ROOT), folder)
    return folder


@pytest.fixture
def app(index_dir: Path, tmp_path: Path):
    return create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(index_dir),
        }
    )


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
    ],
)
def test_bad_parameters_get_422(app, query: str, field: str) -> None:
    answer = app.test_client().get(f"/api/v1/search?{query}")
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == field


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
