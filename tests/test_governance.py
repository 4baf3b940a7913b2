"""kb review, kb changes and kb codeowners on real trees and real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, TODAY, MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.governance.codeowners import BEGIN, END, locate, rules
from kbtools.governance.reviews import review_queue
from kbtools.model.durations import parse_interval
from kbtools.model.project import KnowledgeBase
from kbtools.workflows.lint import lint


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# kb review ---------------------------------------------------------------------------------------------


@pytest.fixture
def reviews(mini_kb: MiniKB) -> MiniKB:
    """As of TODAY (2026-11-22): stale overdue 60 days, old overdue 20, soon due in 10, fresh not due."""
    mini_kb.write("en/cards/stale.md", page("stale", "Stale", reviewed="2025-09-23"))
    mini_kb.write("en/cards/old.md", page("old", "Old", reviewed="2025-11-02"))
    soon = page("soon", "Soon", category="billing", owner="billing", review_by="2026-12-02")
    mini_kb.write("en/billing/soon.md", soon)
    mini_kb.write("en/cards/fresh.md", page("fresh", "Fresh", reviewed="2026-10-01"))
    mini_kb.write("en/cards/draft.md", page("draft", "Draft", reviewed="2024-01-01", status="draft"))
    return mini_kb


def test_review_ranks_overdue_by_days_then_views_times_days(reviews: MiniKB) -> None:
    kb = KnowledgeBase(reviews.root)
    content, month = kb.load(), parse_interval("30d")
    plain = review_queue(content, kb.taxonomy, TODAY, month)
    assert [(i.doc.id, i.days_overdue) for i in plain] == [("stale", 60), ("old", 20), ("soon", -10)]
    ranked = review_queue(content, kb.taxonomy, TODAY, month, views={("old", "en"): 500, ("stale", "en"): 100})
    assert [i.doc.id for i in ranked] == ["old", "stale", "soon"]  # 500 x 20 > 100 x 60
    assert ranked[0].score == 10_000
    assert [i.doc.id for i in review_queue(content, kb.taxonomy, TODAY, month, owner="billing")] == ["soon"]
    assert [i.doc.id for i in review_queue(content, kb.taxonomy, TODAY, parse_interval("5d"))] == ["stale", "old"]


def test_kb_review_groups_by_owner_and_writes_a_ticket(reviews: MiniKB) -> None:
    text = run("--root", str(reviews.root), "review", "--today", "2026-11-22")
    assert text.exit_code == 0, text.output
    assert text.output.splitlines() == [
        "Support",
        "  en/cards/stale.md  overdue 60 days (due 2026-09-23)",
        "  en/cards/old.md  overdue 20 days (due 2026-11-02)",
        "Billing",
        "  en/billing/soon.md  due in 10 days (2026-12-02)",
        "2 overdue, 1 due within 30d (ranked by days overdue)",
    ]
    ticket = run("--root", str(reviews.root), "review", "--today", "2026-11-22", "--format", "md", "--owner", "support")
    assert "### Support" in ticket.output and "Billing" not in ticket.output
    assert "- [ ] **Stale** (`content/en/cards/stale.md`): overdue 60 days (due 2026-09-23)" in ticket.output
    bad = run("--root", str(reviews.root), "review", "--owner", "nobody")
    assert bad.exit_code == 1 and "'nobody' is not a team" in bad.output


@pytest.fixture(params=["sqlite", "postgresql"])
def event_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a SQLite file, or a schema of its own in KB_TEST_DATABASE_URL's PostgreSQL
    (so these tests never touch the tables other tests share there)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kb.sqlite3'}"
        return
    import psycopg

    base = os.environ.get("KB_TEST_DATABASE_URL")
    assert base, "KB_TEST_DATABASE_URL is not set: run the tests with scripts/test (it starts PostgreSQL)"
    schema = f"kb_review_{uuid.uuid4().hex[:12]}"
    plain = base.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def test_kb_review_reads_views_from_the_service_database(
    reviews: MiniKB, event_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbtools.analytics.store import connect, insert_events, migrate

    url = event_store
    engine = connect(url)  # the event store exactly as the service creates and fills it
    migrate(engine)

    def views(article: str, count: int, when: datetime = datetime(2026, 11, 20, 12, tzinfo=UTC)) -> list[dict]:
        row = {"type": "view", "article": article, "lang": "en", "site": "public", "created_at": when}
        return [{**row, "session": f"s{n}"} for n in range(count)]

    with engine.begin() as connection:
        insert_events(connection, views("old", 50) + views("stale", 9))
        insert_events(connection, views("stale", 400, datetime(2026, 8, 1, tzinfo=UTC)))  # before the 90 days
        insert_events(connection, [{**views("stale", 1)[0], "type": "search"}])  # not a view
    engine.dispose()
    monkeypatch.setenv("KB_DATABASE_URL", url)
    data = json.loads(run("--root", str(reviews.root), "review", "--today", "2026-11-22", "--format", "json").output)
    assert [(row["id"], row["views"], row["score"]) for row in data] == [
        ("old", 50, 1_000),  # 50 views x 20 days overdue
        ("stale", 9, 540),  # old views and searches do not count
        ("soon", 0, 0),
    ]
    monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{tmp_path / 'missing.db'}")
    unreachable = CliRunner().invoke(main, ["--root", str(reviews.root), "review", "--today", "2026-11-22"])
    assert unreachable.exit_code == 0
    assert "ranking by days overdue only" in unreachable.output
    assert "(ranked by days overdue)" in unreachable.output


def test_kb_review_finds_the_database_kb_serve_uses_by_default(
    reviews: MiniKB, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbtools.analytics.store import connect, default_database_url, insert_events, migrate

    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_CONFIG", raising=False)
    unranked = run("--root", str(reviews.root), "review", "--today", "2026-11-22")
    assert "(ranked by days overdue)" in unranked.output and "note:" not in unranked.output
    engine = connect(default_database_url(reviews.root))  # what `kb serve` creates under var/
    migrate(engine)
    when = datetime(2026, 11, 20, tzinfo=UTC)
    with engine.begin() as connection:
        rows = [{"type": "view", "article": "stale", "lang": "en", "site": "public", "created_at": when}] * 3
        insert_events(connection, [{**row, "session": f"s{n}"} for n, row in enumerate(rows)])
    engine.dispose()
    data = json.loads(run("--root", str(reviews.root), "review", "--today", "2026-11-22", "--format", "json").output)
    assert {row["id"]: row["views"] for row in data}["stale"] == 3


# kb changes --------------------------------------------------------------------------------------------

SECRET = "AGENT-ONLY-9f1"


@pytest.fixture
def weekly(mini_kb: MiniKB) -> tuple[MiniKB, GitRepo]:
    """A week of edits after 2026-04-01: one new page, one edited, one deleted, one archived, one renamed,
    one review date bumped, one agent-block edit, and one new macro; plus an uncommitted edit."""
    agent_body = f'Public text.\n\n!!! agent "Notes"\n    {SECRET}\n'
    mini_kb.write("en/cards/declined.md", page("declined", "Card declined", body="## Why\n\nLimit.\n"))
    mini_kb.write("en/cards/gone.md", page("gone", "Old limits page"))
    mini_kb.write("en/cards/retired.md", page("retired", "Retired page"))
    mini_kb.write("en/cards/moved.md", page("moved", "Moved page", body="Text.\n"))
    mini_kb.write("en/cards/reviewed.md", page("reviewed", "Reviewed page"))
    mini_kb.write("en/cards/agent.md", page("agent", "Agent notes page", body=agent_body))
    mini_kb.write("en/billing/invoices.md", page("invoices", "Invoices", category="billing", owner="billing"))
    repo = GitRepo(mini_kb.root)
    repo.commit("Start", date="2026-03-20T09:00:00+00:00")
    mini_kb.write("en/cards/abroad.md", page("abroad", "Card declined abroad", summary="Foreign merchants."))
    mini_kb.write("en/cards/declined.md", page("declined", "Card declined", body="## Why\n\nLimit.\n\n## Abroad\n"))
    (mini_kb.root / "content/en/cards/gone.md").unlink()
    mini_kb.write("en/cards/retired.md", page("retired", "Retired page", status="archived"))
    repo.commit("Explain foreign declines", date="2026-04-03T09:00:00+00:00", author="Bob Stone")
    repo.git("mv", "content/en/cards/moved.md", "content/en/cards/relocated.md")
    mini_kb.write("en/cards/reviewed.md", page("reviewed", "Reviewed page", reviewed="2026-04-04"))
    mini_kb.write("en/cards/agent.md", page("agent", "Agent notes page", body=agent_body.replace("9f1", "9f2")))
    mini_kb.write(
        "en/billing/macro-refund.md",
        page("macro-refund", "Refund approved", type="macro", audience="internal", category="billing", owner="billing"),
    )
    repo.commit("Move a page, bump a review, add a macro", date="2026-04-05T09:00:00+00:00")
    edited = page("invoices", "Invoices", category="billing", owner="billing", body="X\n")
    mini_kb.write("en/billing/invoices.md", edited)  # not committed
    return mini_kb, repo


def _changes(kb: MiniKB, *args: str) -> dict:
    result = run("--root", str(kb.root), "changes", "--today", "2026-04-08", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {change["id"]: change for group in json.loads(result.output)["categories"] for change in group["changes"]}


def test_changes_since_a_week_as_a_wiki_reader_sees_them(weekly) -> None:
    kb, _ = weekly
    found = _changes(kb, "--since", "7d")
    assert {key: change["kind"] for key, change in found.items()} == {
        "abroad": "new",
        "declined": "updated",
        "gone": "removed",
        "retired": "removed",
        "agent": "updated",  # the wiki shows agent blocks
        "macro-refund": "new",
        "invoices": "updated",
        "moved": "updated",  # same text, new address
    }  # the review-date bump is left out
    assert found["abroad"]["summary"] == "Foreign merchants."
    assert found["abroad"]["url"] == "http://127.0.0.1:8000/internal/cards/abroad/"
    assert found["declined"]["summary"] == "Explain foreign declines. New section: Abroad."
    assert found["gone"]["summary"] == "Deleted. Explain foreign declines." and found["gone"]["url"] is None
    assert found["retired"]["summary"].startswith("Now archived")
    assert found["moved"]["summary"] == "Move a page, bump a review, add a macro. Moved from cards/moved.md."
    assert found["invoices"]["uncommitted"] and "not yet committed" in found["invoices"]["summary"]


def test_public_digest_skips_agent_only_edits_and_macros(weekly) -> None:
    kb, _ = weekly
    found = _changes(kb, "--since", "2026-04-01", "--audience", "public", "--base-url", "https://help.example.com")
    assert "agent" not in found and "macro-refund" not in found
    assert found["abroad"]["url"] == "https://help.example.com/cards/abroad/"


def test_changes_since_a_commit_and_rendered_for_email(weekly) -> None:
    kb, repo = weekly
    middle = repo.git("rev-parse", "HEAD~1")
    found = _changes(kb, "--since", middle[:9])
    assert set(found) == {"agent", "macro-refund", "invoices", "moved"}
    markdown = run("--root", str(kb.root), "changes", "--since", "7d", "--today", "2026-04-08").output
    assert markdown.startswith("# Knowledge-base changes since 2026-04-01\n\nAgent wiki, English: 2 new, 4 updated")
    assert markdown.index("## Cards") < markdown.index("## Billing")  # taxonomy order
    assert "- **New** [Card declined abroad](http://127.0.0.1:8000/internal/cards/abroad/): Foreign merchants." in (
        markdown
    )
    assert "- **New macro** [Refund approved]" in markdown
    page_html = run("--root", str(kb.root), "changes", "--since", "7d", "--today", "2026-04-08", "--format", "html")
    assert '<a href="http://127.0.0.1:8000/internal/cards/abroad/">Card declined abroad</a>' in page_html.output
    assert page_html.output.startswith("<!doctype html>")


def test_changes_needs_git_and_a_real_revision(weekly, mini_kb: MiniKB, tmp_path: Path) -> None:
    kb, _ = weekly
    bad = run("--root", str(kb.root), "changes", "--since", "no-such-rev")
    assert bad.exit_code == 1 and "'no-such-rev' is not a commit" in bad.output
    plain = MiniKB(tmp_path / "plain")
    outside = run("--root", str(plain.root), "changes", "--since", "7d")
    assert outside.exit_code == 1 and "not in a git repository" in outside.output


def test_changes_before_the_first_commit_lists_everything_new(weekly) -> None:
    kb, _ = weekly
    found = _changes(kb, "--since", "2026-01-01")
    assert {change["kind"] for change in found.values()} == {"new"}
    assert "gone" not in found and "retired" not in found


def test_changes_in_a_shallow_clone_refuses_a_date_before_its_history(weekly, tmp_path: Path) -> None:
    kb, _ = weekly
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{kb.root}", str(clone)], check=True)
    # Its only commit is from 2026-04-05: without the older ones every page would look new.
    result = run("--root", str(clone), "changes", "--since", "7d", "--today", "2026-04-08")
    assert result.exit_code == 1
    assert "shallow clone's history starts after 2026-04-01" in result.output
    assert "git fetch --shallow-since=2026-04-01" in result.output
    assert run("--root", str(clone), "changes", "--since", "2026-04-06", "--today", "2026-04-08").exit_code == 0


# kb codeowners -----------------------------------------------------------------------------------------


def test_codeowners_folder_rules_then_exceptions_and_hand_written_lines_kept(mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a"), page("a"))
    mini_kb.write("en/cards/b.md", page("b", owner="billing"))
    mini_kb.write("en/billing/c.md", page("c", category="billing", owner="billing"))
    mini_kb.write("en/billing/d.md", page("d", category="billing", owner="support"))
    GitRepo(mini_kb.root)
    where = locate(mini_kb.root)
    where.path.parent.mkdir()
    where.path.write_text("* @acme/engineering\n")
    result = run("--root", str(mini_kb.root), "codeowners")
    assert result.exit_code == 0 and f"wrote {where.path}" in result.output
    text = where.path.read_text()
    assert text.startswith("* @acme/engineering\n\n" + BEGIN)
    kb_lines = [line for line in text.split("\n") if line.startswith("/")]
    assert kb_lines == [
        "/content/en/billing/",  # the billing team has no GitHub handle: no review requested
        "/content/en/billing/d.md @acme/support",
        "/content/en/cards/ @acme/support",
        "/content/en/cards/b.md",
        "/content/fr/cards/ @acme/support",
    ]
    assert text.rstrip().endswith(END)
    again = run("--root", str(mini_kb.root), "codeowners")
    assert "up to date" in again.output and where.path.read_text() == text
    assert run("--root", str(mini_kb.root), "codeowners", "--check").exit_code == 0
    mini_kb.write("en/cards/a.md", page("a", owner="billing"))
    assert run("--root", str(mini_kb.root), "codeowners", "--check").exit_code == 1
    stale = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if f.rule == "codeowners-outdated"]
    assert len(stale) == 1 and stale[0].path == where.path
    assert "(rules missing: 1, no longer wanted: 0)" in stale[0].message


def test_codeowners_paths_start_at_the_repository_top(tmp_path: Path) -> None:
    kb = MiniKB(tmp_path / "repo" / "help")
    kb.write("en/cards/a b.md", page("a-b"))
    GitRepo(tmp_path / "repo")
    where = locate(kb.root)
    assert where.path == (tmp_path / "repo/.github/CODEOWNERS").resolve() and where.prefix == "help/"
    knowledge_base = KnowledgeBase(kb.root)
    assert rules(knowledge_base.load(), knowledge_base.taxonomy, where.prefix) == [
        "/help/content/en/cards/ @acme/support"
    ]
    kb.write("en/cards/c d.md", page("c-d", owner="billing"))
    assert rules(knowledge_base.load(), knowledge_base.taxonomy, where.prefix)[-1] == "/help/content/en/cards/c\\ d.md"


def test_this_repository_routes_content_reviews_and_checks_pull_requests() -> None:
    assert run("--root", str(REPO_ROOT), "codeowners", "--check").exit_code == 0
    workflow = (REPO_ROOT / ".github/workflows/content.yml").read_text()
    assert "pull_request:" in workflow and "content/**" in workflow
    assert "kb lint --format github" in workflow and "kb build --strict" in workflow
    assert "fetch-depth: 0" in workflow  # outdated translations need the history
