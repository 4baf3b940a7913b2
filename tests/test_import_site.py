"""What the sites learned for imports: the `order` key, redirects for `aliases`, one-language sites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.model.project import KnowledgeBase
from site_plugins.build import BuildOptions, build_sites

INTERNAL = {"type": "sop", "audience": "internal", "category": "playbooks"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kb = MiniKB(tmp_path_factory.mktemp("aliases") / "kb")
    (kb.root / "mkdocs.yml").write_text("site_name: Acme\nsite_url: http://127.0.0.1:8000/\n")
    # Titles in the reverse of the wanted order: only `order` can put them right
    for index, (slug, title) in enumerate([("first", "Zebra first"), ("second", "Yak second"), ("third", "Ant")]):
        order = f"{(index + 1) * 10}" if slug != "third" else None
        kb.both(
            f"cards/{slug}.md",
            page(slug, title, order=order, aliases=f"[hc/en-us/articles/{index}-{slug}]"),
            page(slug, f"{title} FR", order=order, aliases=f"[hc/fr/articles/{index}-{slug}]"),
        )
    kb.write(
        "en/playbooks/secret.md",
        page("secret", "Secret SOP", **INTERNAL, aliases="[hc/en-us/articles/99-secret-canary]"),
    )
    GitRepo(kb.root).commit("Imported")
    build_sites(KnowledgeBase(kb.root), BuildOptions())
    return kb.root / "site"


def _positions(html: str, titles: list[str]) -> list[int]:
    return [html.index(title) for title in titles]


@pytest.mark.parametrize(
    "where", ["public/cards/index.html", "public/fr/cards/index.html", "internal/cards/index.html"]
)
def test_order_sorts_category_pages_and_navigation(built: Path, where: str) -> None:
    html = (built / where).read_text()
    suffix = " FR" if "/fr/" in where else ""
    titles = [f"Zebra first{suffix}", f"Yak second{suffix}", f"Ant{suffix}"]
    content = html[html.index('<article class="md-content__inner') :]
    positions = _positions(content, titles)
    assert positions == sorted(positions), content[:2000]
    nav = html[html.index('<nav class="md-nav md-nav--primary"') : html.index('<article class="md-content__inner')]
    positions = _positions(nav, titles)
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("site", "alias", "target"),
    [
        ("public", "hc/en-us/articles/0-first", "../../../../cards/first/"),
        ("public", "hc/fr/articles/1-second", "../../../../fr/cards/second/"),
        ("internal", "hc/en-us/articles/2-third", "../../../../cards/third/"),
        ("internal", "hc/en-us/articles/99-secret-canary", "../../../../playbooks/secret/"),
    ],
)
def test_an_old_url_redirects_to_the_page(built: Path, site: str, alias: str, target: str) -> None:
    html = (built / site / alias / "index.html").read_text()
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in html
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    assert canonical is not None
    base = "http://127.0.0.1:8000/" + ("internal/" if site == "internal" else "")
    assert canonical.group(1) == base + target.replace("../", "")
    assert (built / site / alias / target / "index.html").resolve().is_file()


def test_an_internal_page_old_url_is_never_on_the_public_site(built: Path) -> None:
    assert (built / "internal/hc/en-us/articles/99-secret-canary/index.html").is_file()  # the wiki has it
    assert not (built / "public/hc/en-us/articles/99-secret-canary").exists()
    for path in (built / "public").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            assert "secret-canary" not in path.read_text(errors="replace"), path


@pytest.mark.parametrize("languages", ["fr", "es"])
def test_a_one_language_knowledge_base_from_init_to_site(tmp_path: Path, languages: str) -> None:
    runner = CliRunner()
    root = tmp_path / "help"
    done = runner.invoke(main, ["init", str(root), "--languages", languages], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (root / "content").iterdir()) == [languages, "taxonomy.yml"]
    taxonomy = (root / "content/taxonomy.yml").read_text()
    assert f"code: {languages}" in taxonomy and "en:" not in taxonomy
    linted = runner.invoke(main, ["--root", str(root), "lint", "--strict"], catch_exceptions=False)
    assert linted.exit_code == 0, linted.output
    built = runner.invoke(main, ["--root", str(root), "build", "--strict"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    home = (root / "site/public/index.html").read_text()
    assert f'<html lang="{languages}"' in home
    assert "md-select__list" not in home  # no language menu with a single entry
    article = (root / "site/public/getting-started/welcome/index.html").read_text()
    assert "md-select__list" not in article


def test_init_with_several_languages_keeps_the_menu(tmp_path: Path) -> None:
    runner = CliRunner()
    root = tmp_path / "help"
    assert runner.invoke(main, ["init", str(root), "--languages", "fr,en"]).exit_code == 0
    assert re.search(r"languages:\n  - code: fr\n.*\n  - code: en", (root / "content/taxonomy.yml").read_text())
    assert "Bienvenue" in (root / "content/fr/getting-started/welcome.md").read_text()
    assert "Welcome" in (root / "content/en/getting-started/welcome.md").read_text()
    assert runner.invoke(main, ["--root", str(root), "lint", "--strict"]).exit_code == 0
    built = runner.invoke(main, ["--root", str(root), "build", "--strict"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    home = (root / "site/public/index.html").read_text()
    assert '<html lang="fr"' in home and "md-select__list" in home and 'hreflang="en"' in home


@pytest.mark.parametrize(
    ("bad", "says"), [("", "at least one language"), ("english", "not a language code"), ("fr,fr", "twice")]
)
def test_init_languages_refuses_bad_codes_cleanly(tmp_path: Path, bad: str, says: str) -> None:
    done = CliRunner().invoke(main, ["init", str(tmp_path / "help"), "--languages", bad])
    assert done.exit_code == 1 and done.output.startswith("kb: error: ")
    assert says in done.output and "Traceback" not in done.output
    assert not (tmp_path / "help").exists()
