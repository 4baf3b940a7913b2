"""Article history from git: one pass, renames followed, lines counted; shallow clones and no repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.model.history import NotAGitRepositoryError, read_history, require_repository

DECLINED = "content/en/cards/declined.md"


@pytest.fixture
def repo(mini_kb: MiniKB) -> GitRepo:
    """declined.md starts as cards/refused.md (Alice), is renamed and edited (Bob), then edited again (Carol)."""
    mini_kb.both("cards/refused.md", page("declined", "Card declined", body="Line one.\nLine two.\n"), page("declined"))
    mini_kb.write("en/billing/invoices.md", page("invoices", category="billing", owner="billing"))
    repo = GitRepo(mini_kb.root)
    repo.commit("First version", date="2026-03-02T09:00:00+00:00", author="Alice Martin")
    repo.git("mv", "content/en/cards/refused.md", "content/en/cards/declined.md")
    (mini_kb.root / DECLINED).write_text(page("declined", "Card declined", body="Line one.\nLine two.\nThree.\n"))
    repo.commit("Rename refused to declined", date="2026-03-10T09:00:00+00:00", author="Bob Stone")
    (mini_kb.root / DECLINED).write_text(page("declined", "Card declined", body="Line one.\nThree.\n"))
    repo.commit("Drop line two", date="2026-04-10T09:00:00+00:00", author="Carol Diaz")
    return repo


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_history_follows_renames_and_counts_lines(repo: GitRepo, mini_kb: MiniKB) -> None:
    history = read_history(mini_kb.root, lines=True)
    changes = history.file_changes(DECLINED)
    assert [c.commit.author for c in changes] == ["Carol Diaz", "Bob Stone", "Alice Martin"]
    assert [(c.added, c.deleted) for c in changes] == [(0, 1), (1, 0), (13, 0)]
    assert changes[1].status == "R" and changes[1].old_path == "content/en/cards/refused.md"
    assert history.names_of(DECLINED) == [DECLINED, "content/en/cards/refused.md"]
    assert history.last_change("content/en/billing/invoices.md").author == "Alice Martin"
    assert "content/en/cards/refused.md" not in history.changes  # filed under today's name


def test_abbreviated_commit_ids_resolve(repo: GitRepo, mini_kb: MiniKB) -> None:
    history = read_history(mini_kb.root)
    first = history.commits[-1]
    assert history.resolve(first.sha[:7]) == first
    assert history.resolve(first.sha[:12].upper()) == first
    assert history.resolve("abc") is None  # too short to mean anything
    assert history.changes_since(DECLINED, first.sha[:10]) == history.commits_of(DECLINED)[:2]


def test_knowledge_base_in_a_subfolder_with_accented_names(tmp_path: Path) -> None:
    kb = MiniKB(tmp_path / "repo" / "help")
    kb.write("en/cards/café.md", page("cafe"))
    repo = GitRepo(tmp_path / "repo")
    (tmp_path / "repo" / "README.md").write_text("not content")
    repo.commit("Add help", date="2026-05-01T09:00:00+00:00")
    history = read_history(kb.root)
    assert sorted(history.changes) == ["content/en/cards/café.md", "content/taxonomy.yml"]
    assert history.repository is not None and history.repository.prefix == "help/"


def test_outside_a_repository_the_history_is_empty_and_commands_say_why(mini_kb: MiniKB) -> None:
    mini_kb.write("en/cards/a.md", page("a"))
    history = read_history(mini_kb.root)
    assert not history.is_repository and history.last_change("content/en/cards/a.md") is None
    with pytest.raises(NotAGitRepositoryError, match="not in a git repository"):
        require_repository(history)
    result = run("--root", str(mini_kb.root), "history", "a")
    assert result.exit_code == 1
    assert "kb: error:" in result.output and "git init" in result.output and "Traceback" not in result.output


def test_kb_history_lists_commits_with_lines_and_renames(repo: GitRepo, mini_kb: MiniKB) -> None:
    result = run("--root", str(mini_kb.root), "history", "declined")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == 'content/en/cards/declined.md  declined: "Card declined"'
    assert lines[1].startswith("2026-04-10  ") and "Carol Diaz" in lines[1] and "+0 -1" in lines[1]
    assert lines[1].endswith("Drop line two")
    assert "(renamed from content/en/cards/refused.md)" in lines[2]
    assert lines[-1] == "3 commits, 3 authors"
    by_path = run("--root", str(mini_kb.root), "history", "content/en/cards/declined.md")
    assert by_path.output == result.output


def test_kb_history_of_the_translation_and_of_a_file_never_committed(repo: GitRepo, mini_kb: MiniKB) -> None:
    french = run("--root", str(mini_kb.root), "history", "declined", "--lang", "fr")
    assert "content/fr/cards/refused.md" in french.output and "First version" in french.output
    mini_kb.write("en/cards/fresh.md", page("fresh"))
    fresh = run("--root", str(mini_kb.root), "history", "fresh")
    assert fresh.exit_code == 0
    assert "not committed" in fresh.output and "never committed" in fresh.output


def test_kb_history_diff_since_a_commit_across_the_rename(repo: GitRepo, mini_kb: MiniKB) -> None:
    first = read_history(mini_kb.root).commits[-1].sha
    result = run("--root", str(mini_kb.root), "history", "declined", "--diff", first[:8])
    assert result.exit_code == 0, result.output
    assert "rename from content/en/cards/refused.md" in result.output
    assert "-Line two." in result.output and "+Three." in result.output
    unknown = run("--root", str(mini_kb.root), "history", "declined", "--diff", "nope")
    assert unknown.exit_code == 1 and "'nope' is not a commit" in unknown.output


def test_shallow_clone_reads_what_it_has(repo: GitRepo, mini_kb: MiniKB, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{mini_kb.root}", str(clone)], check=True, capture_output=True
    )
    history = read_history(clone)
    assert history.shallow and len(history.commits) == 1
    assert history.last_change(DECLINED).subject == "Drop line two"
    result = run("--root", str(clone), "history", "declined")
    assert "1 commit, 1 author (shallow clone: older commits are not here)" in result.output
