"""Reports on a small, hand-computed set of events, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO_ROOT, MiniKB, page
from databases import BACKENDS, database_url

from kbtools.analytics.metrics import wilson_lower_bound
from kbtools.analytics.store import insert_events, upsert_votes
from kbtools.model.project import KnowledgeBase
from kbtools.service import create_app
from search import build_index

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
    refund = stats["request-a-refund"]  # session-7 read it in the wiki: not a help-center view
    assert (refund["views"], refund["sessions"], refund["contact_rate"]) == (2, 2, pytest.approx(1 / 2))


def test_reports_say_their_period_and_match_their_description(client) -> None:
    from openapi_schema_validator import OAS30Validator

    components = client.get("/api/v1/openapi.json").get_json()["components"]
    for path, name in [
        ("/api/v1/stats/articles", "ArticleStats"),
        ("/api/v1/stats/macros", "MacroStats"),
        ("/api/v1/reports/deflection", "Deflection"),
        ("/api/v1/reports/gaps", "Gaps"),
    ]:
        body = client.get(f"{path}?from=2026-11-20&to=2026-11-21&lang=en", headers=AUTH).get_json()
        assert (body["from"], body["to"], body["lang"]) == ("2026-11-20", "2026-11-21", "en"), path
        OAS30Validator({"$ref": f"#/components/schemas/{name}", "components": components}).validate(body)
        assert {"from", "to", "lang"} <= set(components["schemas"][name]["required"])
    body = client.get("/api/v1/stats/articles?to=2026-11-21", headers=AUTH).get_json()
    assert (body["from"], body["to"], body["lang"], body["site"]) == ("2026-10-23", "2026-11-21", None, "public")


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


@pytest.mark.parametrize(
    "path", ["/api/v1/stats/articles", "/api/v1/stats/macros", "/api/v1/reports/deflection", "/api/v1/reports/gaps"]
)
@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ("to=9999-12-31", "to"),
        ("from=0001-01-01", "from"),
        ("from=0001-01-01&to=0001-01-30", "from"),
        ("from=1969-12-31&to=2026-11-21", "from"),
        ("from=2026-11-21&to=2026-11-20", "from"),
        ("from=9999-12-31", "from"),
    ],
)
def test_out_of_range_dates_are_a_422(client, path: str, dates: str, field: str) -> None:
    answer = client.get(f"{path}?{dates}", headers=AUTH)
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == field


def test_the_widest_period_is_answered(client) -> None:
    for path in (
        "/api/v1/stats/articles",
        "/api/v1/stats/macros",
        "/api/v1/reports/deflection",
        "/api/v1/reports/gaps",
    ):
        assert client.get(f"{path}?from=1970-01-01&to=9999-12-30", headers=AUTH).status_code == 200


# Content gaps and translation gaps, on a real search index over a small knowledge base


def _gaps_kb(root: Path) -> MiniKB:
    kb = MiniKB(root)
    kb.both(
        "cards/card-payment-declined.md",
        page(
            "card-payment-declined",
            "My card payment was declined",
            keywords="[card refused]",
            body="The merchant refused the card: check the monthly limit.\n",
        ),
        page(
            "card-payment-declined",
            "Mon paiement par carte a été refusé",
            keywords="[carte refusée]",
            body="Le commerçant a refusé la carte : vérifiez le plafond mensuel.\n",
        ),
    )
    kb.both(
        "billing/transfer-ownership.md",
        page(
            "transfer-ownership",
            "Transfer account ownership",
            category="billing",
            owner="billing",
            body="Send us a Kbis extract of the company.\n",
        ),
        page(
            "transfer-ownership",
            "Transférer la propriété du compte",
            category="billing",
            owner="billing",
            body="Envoyez-nous un extrait Kbis de la société.\n",
        ),
    )
    # Not translated yet
    kb.write(
        "en/billing/expense-reimbursement.md",
        page(
            "expense-reimbursement",
            "Expense reimbursement",
            category="billing",
            owner="billing",
            body="Reimbursements are paid every Friday.\n",
        ),
    )
    kb.write(
        "en/billing/expense-comments.md",
        page(
            "expense-comments",
            "Add a comment to an expense",
            category="billing",
            owner="billing",
            body="Comments are shown to the approver.\n",
        ),
    )
    kb.write(
        "en/cards/apple-pay.md",
        page("apple-pay", "Add your card to Apple Pay", body="Open the Wallet app on your iPhone.\n"),
    )
    return kb


@pytest.fixture(params=BACKENDS)
def gaps_client(request: pytest.FixtureRequest, tmp_path: Path):
    kb = _gaps_kb(tmp_path / "kb")
    build_index(KnowledgeBase.at(kb.root), tmp_path / "index")
    app = create_app(
        {
            "root": str(kb.root),
            "database_url": database_url(request.param, tmp_path),
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(tmp_path / "index"),
        }
    )
    yield app
    app.extensions["kb_engine"].dispose()


def _no_result(app, searches: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    rows = [
        ev("search", f"session-{n:02d}", at(20, 9), article=None, lang=lang, query=text, query_norm=text, results=0)
        for n, (text, lang) in enumerate(searches)
    ]
    with app.extensions["kb_engine"].begin() as connection:
        insert_events(connection, rows)
    report = app.test_client().get("/api/v1/reports/gaps?from=2026-11-20&to=2026-11-21", headers=AUTH).get_json()
    return {(gap["query"], gap["lang"]): gap["gap"] for gap in report["no_results"]}


def test_a_translation_gap_is_a_query_english_content_really_answers(gaps_client) -> None:
    found = _no_result(
        gaps_client,
        [
            # Untranslated English pages hold every word as typed (French stop words left out)
            ("apple pay", "fr"),
            ("apple pay sur iphone", "fr"),
            # Close to English words, but only through typo correction or stemming: not an answer
            ("carte refusee", "fr"),
            ("remboursement", "fr"),
            # One word in English content is not enough: every meaningful word must be there
            ("comment resilier", "fr"),
            ("ajouter un commentaire", "fr"),
            # English content answers it, but the French help center has that page in French already
            ("kbis", "fr"),
            # A query in the default language is always a content gap
            ("apple pay", "en"),
            ("le", "fr"),
        ],
    )
    assert found == {
        ("apple pay", "fr"): "translation",
        ("apple pay sur iphone", "fr"): "translation",
        ("carte refusee", "fr"): "content",
        ("remboursement", "fr"): "content",
        ("comment resilier", "fr"): "content",
        ("ajouter un commentaire", "fr"): "content",
        ("kbis", "fr"): "content",
        ("apple pay", "en"): "content",
        ("le", "fr"): "content",
    }
    dashboard = gaps_client.test_client().get("/internal/dashboard?from=2026-11-20&to=2026-11-21", headers=AUTH)
    assert dashboard.status_code == 200


def test_without_a_usable_index_every_gap_is_a_content_gap(client, tmp_path: Path) -> None:
    (tmp_path / "none").mkdir()  # the folder exists, no index in it yet: no 500
    report = client.get("/api/v1/reports/gaps?from=2026-11-20&to=2026-11-21", headers=AUTH).get_json()
    assert [(g["query"], g["gap"]) for g in report["no_results"]] == [("carte refusee", "content")]


# The help-center reports count the help center; the agent wiki's traffic is left out


def _post(client, *events: dict) -> None:
    answer = client.post("/api/v1/events", json={"events": list(events)}, headers=AUTH)  # wiki events: an agent's
    assert answer.status_code == 202, answer.get_json()


def _on_site(site: str, kind: str, session: str, article: str = A, **fields) -> dict:
    return {"type": kind, "article": article, "lang": "en", "session": session, "site": site, **fields}


def test_wiki_views_votes_and_contacts_are_not_help_center_stats(client) -> None:
    period = "from=2000-01-01&to=9999-12-30&lang=en"
    before = {
        r["article"]: r for r in client.get(f"/api/v1/stats/articles?{period}", headers=AUTH).get_json()["articles"]
    }
    # Agents read card-payment-declined in the wiki, vote on it, click its contact link
    _post(
        client,
        _on_site("internal", "view", "agent-tab-0001"),
        _on_site("internal", "vote", "agent-tab-0001", helpful=False, comment="Agents only: ask for the last 4 digits"),
        _on_site("internal", "contact", "agent-tab-0001"),
        _on_site("internal", "view", "agent-tab-0001", article="macro-card-declined-first-response"),
    )
    stats = client.get(f"/api/v1/stats/articles?{period}", headers=AUTH).get_json()
    assert stats["site"] == "public"
    rows = {r["article"]: r for r in stats["articles"]}
    assert "macro-card-declined-first-response" not in rows
    assert rows[A] == before[A]  # 4 views, 3 sessions, 2 up, 1 down, 1 contact session: unchanged

    wiki = client.get(f"/api/v1/stats/articles?{period}&site=internal", headers=AUTH).get_json()
    rows = {r["article"]: r for r in wiki["articles"]}
    assert wiki["site"] == "internal"
    assert set(rows) == {A, "macro-card-declined-first-response", "request-a-refund"}  # session-7's view
    declined = rows[A]
    assert (declined["views"], declined["votes_up"], declined["votes_down"], declined["contact_sessions"]) == (
        1,
        0,
        1,
        1,
    )

    both = {
        r["article"]: r
        for r in client.get(f"/api/v1/stats/articles?{period}&site=all", headers=AUTH).get_json()["articles"]
    }
    assert (both[A]["views"], both[A]["votes_down"], both[A]["contact_sessions"]) == (5, 2, 2)

    bad = client.get("/api/v1/stats/articles?site=wiki", headers=AUTH)
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == [{"field": "site", "message": "expected one of public, internal, all"}]


def test_a_later_vote_on_the_other_site_replaces_the_earlier_one(client) -> None:
    period = "from=2000-01-01&to=9999-12-30&lang=en"
    _post(client, _on_site("public", "vote", "agent-tab-0002", article="request-a-refund", helpful=True))
    _post(client, _on_site("internal", "vote", "agent-tab-0002", article="request-a-refund", helpful=False))

    def votes(site: str) -> tuple[int, int]:
        rows = client.get(f"/api/v1/stats/articles?{period}&site={site}", headers=AUTH).get_json()["articles"]
        refund = next((r for r in rows if r["article"] == "request-a-refund"), {"votes_up": 0, "votes_down": 0})
        return refund["votes_up"], refund["votes_down"]

    assert (votes("public"), votes("internal"), votes("all")) == ((0, 0), (0, 1), (0, 1))


# Macro copies


def test_macro_copies_per_macro_and_language(client) -> None:
    copy = {"type": "macro_used", "site": "internal"}
    _post(
        client,
        {**copy, "article": "macro-refund-approved", "lang": "en", "session": "agent-tab-0001"},
        {**copy, "article": "macro-refund-approved", "lang": "en", "session": "agent-tab-0001"},
        {**copy, "article": "macro-refund-approved", "lang": "en", "session": "agent-tab-0002"},
        {**copy, "article": "macro-refund-approved", "lang": "fr", "session": "agent-tab-0003"},
        {**copy, "article": "macro-lost-card-blocked", "lang": "en", "session": "agent-tab-0002"},
    )
    report = client.get("/api/v1/stats/macros", headers=AUTH).get_json()
    assert [(m["article"], m["lang"], m["copies"], m["sessions"]) for m in report["macros"]] == [
        ("macro-refund-approved", "en", 3, 2),
        ("macro-lost-card-blocked", "en", 1, 1),
        ("macro-refund-approved", "fr", 1, 1),
    ]
    assert report["macros"][0]["title"] == "Refund approved"
    french = client.get("/api/v1/stats/macros?lang=fr", headers=AUTH).get_json()["macros"]
    assert [(m["article"], m["copies"]) for m in french] == [("macro-refund-approved", 1)]
    assert client.get("/api/v1/stats/macros?from=2026-11-20&to=2026-11-21", headers=AUTH).get_json()["macros"] == []
    assert client.get("/api/v1/stats/macros").status_code == 401
    assert client.get("/api/v1/stats/macros?type=macro", headers=AUTH).status_code == 422


def test_days_are_utc_days_whatever_the_database_session_time_zone(tmp_path: Path) -> None:
    # A PostgreSQL server or role set to UTC+14 must not move 20 November 12:00 UTC to the 21st.
    url = database_url("postgresql", tmp_path) + "?options=-ctimezone%3DPacific%2FKiritimati"
    app = create_app({"root": str(REPO_ROOT), "database_url": url, "rate_limit": "off", "api_tokens": [TOKEN]})
    with app.extensions["kb_engine"].begin() as connection:
        insert_events(connection, [ev("view", "session-1", at(20, 12))])
    report = app.test_client().get("/api/v1/reports/deflection?from=2026-11-20&to=2026-11-21", headers=AUTH)
    assert [day["day"] for day in report.get_json()["days"] if day["sessions"]] == ["2026-11-20"]
