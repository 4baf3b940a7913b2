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
    # "Contact support" goes through the contact step, which leads to the contact URL
    assert 'href="../../contact/?from=a" data-kb-contact-step-link' in article
    assert 'data-kb-contact-template="https://acme.example/contact"' in _html(mini_kb.root / "site/public", "contact")
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


def test_related_pages_are_listed_under_the_page_in_each_site(mini_kb: MiniKB) -> None:
    related = "related: [b, draft, c]\n"
    mini_kb.both("cards/a.md", page("a", "Card declined", extra=related), page("a", "Carte refusée", extra=related))
    mini_kb.both("cards/b.md", page("b", "Card limits"), page("b", "Plafonds de carte"))
    mini_kb.write("en/billing/c.md", page("c", "Invoices", category="billing", owner="billing"))
    mini_kb.write("en/cards/draft.md", page("draft", "Draft page", status="draft"))
    sop = page("sop", "Refund SOP", type="sop", audience="internal", category="billing", owner="billing")
    mini_kb.write("en/billing/sop.md", sop.replace("---\n\n", "related: [a]\n---\n\n"))
    GitRepo(mini_kb.root).commit("init")
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "build"])
    assert result.exit_code == 0, result.output
    site = mini_kb.root / "site"
    public = _html(site / "public", "cards/a")
    assert '<h2 id="kb-related">Related articles' in public
    assert '<a href="../b/">Card limits</a>' in public and '<a href="../../billing/c/">Invoices</a>' in public
    assert "Draft page" not in public  # not published, not listed
    french = _html(site / "public", "fr/cards/a")
    assert '<h2 id="kb-related">Articles liés' in french and '<a href="../b/">Plafonds de carte</a>' in french
    assert '<a href="../../billing/c/">Invoices</a>' in french  # not translated yet: shown in English
    assert "Dernière mise à jour\u00a0:" in french and 'title="Lien permanent"' in french  # French typography
    assert '<a href="../../cards/a/">Card declined</a>' in _html(site / "internal", "billing/sop")


def test_a_build_without_service_url_says_what_is_off(mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a"), page("a"))
    result = CliRunner().invoke(
        main, ["--root", str(mini_kb.root), "build", "--audience", "public"], env={"KB_SERVICE_URL": None}
    )
    assert result.exit_code == 0, result.output
    assert "no service URL" in result.stderr and "kb serve use '/'" in result.stderr
    assert "data-kb-feedback" not in _html(mini_kb.root / "site/public", "cards/a")


def test_mkdocs_yml_python_name_tags_reach_the_builds(mini_kb: MiniKB) -> None:
    # mkdocs-material's documented emoji setup: functions named with !!python/name
    (mini_kb.root / "mkdocs.yml").write_text(
        "site_name: Test\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n",
        encoding="utf-8",
    )
    mini_kb.both("cards/a.md", page("a", body="Done :smile:\n"), page("a", body="Fini :smile:\n"))
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "build", "--audience", "public"])
    assert result.exit_code == 0, result.output
    assert 'class="twemoji"' in _html(mini_kb.root / "site/public", "cards/a")


def test_related_titles_are_shown_as_written(mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a", extra="related: [b]\n"), page("a", extra="related: [b]\n"))
    title = '"Use <Tab> & *stars* [here]"'
    mini_kb.both("cards/b.md", page("b", title), page("b", title))
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "build", "--audience", "public"])
    assert result.exit_code == 0, result.output
    assert '<a href="../b/">Use &lt;Tab&gt; &amp; *stars* [here]</a>' in _html(mini_kb.root / "site/public", "cards/a")
