"""Reports on a small, hand-computed set of events, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from databases import BACKENDS, database_url

from kbtools.service import create_app
from kbtools.service.db import insert_events, upsert_votes
from kbtools.service.metrics import wilson_lower_bound

TOKEN = "test-token-123456"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
A = "card-payment-declined"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def ev(kind: str, session: str, when: datetime, article: str | None = A, lang: str = "en", **extra):
    row = {
        "type": kind,
        "article": article,
        "lang": lang,
        "session": session,
        "version": None,
        "site": "public",
        "query": None,
        "query_norm": None,
        "results": None,
        "created_at": when,
    }
    return row | extra


def vote(session: str, helpful: bool, when: datetime):
    return {
        "session": session,
        "article": A,
        "lang": "en",
        "version": "aaa1111",
        "helpful": helpful,
        "reason": None,
        "comment": None,
        "created_at": when,
    }


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest, tmp_path: Path):
    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": database_url(request.param, tmp_path),
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(tmp_path / "none"),
        }
    )
    rows = [
        # 20 November: s1, s2, s3 read A; s2 then contacts support; s4 only searches, with no result
        ev("view", "session-1", at(20, 9), version="aaa1111"),
        ev("view", "session-1", at(20, 10), version="aaa1111"),
        ev("view", "session-2", at(20, 11), version="aaa1111"),
        ev("contact", "session-2", at(20, 12)),
        ev("view", "session-3", at(20, 13), version="bbb2222"),
        ev(
            "search",
            "session-4",
            at(20, 14),
            article=None,
            lang="fr",
            query="Carte refusée",
            query_norm="carte refusee",
            results=0,
        ),
        # 21 November: s5 searches, reads, contacts; s6 reads; s7 is an agent in the wiki (not the help center)
        ev("search", "session-5", at(21, 8), article=None, query="refund", query_norm="refund", results=3),
        ev("view", "session-5", at(21, 9), article="request-a-refund"),
        ev("contact", "session-5", at(21, 10), article="request-a-refund"),
        ev("view", "session-6", at(21, 11), article="request-a-refund"),
        ev("view", "session-7", at(21, 12), article="request-a-refund", site="internal"),
        ev(
            "search",
            "session-8",
            at(21, 13),
            article=None,
            lang="fr",
            query="carte refusee !",
            query_norm="carte refusee",
            results=0,
        ),
    ]
    with app.extensions["kb_engine"].begin() as connection:
        insert_events(connection, rows)
        upsert_votes(
            connection,
            [
                vote("session-1", True, at(20, 9)),
                vote("session-2", False, at(20, 11)),
                vote("session-3", True, at(20, 13)),
            ],
        )
    yield app.test_client()
    app.extensions["kb_engine"].dispose()


def test_wilson_lower_bound_by_hand() -> None:
    assert wilson_lower_bound(2, 3) == pytest.approx(0.2077, abs=1e-4)
    assert wilson_lower_bound(0, 0) is None
    assert wilson_lower_bound(10, 10) == pytest.approx(0.7225, abs=1e-4)


def test_article_stats(client) -> None:
    answer = client.get("/api/v1/stats/articles?from=2026-11-20&to=2026-11-21&lang=en", headers=AUTH)
    assert answer.status_code == 200
    stats = {row["article"]: row for row in answer.get_json()["articles"]}
    declined = stats[A]
    assert (declined["views"], declined["sessions"], declined["votes_up"], declined["votes_down"]) == (4, 3, 2, 1)
    assert declined["helpful_rate"] == pytest.approx(2 / 3)
    assert declined["helpful_lower_bound"] == pytest.approx(0.2077, abs=1e-4)
    assert declined["contact_rate"] == pytest.approx(1 / 3)
    assert declined["title"] == "My card payment was declined"
    by_version = {v["version"]: (v["views"], v["sessions"]) for v in declined["versions"] if v["views"]}
    assert by_version == {"aaa1111": (3, 2), "bbb2222": (1, 1)}
    refund = stats["request-a-refund"]
    assert (refund["views"], refund["sessions"], refund["contact_rate"]) == (3, 3, pytest.approx(1 / 3))


def test_deflection_by_day_and_in_total(client) -> None:
    report = client.get("/api/v1/reports/deflection?from=2026-11-20&to=2026-11-21", headers=AUTH).get_json()
    days = {d["day"]: d for d in report["days"]}
    first, second = days["2026-11-20"], days["2026-11-21"]
    assert (first["sessions"], first["view_sessions"], first["contact_sessions"]) == (4, 3, 1)
    assert first["deflection_rate"] == pytest.approx(2 / 3) and first["self_service_score"] == 4.0
    assert (second["sessions"], second["view_sessions"], second["contact_sessions"]) == (3, 2, 1)
    assert second["deflection_rate"] == pytest.approx(0.5)
    total = report["total"]
    assert (total["sessions"], total["view_sessions"], total["contact_sessions"]) == (7, 5, 2)
    assert total["deflection_rate"] == pytest.approx(0.6) and total["self_service_score"] == 3.5
    csv_text = client.get("/api/v1/reports/deflection?from=2026-11-20&to=2026-11-21&format=csv", headers=AUTH).text
    assert csv_text.splitlines()[0] == "day,sessions,view_sessions,contact_sessions,deflection_rate,self_service_score"
    assert csv_text.splitlines()[-1].startswith("total,7,5,2,0.6")


def test_gaps(client) -> None:
    report = client.get("/api/v1/reports/gaps?from=2026-11-20&to=2026-11-21", headers=AUTH).get_json()
    assert [(g["query"], g["lang"], g["searches"], g["sessions"]) for g in report["no_results"]] == [
        ("carte refusee", "fr", 2, 2)
    ]
    assert [(g["query"], g["lang"], g["sessions"]) for g in report["followed_by_contact"]] == [("refund", "en", 1)]


def test_reports_need_an_agent_and_valid_parameters(client) -> None:
    assert client.get("/api/v1/reports/gaps").status_code == 401
    assert client.get("/api/v1/stats/articles", headers={"Authorization": "Bearer wrong"}).status_code == 401
    bad = client.get("/api/v1/reports/deflection?from=yesterday&format=xml", headers=AUTH)
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "from"
    assert client.get("/api/v1/stats/articles?lang=de", headers=AUTH).status_code == 422
