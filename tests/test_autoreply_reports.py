"""The auto-reply report on a small, hand-computed set of tickets, on SQLite and PostgreSQL: the metrics, the
API report with its filters, the dashboard's section and `kb report`'s file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from databases import BACKENDS, database_url

from kbtools.analytics.autoreply_metrics import autoreply_report
from kbtools.analytics.autoreply_store import find_link, record_click, record_outcome, record_ticket
from kbtools.analytics.periods import Period
from kbtools.analytics.store import connect, migrate
from kbtools.cli import main
from kbtools.service import create_app

TOKEN = "autoreply-report-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
A, B, R = "card-payment-declined", "change-card-limits", "request-a-refund"
NOVEMBER = Period(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, tzinfo=UTC) if day > 0 else datetime(2026, 10, 20, 10, tzinfo=UTC)


# ticket id, day (0: October, outside the period), lang, case reason, channel, links: (article, clicked, outcome)
TICKETS = [
    ("T1", 3, "en", "card/declined", "email", [(A, True, "solved"), (B, False, None)]),
    ("T2", 4, "en", "card/declined", "web", [(A, True, "not_solved")]),
    ("T3", 5, "fr", "payment/refund-request", "email", [(R, True, None)]),
    ("T4", 6, "fr", "payment/refund-request", "email", [(R, False, None)]),
    ("T5", 7, "en", None, "chat", []),
    ("T6", 8, "en", "account/sign-in", "email", []),
    ("T7", 9, "fr", None, None, []),
    ("T8", 0, "en", "card/declined", "email", [(A, True, "solved")]),  # October: not counted
]


def fill(engine) -> None:
    for ticket_id, day, lang, reason, channel, links in TICKETS:
        when = at(day)
        rows = [
            {"token": f"{ticket_id}-{rank}-token-0000000000000000", "article": article, "lang": lang, "rank": rank}
            | {"created_at": when, "expires_at": when + timedelta(days=3650)}
            for rank, (article, _, _) in enumerate(links, 1)
        ]
        template = "autoreply-default" if links else None
        ticket = {"ticket_id": ticket_id, "lang": lang, "case_reason": reason, "channel": channel}
        record_ticket(engine, ticket | {"template": template, "suggested": len(links), "created_at": when}, rows)
        for row, (_, clicked, outcome) in zip(rows, links, strict=True):
            link = find_link(engine, row["token"])
            assert link is not None
            if clicked:
                record_click(engine, link["id"], when)
            if outcome:
                assert record_outcome(engine, link["id"], outcome, when)


def totals(tickets: int, suggested: int, clicked: int, solved: int) -> dict:
    return {
        "tickets": tickets,
        "with_suggestions": suggested,
        "clicked": clicked,
        "solved": solved,
        "click_through_rate": clicked / suggested if suggested else None,
        "resolution_rate": solved / suggested if suggested else None,
    }


# Worked out by hand from TICKETS
EXPECTED = {
    "total": totals(7, 4, 3, 1),
    "by_language": [totals(4, 2, 2, 1) | {"lang": "en"}, totals(3, 2, 1, 0) | {"lang": "fr"}],
    "by_case_reason": [
        totals(2, 2, 2, 1) | {"case_reason": "card/declined"},
        totals(2, 2, 1, 0) | {"case_reason": "payment/refund-request"},
        totals(2, 0, 0, 0) | {"case_reason": None},
        totals(1, 0, 0, 0) | {"case_reason": "account/sign-in"},
    ],
    "by_channel": [
        totals(4, 3, 2, 1) | {"channel": "email"},
        totals(1, 0, 0, 0) | {"channel": "chat"},
        totals(1, 1, 1, 0) | {"channel": "web"},
        totals(1, 0, 0, 0) | {"channel": None},
    ],
    "articles": [
        {"article": A, "lang": "en", "suggested": 2, "clicked": 2, "solved": 1, "not_solved": 1}
        | {"click_through_rate": 1.0, "resolution_rate": 0.5},
        {"article": R, "lang": "fr", "suggested": 2, "clicked": 1, "solved": 0, "not_solved": 0}
        | {"click_through_rate": 0.5, "resolution_rate": 0.0},
        {"article": B, "lang": "en", "suggested": 1, "clicked": 0, "solved": 0, "not_solved": 0}
        | {"click_through_rate": 0.0, "resolution_rate": 0.0},
    ],
    "no_suggestion": [
        {"case_reason": "account/sign-in", "lang": "en", "tickets": 1},
        {"case_reason": None, "lang": "en", "tickets": 1},
        {"case_reason": None, "lang": "fr", "tickets": 1},
    ],
}


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    found = database_url(request.param, tmp_path)
    engine = connect(found)
    migrate(engine)
    fill(engine)
    engine.dispose()
    return found


def test_the_metrics_match_the_hand_computed_figures(url: str) -> None:
    engine = connect(url)
    assert autoreply_report(engine, NOVEMBER) == EXPECTED
    assert autoreply_report(engine, NOVEMBER, lang="fr")["total"] == totals(3, 2, 1, 0)
    assert autoreply_report(engine, NOVEMBER, case_reason="card/declined")["total"] == totals(2, 2, 2, 1)
    assert autoreply_report(engine, NOVEMBER, channel="email")["total"] == totals(4, 3, 2, 1)
    october = Period(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    assert autoreply_report(engine, october)["total"] == totals(1, 1, 1, 1)
    engine.dispose()


@pytest.fixture
def client(url: str, tmp_path: Path):
    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": url,
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(tmp_path / "none"),
            "autoreply_retention_days": 3650,
        }
    )
    yield app.test_client()
    app.extensions["kb_engine"].dispose()


def test_the_api_report_has_the_figures_with_titles(client) -> None:
    response = client.get("/api/v1/reports/autoreplies?from=2026-11-01&to=2026-11-30", headers=AUTH)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["from"], body["to"], body["lang"], body["case_reason"], body["channel"]) == (
        "2026-11-01",
        "2026-11-30",
        None,
        None,
        None,
    )
    titles = {row["article"]: row.pop("title") for row in body["articles"]}
    assert titles == {A: "My card payment was declined", R: "Demander un remboursement", B: "Change card limits"}
    assert {key: body[key] for key in EXPECTED} == EXPECTED
    filtered = client.get(
        "/api/v1/reports/autoreplies?from=2026-11-01&to=2026-11-30&lang=fr&channel=email", headers=AUTH
    ).get_json()
    assert filtered["total"] == totals(2, 2, 1, 0)


@pytest.mark.parametrize(
    ("query", "headers", "status", "field"),
    [
        ("", {}, 401, None),
        ("?from=2026-13-01", AUTH, 422, "from"),
        ("?lang=de", AUTH, 422, "lang"),
        ("?ticket=1", AUTH, 422, "ticket"),
        ("?from=2026-11-30&to=2026-11-01", AUTH, 422, "from"),
        ("?channel=" + "x" * 40, AUTH, 422, "channel"),
    ],
)
def test_a_bad_report_request_is_a_json_4xx(client, query: str, headers: dict, status: int, field) -> None:
    response = client.get("/api/v1/reports/autoreplies" + query, headers=headers)
    assert response.status_code == status and response.get_json()["error"]
    if field:
        assert field in [error["field"] for error in response.get_json()["errors"]]


def test_the_dashboard_and_kb_report_show_the_section(client, url: str, tmp_path: Path, monkeypatch) -> None:
    page = client.get("/internal/dashboard?from=2026-11-01&to=2026-11-30", headers=AUTH).text
    assert "Auto-replies: tickets answered with articles" in page
    assert "Tickets received<b>7</b>" in page and "Click-through<b>75%</b>" in page
    assert "Resolution rate<b>25%</b>" in page
    assert '<td>account/sign-in</td><td>en</td><td class="n">1</td>' in page  # a content gap
    monkeypatch.setenv("KB_DATABASE_URL", url)
    out = tmp_path / "report.html"
    days = (datetime.now(UTC).date() - NOVEMBER.start.date()).days + 1  # from 1 November to today
    args = ["--root", str(REPO_ROOT), "report", "--since", f"{days}d", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Auto-replies: tickets answered with articles" in html
    assert "Tickets received<b>7</b>" in html and "Resolution rate<b>25%</b>" in html
