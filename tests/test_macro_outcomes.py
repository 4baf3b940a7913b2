"""Macro outcome reports on a small, hand-computed set of solved tickets, on SQLite and PostgreSQL: the figures per
macro and language, per week and per version, through the report API and `kb review --macros`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from databases import BACKENDS, database_url
from test_ticket_solved import knowledge_base, make_app

from kbtools.analytics.outcomes import SolvedTicket, record_solved
from kbtools.analytics.store import writing
from kbtools.cli import main

AUTH = {"Authorization": "Bearer test-token-123456"}
A, B = "macro-refund", "macro-late"


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


# ticket, macros, lang, version, solved, rating, reopened, handle seconds
TICKETS = [
    ("t1", [A], "en", "v1", at(11, 3), "good", False, 300),
    ("t2", [A], "en", "v1", at(11, 4), "bad", True, 600),
    ("t3", [A], "en", "v1", at(11, 5), None, False, None),
    ("t4", [A], "en", "v2", at(11, 10), "5", False, 200),
    ("t5", [A], "en", "v2", at(11, 11), "3", False, 400),
    ("t6", [A], "en", "v2", at(11, 12), "4", True, 100),
    ("t7", [A], "fr", "v1", at(11, 10), "good", False, None),
    ("t8", [B], "en", "v1", at(11, 8), "bad", False, 50),  # a Sunday: the week of 2 November
    ("t9", [A, B], "en", "v1", at(10, 20), "bad", True, 999),  # before the period
]


def store_tickets(engine: Any) -> None:
    for ticket_id, macros, lang, version, when, rating, reopened, seconds in TICKETS:
        ticket = SolvedTicket("kb", ticket_id, tuple(macros), lang, None, rating, reopened, seconds)
        with writing(engine) as connection:
            record_solved(connection, ticket, dict.fromkeys(macros, version), f"kb:{ticket_id}", when, when)


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    kb, _ = knowledge_base(tmp_path / "kb")
    application = make_app(kb.root, database_url(request.param, tmp_path))
    store_tickets(application.extensions["kb_engine"])
    return application


def figures(uses, rated, satisfied, rate, bound, reopened, reopen_rate, median) -> dict[str, Any]:
    return {
        "uses": uses,
        "rated": rated,
        "satisfied": satisfied,
        "satisfaction_rate": rate,
        "satisfaction_lower_bound": bound,
        "reopened": reopened,
        "reopen_rate": reopen_rate,
        "median_handle_seconds": median,
    }


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


# Wilson 95% lower bounds, by hand (z = 1.96): 3 of 5 -> 0.2307, 1 of 2 -> 0.0945, 2 of 3 -> 0.2077,
# 1 of 1 -> 0.2065, 0 of 1 -> 0.0
A_EN = {
    "macro": A,
    "lang": "en",
    "title": "Refund approved",
    **figures(6, 5, 3, 0.6, 0.2307, 2, 0.3333, 300),
    "weeks": [
        {"week": "2026-11-02", **figures(3, 2, 1, 0.5, 0.0945, 1, 0.3333, 450)},
        {"week": "2026-11-09", **figures(3, 3, 2, 0.6667, 0.2077, 1, 0.3333, 200)},
    ],
    "versions": [
        {"version": "v1", **figures(3, 2, 1, 0.5, 0.0945, 1, 0.3333, 450)},
        {"version": "v2", **figures(3, 3, 2, 0.6667, 0.2077, 1, 0.3333, 200)},
    ],
}
B_EN = {
    "macro": B,
    "lang": "en",
    "title": "Late payment",
    **figures(1, 1, 0, 0.0, 0.0, 0, 0.0, 50),
    "weeks": [{"week": "2026-11-02", **figures(1, 1, 0, 0.0, 0.0, 0, 0.0, 50)}],
    "versions": [{"version": "v1", **figures(1, 1, 0, 0.0, 0.0, 0, 0.0, 50)}],
}
A_FR = {
    "macro": A,
    "lang": "fr",
    "title": "Remboursement accepté",
    **figures(1, 1, 1, 1.0, 0.2065, 0, 0.0, None),
    "weeks": [{"week": "2026-11-09", **figures(1, 1, 1, 1.0, 0.2065, 0, 0.0, None)}],
    "versions": [{"version": "v1", **figures(1, 1, 1, 1.0, 0.2065, 0, 0.0, None)}],
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [A_EN, B_EN, A_FR]),
        ("&lang=fr", [A_FR]),
        (f"&macro={B}", [B_EN]),
    ],
    ids=["all", "one-language", "one-macro"],
)
def test_macro_outcomes_report(app, query: str, expected: list[dict[str, Any]]) -> None:
    answer = app.test_client().get(f"/api/v1/reports/macro-outcomes?from=2026-11-01&to=2026-11-30{query}", headers=AUTH)
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert list(body) == ["from", "to", "lang", "macros"]
    assert rounded(body["macros"]) == expected


def test_the_first_week_alone(app) -> None:
    answer = app.test_client().get("/api/v1/reports/macro-outcomes?from=2026-11-01&to=2026-11-08", headers=AUTH)
    first_week = {key: value for key, value in A_EN["weeks"][0].items() if key != "week"}
    [a_en, b_en] = answer.json["macros"]
    assert {key: rounded(a_en[key]) for key in first_week} == first_week
    assert [v["version"] for v in a_en["versions"]] == ["v1"] and b_en["macro"] == B


def test_the_report_needs_an_agent_and_valid_parameters(app) -> None:
    client = app.test_client()
    assert client.get("/api/v1/reports/macro-outcomes").status_code == 401
    bad = client.get("/api/v1/reports/macro-outcomes?macro=Not%20An%20Id&lang=de", headers=AUTH)
    assert bad.status_code == 422 and {e["field"] for e in bad.json["errors"]} == {"macro", "lang"}


def test_kb_review_ranks_macros_by_low_satisfaction(app, tmp_path: Path) -> None:
    url = app.config["KB"]["database_url"]
    root = app.config["KB"]["root"]
    today = (at(11, 12) + timedelta(days=1)).date().isoformat()
    env = {"KB_DATABASE_URL": url}
    result = CliRunner().invoke(
        main, ["--root", root, "review", "--macros", "--min-ratings", "1", "--today", today], env=env
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # Lowest Wilson lower bound first: Late payment (0 of 1, and t9's bad rating is in the 90 days), then
    # Refund approved in English (3 of 6 with t9), then in French (1 of 1)
    assert [line.split()[0] for line in lines[:3]] == ["en/billing/macro-late.md", "en/billing/macro-refund.md",
                                                       "fr/billing/macro-refund.md"]  # fmt: skip
    assert "3/6 satisfied" in lines[1] and "lower bound 19%" in lines[1]
    json_result = CliRunner().invoke(
        main,
        ["--root", root, "review", "--macros", "--min-ratings", "2", "--today", today, "--format", "json"],
        env=env,
    )
    ranked = json.loads(json_result.output)
    assert [(r["id"], r["lang"], r["rated"]) for r in ranked] == [(B, "en", 2), (A, "en", 6)]


def test_the_dashboard_shows_macro_outcomes(app) -> None:
    page = app.test_client().get("/internal/dashboard?from=2026-11-01&to=2026-11-30", headers=AUTH)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    section = html[html.index("Macro outcomes") :]
    row = section[section.index("<td>Refund approved</td><td>en</td>") :].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[:-1]]
    assert cells == ["Refund approved", "en", "6", "3 / 5", "60%", "23%", "33%", "5 min"]


def test_kb_report_has_the_macro_outcomes(app, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    ticket = SolvedTicket("kb", "recent", (B,), "en", None, "good", False, 90)
    with writing(app.extensions["kb_engine"]) as connection:
        record_solved(connection, ticket, {B: "v3"}, "kb:recent", now, now)
    out = tmp_path / "report.html"
    env = {"KB_DATABASE_URL": app.config["KB"]["database_url"]}
    result = CliRunner().invoke(
        main, ["--root", app.config["KB"]["root"], "report", "--since", "7d", "--out", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<td>Late payment</td><td>en</td><td class="n">1</td>' in html and "Refund approved" not in html
