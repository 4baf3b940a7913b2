"""Spanish added to a knowledge base: declared in the taxonomy, its interface strings from kb's strings/es.yml,
French reworded by the knowledge base's content/strings/fr.yml, pages translated, untranslated and drafted by
`kb translations scaffold`, in a real `kb build` and a real search index."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from conftest import MiniKB, add_language, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.model.project import KnowledgeBase
from search import Searcher, build_index
from site_plugins.build import BuildOptions, build_sites

BASE = "https://help.acme.example/"
DRAFT_TITLE = "Solicitar un reembolso (borrador)"


@pytest.fixture(scope="module")
def spanish(tmp_path_factory: pytest.TempPathFactory) -> MiniKB:
    kb = MiniKB(tmp_path_factory.mktemp("spanish") / "kb")
    add_language(kb, "es", "Español")
    (kb.root / "mkdocs.yml").write_text("site_name: Acme Help\nsite_url: http://127.0.0.1:8000/\n", encoding="utf-8")
    kb.write("strings/fr.yml", "related: Voir aussi\n")  # a knowledge base rewords a language kb ships
    kb.write(
        "en/cards/declined.md",
        page(
            "declined",
            "Card payment declined",
            related="[freeze]",
            body="Your card was declined because the monthly limit was reached.\n\n!!! tip\n    Check the limit.\n",
        ),
    )
    kb.write(
        "es/cards/declined.md",
        page(
            "declined",
            "Pago con tarjeta rechazado",
            related="[freeze]",
            body="Su tarjeta fue rechazada porque se alcanzó el límite mensual.\n\n!!! tip\n    Compruebe el límite.\n",
        ),
    )
    kb.write("fr/cards/declined.md", page("declined", "Paiement refusé", related="[freeze]"))
    kb.write("en/cards/freeze.md", page("freeze", "Freeze a card", body="Freeze the card from the app.\n"))
    kb.write("en/billing/refund.md", page("refund", "Request a refund", category="billing", owner="billing"))
    repo = GitRepo(kb.root)
    repo.commit("Content", date="2026-03-02T09:00:00+00:00")
    scaffold = CliRunner().invoke(main, ["--root", str(kb.root), "translations", "scaffold", "--lang", "es"])
    assert scaffold.exit_code == 0, scaffold.output
    draft = kb.root / "content/es/billing/refund.md"
    # A translator has started: the draft's own text must appear nowhere until it is published
    draft.write_text(draft.read_text(encoding="utf-8").replace("Request a refund", DRAFT_TITLE), encoding="utf-8")
    repo.commit("Spanish drafts", date="2026-03-03T09:00:00+00:00")
    build_sites(KnowledgeBase(kb.root), BuildOptions(base_url=BASE, service_url="http://127.0.0.1:9"))
    return kb


def _html(kb: MiniKB, url: str) -> str:
    return (kb.root / "site" / url / "index.html").read_text(encoding="utf-8")


def test_a_translated_spanish_page_speaks_spanish(spanish: MiniKB) -> None:
    html = _html(spanish, "public/es/cards/declined")
    assert '<html lang="es"' in html
    assert "Pago con tarjeta rechazado" in html and "se alcanzó el límite mensual" in html
    for text in ("Artículos relacionados", "¿Ha respondido esta página a su pregunta?", "Inicio"):
        assert text in html, text
    assert re.findall(r'<p class="admonition-title">(.*?)</p>', html) == ["Consejo"]
    assert "Related articles" not in html


def test_an_untranslated_page_is_the_english_one_with_a_spanish_notice(spanish: MiniKB) -> None:
    html = _html(spanish, "public/es/cards/freeze")
    assert "Este artículo todavía no está disponible en español" in html
    assert re.search(r'<h1 lang="en"[^>]*>Freeze a card</h1>', html)


def test_a_scaffolded_draft_is_never_published(spanish: MiniKB) -> None:
    html = _html(spanish, "public/es/billing/refund")  # the reader gets the English page, not nothing
    assert "Este artículo todavía no está disponible en español" in html and "Request a refund" in html
    for path in (spanish.root / "site").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".txt"):
            assert DRAFT_TITLE not in path.read_text(encoding="utf-8"), path


def test_a_knowledge_base_rewords_a_shipped_language(spanish: MiniKB) -> None:
    html = _html(spanish, "public/fr/cards/declined")
    assert "Voir aussi" in html and "Articles liés" not in html
    assert "Cette page a-t-elle répondu à votre question ?" in html  # the rest is kb's French


def test_switcher_and_sitemap_list_the_spanish_page(spanish: MiniKB) -> None:
    english = _html(spanish, "public/cards/declined")
    assert 'href="../../es/cards/declined/" hreflang="es"' in english
    assert 'href="../../../cards/declined/" hreflang="en"' in _html(spanish, "public/es/cards/declined")
    namespaces = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.parse(spanish.root / "site/public/es/sitemap.xml").getroot()
    entries = {
        url.findtext("s:loc", namespaces=namespaces).strip(): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", namespaces)
        }
        for url in root.findall("s:url", namespaces)
    }
    assert entries[f"{BASE}es/cards/declined/"] == {
        "en": f"{BASE}cards/declined/",
        "fr": f"{BASE}fr/cards/declined/",
        "es": f"{BASE}es/cards/declined/",
    }


def test_the_static_search_index_has_the_spanish_pages(spanish: MiniKB) -> None:
    index = json.loads((spanish.root / "site/public/es/search/search_index.json").read_text(encoding="utf-8"))
    titles = {doc["title"] for doc in index["docs"] if doc["location"].endswith("/") and "#" not in doc["location"]}
    assert "Pago con tarjeta rechazado" in titles and DRAFT_TITLE not in titles
    assert "es" in index["config"]["lang"]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("tarjetas rechazadas", "declined"),  # plural and feminine forms meet the stem
        ("tarjeta rechazada limite", "declined"),  # without the accent
        ("Límites mensuales", "declined"),
    ],
)
def test_kb_search_finds_spanish_pages_in_spanish(spanish: MiniKB, tmp_path: Path, typed: str, found: str) -> None:
    index_dir = tmp_path / "index"
    build_index(KnowledgeBase.at(spanish.root), index_dir)
    try:
        with Searcher(index_dir) as searcher:
            results = searcher.query(typed, lang="es")
            assert [(hit.id, hit.lang) for hit in results.hits][:1] == [(found, "es")]
            drafted = searcher.query("solicitar reembolso borrador", lang="es", audience="internal")
            assert all(hit.title != DRAFT_TITLE for hit in drafted.hits)  # a draft is never indexed
    finally:
        shutil.rmtree(index_dir, ignore_errors=True)
