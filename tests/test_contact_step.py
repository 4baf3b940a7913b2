"""The contact step's events through the real API, and contact-step deflection in the reports and dashboard,
on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT
from databases import BACKENDS, database_url

from kbtools.service import create_app

TOKEN = "contact-step-token-01"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FROM = "card-payment-declined"


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest, tmp_path: Path):
    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": database_url(request.param, tmp_path),
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "search_index": str(tmp_path / "none"),
            "site_dir": str(tmp_path / "site"),
        }
    )
    yield app.test_client()
    app.extensions["kb_engine"].dispose()


def _event(kind: str, session: str, **fields: str) -> dict:
    return {"type": kind, "lang": "en", "session": session, **fields}


@pytest.mark.parametrize(
    "event",
    [
        _event("contact_step", "session-0001"),  # opened from the home page's "Still need help?"
        _event("contact_step", "session-0001", article=FROM),  # from an article's "Contact support"
        _event("contact_answer", "session-0001", article="request-a-refund"),
        _event("contact", "session-0001"),  # the contact step's button, no article before it
        _event("contact", "session-0001", article=FROM),
    ],
)
def test_contact_step_events_are_accepted(client, event: dict) -> None:
    assert client.post("/api/v1/events", json=event).status_code == 202


@pytest.mark.parametrize(
    ("event", "field", "says"),
    [
        (_event("contact_answer", "session-0001"), "(body)", "'article' is a required"),  # always an article
        (_event("contact_answer", "session-0001", article="no-such-page"), "article", "no published page"),
        (_event("contact_step", "session-0001", article="ticket-routing-guide"), "article", "no published page"),
        (_event("contact_step", "session-0001", subject="my card"), "subject", "unknown field"),  # no typed text
    ],
)
def test_bad_contact_step_events_are_refused_by_field(client, event: dict, field: str, says: str) -> None:
    answer = client.post("/api/v1/events", json=event)
    assert answer.status_code == 422
    errors = {error["field"]: error["message"] for error in answer.get_json()["errors"]}
    assert says in errors[field]


# Each session's story, in order; deflected: opened the step, opened a suggestion, no contact afterwards
STORIES = {
    "deflected-01": ["contact_step", "contact_answer"],
    "answer-then-contact": ["contact_step", "contact_answer", "contact"],
    "step-then-contact": ["contact_step", "contact"],
    "step-only-0001": ["contact_step"],
    "contact-before-answer": ["contact", "contact_step", "contact_answer"],  # earlier contact does not count
    "two-answers-0001": ["contact_step", "contact_answer", "contact_answer"],
    "no-step-00001": ["view"],
}


def test_contact_step_deflection_in_the_report_and_dashboard(client) -> None:
    for session, story in STORIES.items():
        for kind in story:
            article = {"contact_answer": "request-a-refund", "view": FROM}.get(kind, FROM)
            assert client.post("/api/v1/events", json=_event(kind, session, article=article)).status_code == 202
    total = client.get("/api/v1/reports/deflection", headers=AUTH).get_json()["total"]
    assert total["contact_step_sessions"] == 6
    assert total["contact_step_answer_sessions"] == 4
    assert total["contact_step_deflected_sessions"] == 3
    assert total["contact_step_deflection_rate"] == pytest.approx(0.5)
    (day,) = client.get("/api/v1/reports/deflection", headers=AUTH).get_json()["days"]
    assert day["contact_step_deflected_sessions"] == 3
    page = client.get("/internal/dashboard", headers=AUTH).text
    assert "Contact-step deflection<b>50.0%</b>" in page
    assert "3 of 6 sessions that opened the contact step" in page
