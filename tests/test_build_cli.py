"""`kb build` from the command line: configuration from the environment, MkDocs' own warnings in --strict."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main


def _html(site: Path, rel: str) -> str:
    return (site / rel / "index.html").read_text(encoding="utf-8")


def test_service_and_contact_urls_come_from_the_environment(mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a"), page("a"))
    GitRepo(mini_kb.root).commit("init")
    env = {"KB_SERVICE_URL": "https://help.acme.example", "KB_CONTACT_URL": "https://acme.example/contact"}
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "build", "--audience", "public"], env=env)
    assert result.exit_code == 0, result.output
    article = _html(mini_kb.root / "site/public", "cards/a")
    assert '<meta name="kb:service" content="https://help.acme.example">' in article
    assert 'href="https://acme.example/contact" data-kb-contact' in article
    assert "data-kb-feedback" in article


def test_each_site_builds_all_its_languages(mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a", "Card declined"), page("a", "Carte refusée"))
    GitRepo(mini_kb.root).commit("init")
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "build"])
    assert result.exit_code == 0, result.output
    assert "public    en, fr:" in result.output and "internal  en, fr:" in result.output
    for site in ("public", "internal"):
        assert "Card declined" in _html(mini_kb.root / "site" / site, "cards/a")
        assert "Carte refusée" in _html(mini_kb.root / "site" / site, "fr/cards/a")


def test_mkdocs_yml_adds_markdown_extensions_and_is_told_its_plugins_are_not_used(mini_kb: MiniKB) -> None:
    (mini_kb.root / "mkdocs.yml").write_text(
        "site_name: Test\nplugins: [search, blog]\nmarkdown_extensions:\n  - abbr\n  - toc:\n      permalink: '#'\n",
        encoding="utf-8",
    )
    body = "The HTML spec.\n\n## Steps\n\n*[HTML]: Hyper Text Markup Language\n"
    mini_kb.both("cards/a.md", page("a", body=body), page("a", body=body))
    GitRepo(mini_kb.root).commit("init")
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "build", "--audience", "public"])
    assert result.exit_code == 0, result.output
    assert "mkdocs.yml plugins not used; kb build sets them itself" in result.stderr
    article = _html(mini_kb.root / "site/public", "cards/a")
    assert '<abbr title="Hyper Text Markup Language">HTML</abbr>' in article  # their extension
    assert 'class="headerlink" href="#steps"' in article and ">#</a>" in article  # their toc settings win
