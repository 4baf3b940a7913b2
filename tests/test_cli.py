"""The kb command as a writer uses it, through click's CliRunner."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MiniKB, page

from kbtools.cli import main


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    runner = CliRunner()

    def invoke(*args: str, cwd: Path | None = None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_init_creates_a_lint_clean_knowledge_base(run, tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "help"), "--site-name", "Acme Help")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "help/mkdocs.yml").read_text().startswith("#")
    assert "site_name: Acme Help" in (tmp_path / "help/mkdocs.yml").read_text()
    assert (tmp_path / "help/.gitignore").exists()
    linted = run("--root", str(tmp_path / "help"), "lint", "--strict")
    assert linted.exit_code == 0, linted.output
    assert linted.output.strip().endswith("6 files checked: 0 errors, 0 warnings")


def test_init_refuses_a_folder_with_files(run, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    result = run("init", str(tmp_path))
    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert "Traceback" not in result.output
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_new_writes_a_draft_with_front_matter_filled_in(run, tmp_path: Path) -> None:
    run("init", str(tmp_path / "help"))
    result = run(
        "new",
        "--type",
        "troubleshooting",
        "--category",
        "getting-started",
        "Café: can't sign in",
        cwd=tmp_path / "help",
    )
    assert result.exit_code == 0, result.output
    rel = result.output.strip()
    assert rel == "content/en/getting-started/cafe-cant-sign-in.md"
    text = (tmp_path / "help" / rel).read_text()
    assert "id: cafe-cant-sign-in\n" in text
    assert "owner: support\n" in text  # the category's owner in taxonomy.yml
    assert f"reviewed: {date.today().isoformat()}\n" in text
    assert "status: draft\n" in text
    assert run("lint", "--strict").exit_code == 0


def test_new_macro_gets_actions_and_internal_audience(run, tmp_path: Path) -> None:
    run("init", str(tmp_path / "help"))
    result = run(
        "new", "--type", "macro", "--category", "getting-started", "Ask for a screenshot", cwd=tmp_path / "help"
    )
    text = (tmp_path / "help" / result.output.strip()).read_text()
    assert "id: macro-ask-for-a-screenshot\n" in text
    assert "audience: internal\n" in text
    assert "actions: {status: pending, public: true}" in text
    assert run("lint", "--strict").exit_code == 0


def test_new_refuses_to_overwrite_and_unknown_categories(run, tmp_path: Path) -> None:
    run("init", str(tmp_path / "help"))
    assert run("new", "--category", "getting-started", "Welcome", cwd=tmp_path / "help").exit_code == 1
    unknown = run("new", "--category", "billing", "Invoices")
    assert unknown.exit_code == 1
    assert "unknown category 'billing'; categories: getting-started" in unknown.output
    assert not (tmp_path / "help/content/en/billing").exists()


def test_lint_text_output_names_file_line_and_key(run, mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a", category="card"), page("a"))
    result = run("--root", str(mini_kb.root), "lint", "--today", "2026-11-22")
    assert result.exit_code == 1
    assert (
        "content/en/cards/a.md:7: error: category: 'card' is not one of the categories in taxonomy.yml; "
        "did you mean 'cards'? [taxonomy-value]"
    ) in result.output


def test_lint_json_and_github_formats(run, mini_kb: MiniKB) -> None:
    mini_kb.write("en/cards/a.md", page("a", reviewed="2020-01-01"))
    result = run("--root", str(mini_kb.root), "lint", "--format", "json", "--today", "2026-11-22")
    assert result.exit_code == 0  # warnings only
    payload = json.loads(result.output)
    assert payload["errors"] == 0
    assert {(f["path"], f["line"], f["rule"]) for f in payload["findings"]} == {
        ("content/en/cards/a.md", 1, "missing-translation"),
        ("content/en/cards/a.md", 9, "review-overdue"),
    }
    github = run("--root", str(mini_kb.root), "lint", "--format", "github", "--today", "2026-11-22")
    assert "::warning file=content/en/cards/a.md,line=9,title=kb lint review-overdue::reviewed: review overdue" in (
        github.output
    )


def test_strict_fails_on_warnings(run, mini_kb: MiniKB) -> None:
    mini_kb.write("en/cards/a.md", page("a"))
    assert run("--root", str(mini_kb.root), "lint", "--today", "2026-11-22").exit_code == 0
    assert run("--root", str(mini_kb.root), "lint", "--strict", "--today", "2026-11-22").exit_code == 1


def test_bad_yaml_is_a_finding_not_a_traceback(run, mini_kb: MiniKB) -> None:
    mini_kb.write("en/cards/a.md", "---\nid: a\ntitle: 'unclosed\n---\nBody\n")
    result = run("--root", str(mini_kb.root), "lint")
    assert result.exit_code == 1
    assert "content/en/cards/a.md:" in result.output and "YAML syntax error" in result.output
    assert "Traceback" not in result.output


def test_broken_taxonomy_gives_clean_errors_everywhere(run, mini_kb: MiniKB) -> None:
    (mini_kb.root / "content/taxonomy.yml").write_text("languages: [{code: en}]\nteams: nope\n")
    linted = run("--root", str(mini_kb.root), "lint")
    assert linted.exit_code == 1
    assert "content/taxonomy.yml:2: error: teams: must be a mapping of id: definition [taxonomy-file]" in linted.output
    summary = run("--root", str(mini_kb.root), "summary")
    assert summary.exit_code == 1
    assert summary.output.startswith("kb: error: ")
    assert "Traceback" not in summary.output


def test_outside_a_knowledge_base(run, tmp_path: Path) -> None:
    result = run("lint", cwd=tmp_path)
    assert result.exit_code == 1
    assert "kb: error: no knowledge base at or above" in result.output


def test_root_is_found_from_a_subfolder(run, mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a"), page("a"))
    result = run("lint", cwd=mini_kb.root / "content/en/cards")
    assert result.exit_code == 0, result.output


def test_summary_counts_and_json(run, mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a"), page("a"))
    mini_kb.write("en/cards/b.md", page("b"))
    result = run("--root", str(mini_kb.root), "summary", "--format", "json", "--today", "2026-11-22")
    data = json.loads(result.output)
    assert data["files"] == 3
    assert data["public_sources"] == 2
    assert data["translated"] == {"fr": 1}
