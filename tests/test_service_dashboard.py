"""Dashboard, kb report and schema migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from databases import BACKENDS, database_url
from sqlalchemy import inspect, select, text

from kbtools.cli import main
from kbtools.service import create_app
from kbtools.service.db import MIGRATIONS, connect, events, migrate, schema_migrations

TOKEN = "dashboard-token-0001"


def _app(tmp_path: Path, url: str | None = None):
    return create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": url or f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "rate_limit": "off",
            "api_tokens": [TOKEN],
            "min_votes": 1,
            "search_index": str(tmp_path / "none"),
        }
    )


def _vote(client, comment: str, helpful: bool = False) -> None:
    answer = client.post(
        "/api/v1/events",
        json={
            "type": "vote",
            "article": "request-a-refund",
            "lang": "en",
            "session": "session-dash-1",
            "helpful": helpful,
            "reason": "missing",
            "comment": comment,
        },
    )
    assert answer.status_code == 202


def test_dashboard_needs_sign_in_and_escapes_comments(tmp_path: Path) -> None:
    client = _app(tmp_path).test_client()
    _vote(client, '<script>alert("x")</script> & more')
    anonymous = client.get("/internal/dashboard")
    assert anonymous.status_code == 302 and "/internal/login" in anonymous.headers["Location"]
    page = client.get("/internal/dashboard", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in page
    assert "<script>alert" not in page
    assert "Worst articles" in page
    assert "Request a refund" in page  # the worst article's title, from the content


def test_sign_in_form_sets_a_session(tmp_path: Path) -> None:
    client = _app(tmp_path).test_client()
    wrong = client.post("/internal/login", data={"token": "nope", "next": "/internal/dashboard"})
    assert wrong.status_code == 200 and "not valid" in wrong.text
    right = client.post("/internal/login", data={"token": TOKEN, "next": "https://evil.example/"})
    assert right.status_code == 302 and right.headers["Location"] == "/internal/"
    assert client.get("/internal/dashboard").status_code == 200


def test_kb_report_writes_a_self_contained_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    _vote(_app(tmp_path, url).test_client(), "Where is the refund form?")
    monkeypatch.setenv("KB_DATABASE_URL", url)
    out = tmp_path / "reports" / "weekly.html"
    result = CliRunner().invoke(main, ["--root", str(REPO_ROOT), "report", "--since", "7d", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Where is the refund form?" in html
    assert "<link" not in html and "src=" not in html  # nothing to fetch: it is sent as an attachment
    bad = CliRunner().invoke(main, ["--root", str(REPO_ROOT), "report", "--since", "a week", "--out", str(out)])
    assert bad.exit_code == 1 and "kb: error: --since" in bad.output


@pytest.mark.parametrize(
    "dates", ["to=9999-12-31", "from=0001-01-01", "from=1970-01-01", "from=2026-11-21&to=2026-11-20"]
)
def test_a_period_the_dashboard_cannot_show_is_a_400_page(tmp_path: Path, dates: str) -> None:
    client = _app(tmp_path).test_client()
    answer = client.get(f"/internal/dashboard?{dates}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 400
    assert "Bad Request" in answer.text


@pytest.mark.parametrize("since", ["100000000d", "5000y", "3661d", "0d"])
def test_kb_report_refuses_a_period_it_cannot_show_in_one_line(tmp_path: Path, since: str) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["--root", str(REPO_ROOT), "report", "--since", since, "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith("kb: error: --since") and result.output.count("\n") == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_upgrade_an_older_database_and_keep_its_rows(backend: str, tmp_path: Path) -> None:
    url = database_url(backend, tmp_path)
    engine = connect(url)
    with engine.begin() as connection:  # a database left by the first release
        _, _, first = MIGRATIONS[0]
        first(connection)
        connection.execute(
            text(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(100) "
                "NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)"
            )
        )
        connection.execute(
            schema_migrations.insert().values(version=1, name="events and votes", applied_at=datetime.now(UTC))
        )
        connection.execute(
            text(
                "INSERT INTO events (type, article, lang, session, created_at) "
                "VALUES ('view', 'request-a-refund', 'en', 'old-session-1', :at)"
            ),
            {"at": datetime(2026, 1, 5, tzinfo=UTC)},
        )
    assert "site" not in {c["name"] for c in inspect(engine).get_columns("events")}
    assert migrate(engine) == len(MIGRATIONS)
    assert migrate(engine) == len(MIGRATIONS)  # idempotent
    with engine.connect() as connection:
        rows = connection.execute(select(events.c.session, events.c.site)).all()
        versions = connection.execute(select(schema_migrations.c.version)).scalars().all()
    assert [tuple(r) for r in rows] == [("old-session-1", None)]
    assert sorted(versions) == [version for version, _, _ in MIGRATIONS]
    engine.dispose()


def test_trusted_single_sign_on_header(tmp_path: Path) -> None:
    app = create_app(
        {
            "root": str(REPO_ROOT),
            "database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "api_tokens": [TOKEN],
            "trusted_user_header": "X-Forwarded-User",
        }
    )
    client = app.test_client()
    assert client.get("/api/v1/reports/gaps").status_code == 401
    assert (
        client.get("/api/v1/reports/gaps", headers={"X-Forwarded-User": "amelie@brightspend.example"}).status_code
        == 200
    )
    untrusted = _app(tmp_path).test_client()  # the header means nothing unless configured
    assert untrusted.get("/api/v1/reports/gaps", headers={"X-Forwarded-User": "amelie"}).status_code == 401
