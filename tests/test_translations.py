"""Translation state from git: kb translations, its diff and mark subcommands, and the lint warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.governance.translations import State, translation_report, translation_state
from kbtools.model.history import read_history
from kbtools.model.project import KnowledgeBase
from kbtools.workflows.lint import lint

FR_DECLINED = "content/fr/cards/declined.md"
EN_DECLINED = "content/en/cards/declined.md"


def _with_source(kb: MiniKB, rel: str, sha: str) -> None:
    path = kb.root / "content/fr" / rel
    path.write_text(path.read_text().replace("status: published", f"status: published\nsource_commit: {sha}"))


@pytest.fixture
def repo(mini_kb: MiniKB) -> GitRepo:
    """fr/cards/declined.md is translated from the first commit; the English file then changes twice."""
    mini_kb.both("cards/declined.md", page("declined", "Card declined", body="## Why\n\nLimit.\n"), page("declined"))
    mini_kb.write("en/cards/limits.md", page("limits", "Card limits"))
    mini_kb.write("fr/cards/gone.md", page("gone", "Page disparue"))
    mini_kb.both("billing/invoices.md", *[page("invoices", category="billing", owner="billing")] * 2)
    repo = GitRepo(mini_kb.root)
    first = repo.commit("First version", date="2026-03-02T09:00:00+00:00", author="Alice Martin")
    _with_source(mini_kb, "cards/declined.md", first[:12])
    repo.commit("Record translation source", date="2026-03-03T09:00:00+00:00")
    english = mini_kb.root / EN_DECLINED
    english.write_text(english.read_text() + "\n## Abroad\n\nForeign merchants.\n")
    repo.commit("Explain foreign declines", date="2026-04-10T09:00:00+00:00", author="Bob Stone")
    english.write_text(english.read_text().replace("Limit.", "Your limit was reached."))
    repo.commit("Clearer limit wording", date="2026-04-20T09:00:00+00:00", author="Carol Diaz")
    return repo


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_each_state_with_commits_and_days_behind(repo: GitRepo, mini_kb: MiniKB) -> None:
    kb = KnowledgeBase(mini_kb.root)
    content, history = kb.load(), read_history(kb.root)
    outdated = translation_state(content, history, "cards/declined.md", "fr")
    assert outdated.state is State.OUTDATED
    assert (outdated.commits_behind, outdated.days_behind) == (2, 49)
    assert outdated.latest_source_change.subject == "Clearer limit wording"
    rows = {row.rel: row.state for row in translation_report(content, history, ["fr"])}
    assert rows == {
        "cards/declined.md": State.OUTDATED,
        "cards/limits.md": State.MISSING,
        "billing/invoices.md": State.UNTRACKED,
        "cards/gone.md": State.ORPHANED,
    }


def test_kb_translations_reports_every_public_article(repo: GitRepo, mini_kb: MiniKB) -> None:
    text = run("--root", str(mini_kb.root), "translations")
    assert text.exit_code == 0, text.output
    assert text.output.startswith("fr: 0 up-to-date, 1 outdated, 1 missing, 1 orphaned, 1 untracked")
    assert "2 commits since source_commit" in text.output and "49 days behind" in text.output
    data = json.loads(run("--root", str(mini_kb.root), "translations", "--format", "json").output)
    declined = next(row for row in data if row["path"] == "cards/declined.md")
    assert declined["state"] == "outdated" and declined["commits_behind"] == 2 and declined["title"] == "Card declined"
    markdown = run("--root", str(mini_kb.root), "translations", "--format", "md", "--lang", "fr").output
    assert "| outdated | `cards/declined.md` | Card declined |" in markdown


def test_translations_diff_shows_the_source_changes_to_translate(repo: GitRepo, mini_kb: MiniKB) -> None:
    result = run("--root", str(mini_kb.root), "translations", "diff", "declined")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# fr/cards/declined.md: the en source changed in 2 commits")
    assert "+## Abroad" in result.output and "+Your limit was reached." in result.output
    assert "-Limit." in result.output


def test_mark_records_the_source_commit_and_clears_the_warning(repo: GitRepo, mini_kb: MiniKB) -> None:
    kb = KnowledgeBase(mini_kb.root)
    assert [f.rule for f in lint(kb, today=TODAY).findings if f.path.name == "declined.md"] == ["outdated-translation"]
    result = run("--root", str(mini_kb.root), "translations", "mark", "declined", "--lang", "fr")
    assert result.exit_code == 0, result.output
    latest = repo.git("log", "-1", "--format=%H", "--", EN_DECLINED)
    assert f"source_commit: {latest[:12]}\n" in (mini_kb.root / FR_DECLINED).read_text()
    assert "Clearer limit wording" in result.output
    assert translation_state(kb.load(), read_history(kb.root), "cards/declined.md", "fr").state is State.UP_TO_DATE
    assert [f for f in lint(kb, today=TODAY).findings if f.rule == "outdated-translation"] == []


def test_mark_refuses_uncommitted_source_edits_and_untranslated_pages(repo: GitRepo, mini_kb: MiniKB) -> None:
    english = mini_kb.root / EN_DECLINED
    english.write_text(english.read_text() + "\nMore.\n")
    dirty = run("--root", str(mini_kb.root), "translations", "mark", "declined")
    assert dirty.exit_code == 1 and "not committed" in dirty.output
    assert "source_commit: " in (mini_kb.root / FR_DECLINED).read_text()
    missing = run("--root", str(mini_kb.root), "translations", "mark", "limits")
    assert missing.exit_code == 1 and "no fr/cards/limits.md yet" in missing.output
    no_source = run("--root", str(mini_kb.root), "translations", "diff", "invoices")
    assert no_source.exit_code == 1 and "has no source_commit" in no_source.output


def test_lint_warning_names_the_line_and_what_to_run(repo: GitRepo, mini_kb: MiniKB) -> None:
    found = [f for f in lint(KnowledgeBase(mini_kb.root), today=TODAY).findings if f.rule == "outdated-translation"]
    assert len(found) == 1
    assert found[0].path == mini_kb.root / FR_DECLINED
    assert (found[0].line, found[0].key) == (7, "source_commit")  # inserted after status (line 6)
    assert "Clearer limit wording" in found[0].message
    assert "kb translations mark declined --lang fr" in found[0].message


def test_no_warning_outside_git_or_when_the_commit_is_beyond_a_shallow_clone(
    repo: GitRepo, mini_kb: MiniKB, tmp_path: Path
) -> None:
    import shutil
    import subprocess

    copy = tmp_path / "copy"
    shutil.copytree(mini_kb.root, copy, ignore=shutil.ignore_patterns(".git"))
    outside = lint(KnowledgeBase(copy), today=TODAY)
    assert [f for f in outside.findings if f.rule == "outdated-translation"] == []
    assert outside.notes == ["not a git repository with commits: translations were not checked for outdated sources"]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{mini_kb.root}", str(clone)], check=True)
    shallow = lint(KnowledgeBase(clone), today=TODAY)
    assert [f for f in shallow.findings if f.rule == "outdated-translation"] == []
    # ...but lint says what it could not check, on stderr (stdout stays the findings)
    linted = run("--root", str(clone), "lint")
    assert "kb: note: 1 translation names a source_commit that is not in this shallow clone's history" in (
        linted.stderr
    )
    assert "git fetch --unshallow" in linted.stderr and "kb: note" not in linted.stdout
    listing = run("--root", str(clone), "translations")
    assert "untracked" in listing.output and "not in the history read" in listing.output
