"""Dashboard, kb report and schema migrations."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from databases import BACKENDS, database_url
from sqlalchemy import inspect, select, text

from kbtools.analytics.store import (
    MIGRATIONS,
    connect,
    events,
    insert_events,
    migrate,
    schema_migrations,
    upsert_votes,
    votes,
)
from kbtools.cli import main
from kbtools.service import create_app

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
    latest = max(version for version, _, _ in MIGRATIONS)  # the schema version (numbers may skip: see store.py)
    assert migrate(engine) == latest
    assert migrate(engine) == latest  # idempotent
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
            "trusted_proxy_addresses": ["127.0.0.1"],  # the test client's address: the proxy
        }
    )
    client = app.test_client()
    assert client.get("/api/v1/reports/gaps").status_code == 401
    assert (
        client.get(
            "/api/v1/reports/gaps", headers={"X-Forwarded-User": "amelie@brightspend.example", "X-KB-Request": "1"}
        ).status_code
        == 200
    )
    untrusted = _app(tmp_path).test_client()  # the header means nothing unless configured
    assert untrusted.get("/api/v1/reports/gaps", headers={"X-Forwarded-User": "amelie"}).status_code == 401


def _section(page: str, heading: str) -> str:
    """The HTML of the dashboard section whose heading starts with `heading`."""
    start = page.index(f"<h2>{heading}")
    return page[start : page.index("</section>", start)]


def _event(kind: str, session: str, article: str, site: str = "public", **fields) -> dict:
    return {"type": kind, "article": article, "lang": "en", "session": session, "site": site, **fields}


def test_the_dashboard_and_kb_report_leave_the_wiki_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    client = _app(tmp_path, url).test_client()
    declined, macro = "card-payment-declined", "macro-card-declined-first-response"
    batch = [
        # A customer reads card-payment-declined on the help center and finds it helpful
        _event("view", "customer-tab-1", declined),
        _event("vote", "customer-tab-1", declined, helpful=True, comment="Clear, thanks"),
        # Agents read it and a macro in the wiki, vote it down with a comment, click contact
        *[_event("view", f"agent-tab-{n:04d}", macro, site="internal") for n in range(3)],
        _event("view", "agent-tab-0000", declined, site="internal"),
        _event("view", "agent-tab-0001", declined, site="internal"),
        _event("vote", "agent-tab-0000", declined, site="internal", helpful=False, comment="Agents: wiki note"),
        _event("contact", "agent-tab-0000", declined, site="internal"),
        # and copy macros' replies
        _event("macro_used", "agent-tab-0000", "macro-refund-approved", site="internal"),
        _event("macro_used", "agent-tab-0001", "macro-refund-approved", site="internal"),
        _event("macro_used", "agent-tab-0001", macro, site="internal"),
    ]
    signed_in = {"Authorization": f"Bearer {TOKEN}"}  # the wiki's events come from signed-in agents
    assert client.post("/api/v1/events", json={"events": batch}, headers=signed_in).status_code == 202
    page = client.get("/internal/dashboard", headers={"Authorization": f"Bearer {TOKEN}"}).text
    monkeypatch.setenv("KB_DATABASE_URL", url)
    monkeypatch.setenv("KB_MIN_VOTES", "1")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["--root", str(REPO_ROOT), "report", "--since", "7d", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for html in (page, out.read_text()):
        most_read = _section(html, "Most read")
        assert "Card declined: first response" not in most_read  # the wiki's macro
        assert re.search(r"My card payment was declined</td><td>en</td><td class=\"n\">1</td>", most_read)
        worst = _section(html, "Worst articles")
        assert '<td class="n">1 / 1</td>' in worst and "0 / " not in worst  # min_votes 1: only the customer's
        comments = _section(html, "Latest comments")
        assert "Clear, thanks" in comments and "wiki note" not in comments
        assert "wiki note" in _section(html, "Agent feedback from the wiki")
        helpful = _svg(html, "Helpful rate per day")
        assert [c.get("cy") for c in helpful.iter("circle")] == ["6.0"]  # 100%, not 50%
        copied = _section(html, "Most copied macros")
        assert re.findall(
            r"<tr><td>([^<]+)</td><td>en</td><td class=\"n\">(\d+)</td><td class=\"n\">(\d+)</td>", copied
        ) == [
            ("Refund approved", "2", "2"),
            ("Card declined: first response", "1", "1"),
        ]


def _svg(html: str, title: str) -> ET.Element:
    match = re.search(rf'<svg [^>]*aria-label="{re.escape(title)}">.*?</svg>', html, re.S)
    assert match, title
    return ET.fromstring(match.group(0))


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.mark.parametrize("backend", BACKENDS)
def test_charts_share_one_day_axis_and_mark_every_point(backend: str, tmp_path: Path) -> None:
    app = _app(tmp_path, database_url(backend, tmp_path))
    rows = []
    for day, session in ((20, "s-20-aaaa"), (22, "s-22-aaaa"), (23, "s-23-aaaa")):
        rows.append(
            {
                "type": "view",
                "article": "request-a-refund",
                "lang": "en",
                "session": session,
                "site": "public",
                "created_at": _at(day),
            }
        )
    rows.append(
        {
            "type": "contact",
            "article": "request-a-refund",
            "lang": "en",
            "session": "s-22-aaaa",
            "site": "public",
            "created_at": _at(22),
        }
    )
    vote_rows = [  # no site: the help center's, as votes stored before votes had one
        {
            "session": "s-20-aaaa",
            "article": "request-a-refund",
            "lang": "en",
            "helpful": True,
            "created_at": _at(20),
        },
        {
            "session": "s-23-aaaa",
            "article": "request-a-refund",
            "lang": "en",
            "helpful": False,
            "created_at": _at(23),
        },
    ]
    with app.extensions["kb_engine"].begin() as connection:
        insert_events(connection, rows)
        upsert_votes(connection, vote_rows)
    page = (
        app.test_client()
        .get("/internal/dashboard?from=2026-11-18&to=2026-11-24", headers={"Authorization": f"Bearer {TOKEN}"})
        .text
    )
    app.extensions["kb_engine"].dispose()
    charts = {
        title: _svg(page, title) for title in ("Page views per day", "Helpful rate per day", "Deflection rate per day")
    }

    def points(svg: ET.Element) -> dict[str, tuple[float, float]]:
        return {c.get("data-day"): (float(c.get("cx")), float(c.get("cy"))) for c in svg.iter("circle")}

    views, helpful, deflection = (points(charts[t]) for t in charts)
    assert len(views) == 7  # every day of the period, zero views included
    assert sorted(helpful) == ["2026-11-20", "2026-11-23"]  # a marker on each day with votes
    assert sorted(deflection) == ["2026-11-20", "2026-11-22", "2026-11-23"]
    for day in (*helpful, *deflection):  # a day is at the same x in every chart
        assert views[day][0] == helpful.get(day, views[day])[0] == deflection.get(day, views[day])[0], day
    assert views["2026-11-18"][0] < views["2026-11-20"][0] < views["2026-11-22"][0] < views["2026-11-24"][0]

    def lines(svg: ET.Element) -> list[list[float]]:
        return [[float(p.split(",")[0]) for p in line.get("points").split()] for line in svg.iter("polyline")]

    assert lines(charts["Helpful rate per day"]) == []  # 20 and 23 November are not joined over the gap
    # Deflection: 20 November alone, then 22 and 23 joined
    assert lines(charts["Deflection rate per day"]) == [[views["2026-11-22"][0], views["2026-11-23"][0]]]
    assert lines(charts["Page views per day"]) == [[x for x, _ in sorted(views.values())]]
    assert (helpful["2026-11-20"][1], helpful["2026-11-23"][1]) == (6.0, 114.0)  # 100% at the top, 0% at the bottom
    assert deflection["2026-11-22"][1] == 114.0  # the one view session contacted support


@pytest.mark.parametrize("backend", BACKENDS)
def test_votes_stored_before_they_had_a_site_count_as_the_help_center(backend: str, tmp_path: Path) -> None:
    url = database_url(backend, tmp_path)
    engine = connect(url)
    with engine.begin() as connection:  # a database at schema version 2, with a vote
        for _, _, step in MIGRATIONS[:2]:
            step(connection)
        connection.execute(
            text(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(100) "
                "NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)"
            )
        )
        for version, name, _ in MIGRATIONS[:2]:
            connection.execute(
                schema_migrations.insert().values(version=version, name=name, applied_at=datetime.now(UTC))
            )
        connection.execute(
            text(
                "INSERT INTO votes (session, article, lang, helpful, created_at) "
                "VALUES ('old-session-1', 'request-a-refund', 'en', :no, :at)"
            ),
            {"no": False, "at": _at(20)},
        )
    assert "site" not in {c["name"] for c in inspect(engine).get_columns("votes")}
    engine.dispose()
    app = _app(tmp_path, url)  # migrates
    with app.extensions["kb_engine"].connect() as connection:
        assert [tuple(r) for r in connection.execute(select(votes.c.session, votes.c.site))] == [
            ("old-session-1", None)
        ]
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def down(site: str) -> int:
        rows = client.get(f"/api/v1/stats/articles?from=2026-11-20&to=2026-11-20&site={site}", headers=auth).get_json()
        return sum(row["votes_down"] for row in rows["articles"])

    assert (down("public"), down("internal"), down("all")) == (1, 0, 1)
    # The same session votes again, now from the wiki: its vote is replaced, and now the wiki's
    later = {
        "type": "vote",
        "article": "request-a-refund",
        "lang": "en",
        "session": "old-session-1",
        "helpful": True,
        "site": "internal",
    }
    answer = client.post("/api/v1/events", json=later, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 202
    with app.extensions["kb_engine"].connect() as connection:
        assert [tuple(r) for r in connection.execute(select(votes.c.session, votes.c.helpful, votes.c.site))] == [
            ("old-session-1", True, "internal")
        ]
    app.extensions["kb_engine"].dispose()
