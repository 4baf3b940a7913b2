"""The help center's home page, breadcrumbs, and site name and footer per language, in a real `kb build` of a
small tree (both sites, both languages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import MiniKB, page
from gitrepo import GitRepo

from kbtools.model.project import KnowledgeBase
from site_plugins.build import BuildOptions, build_sites

LANGUAGES = """\
languages:
  - code: en
    name: English
    site_name: Acme Help Center
    footer: Acme Ltd, help for Acme cards
  - code: fr
    name: Français
    site_name: Centre d'aide Acme
    footer: Acme SAS, l'aide des cartes Acme
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kb = MiniKB(tmp_path_factory.mktemp("helpcenter") / "kb")
    taxonomy = kb.root / "content" / "taxonomy.yml"
    text = taxonomy.read_text(encoding="utf-8")
    text = LANGUAGES + text[text.index("teams:") :]
    text = text.replace(
        "    label: {en: Cards, fr: Cartes}\n",
        "    label: {en: Cards, fr: Cartes}\n"
        "    description: {en: Lost cards and limits., fr: Cartes perdues et plafonds.}\n",
    )
    taxonomy.write_text(text + "featured:\n  - lost\n  - pin\n  - sop\n  - draft\n", encoding="utf-8")
    (kb.root / "mkdocs.yml").write_text("site_name: Acme\nsite_url: http://127.0.0.1:8000/\n", encoding="utf-8")
    kb.both("cards/lost.md", page("lost", "Report a lost card"), page("lost", "Signaler une carte perdue"))
    kb.write("en/cards/pin.md", page("pin", "Change your PIN"))  # untranslated: shown in English on /fr/
    kb.both("billing/invoices.md", *[page("invoices", "Invoices", category="billing", owner="billing")] * 2)
    kb.write("en/playbooks/sop.md", page("sop", "Fraud SOP", type="sop", audience="internal", category="playbooks"))
    kb.write("en/cards/draft.md", page("draft", "Draft page", status="draft"))
    GitRepo(kb.root).commit("Content", date="2026-03-02T09:00:00+00:00")
    options = BuildOptions(service_url="http://127.0.0.1:9", contact_url="https://acme.example/new?subject={subject}")
    build_sites(KnowledgeBase(kb.root), options)
    return kb.root / "site"


def _soup(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(
    ("prefix", "search_label", "featured", "popular_title"),
    [
        ("", "How can we help?", ["Report a lost card", "Change your PIN"], "Popular articles"),
        (
            "fr/",
            "Comment pouvons-nous vous aider ?",
            ["Signaler une carte perdue", "Change your PIN"],
            "Articles populaires",
        ),
    ],
)
def test_home_page_is_search_first_in_the_readers_language(
    site: Path, prefix: str, search_label: str, featured: list[str], popular_title: str
) -> None:
    home = _soup(site, f"public/{prefix}")
    form = home.select_one("form[data-kb-home-search]")
    assert form is not None and form.find("label").get_text() == search_label
    assert form.find("input", attrs={"name": "q"}) is not None
    popular = home.select_one("[data-kb-popular]")
    # The featured list (internal and draft ids left out) until the service has popular articles
    assert [a.get_text() for a in popular.select("li a")] == featured
    assert [a["href"] for a in popular.select("li a")] == ["cards/lost/", "cards/pin/"]
    assert popular["data-title-popular"] == popular_title
    assert popular["data-root"] == ("../" if prefix else "")
    assert not popular.has_attr("hidden")
    cards = home.select(".grid.cards li")
    assert "Lost cards and limits." in cards[0].get_text() or "Cartes perdues et plafonds." in cards[0].get_text()
    still = home.select_one(".kb-still a.md-button")
    assert still["href"] == "contact/"
    assert home.find("script", src=re.compile(r"kb-home\.js$")) is not None


def test_the_wiki_home_has_no_home_search_box_or_popular_list(site: Path) -> None:
    home = _soup(site, "internal/")
    assert home.select_one("[data-kb-home-search]") is None and home.select_one("[data-kb-popular]") is None


@pytest.mark.parametrize(
    ("path", "trail"),
    [
        ("public/cards/lost", [("Home", "../.."), ("Cards", "..")]),
        ("public/fr/cards/lost", [("Accueil", "../.."), ("Cartes", "..")]),
        ("public/fr/cards/pin", [("Accueil", "../.."), ("Cartes", "..")]),  # untranslated: the French trail
        ("public/cards", [("Home", ".."), ("Cards", ".")]),
        ("public/fr/billing", [("Accueil", ".."), ("Facturation", ".")]),
        ("internal/playbooks/sop", [("Home", "../.."), ("Playbooks", "..")]),
        ("internal/fr/cards/lost", [("Accueil", "../.."), ("Cartes", "..")]),
    ],
)
def test_breadcrumbs_on_every_article_and_category_page(site: Path, path: str, trail: list[tuple[str, str]]) -> None:
    crumbs = _soup(site, path).select("nav.md-path a.md-path__link")
    assert [(a.get_text(strip=True), a["href"].rstrip("/") or ".") for a in crumbs] == trail


@pytest.mark.parametrize(
    ("path", "name", "footer"),
    [
        ("public", "Acme Help Center", "Acme Ltd, help for Acme cards"),
        ("public/cards/lost", "Acme Help Center", "Acme Ltd, help for Acme cards"),
        ("public/fr", "Centre d'aide Acme", "Acme SAS, l'aide des cartes Acme"),
        ("public/fr/cards/pin", "Centre d'aide Acme", "Acme SAS, l'aide des cartes Acme"),
        ("internal/fr/cards/lost", "Centre d'aide Acme — Agent wiki", "Acme SAS, l'aide des cartes Acme"),
    ],
)
def test_site_name_and_footer_in_the_pages_language(site: Path, path: str, name: str, footer: str) -> None:
    soup = _soup(site, path)
    assert soup.select_one(".md-header__topic .md-ellipsis").get_text(strip=True) == name
    assert soup.title.get_text().endswith(name)
    assert soup.select_one(".md-copyright__highlight").get_text(strip=True) == footer
