"""kb build on a small real tree in a real git repository: what each site contains and what it must not."""

from __future__ import annotations

import gzip
import html
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from conftest import MiniKB, page
from gitrepo import GitRepo

from kbtools.cli import main
from kbtools.model.project import KnowledgeBase
from site_plugins.build import BuildOptions, build_sites

CANARIES = {
    "internal article body": "CANARY-BODY-7f3a",
    "internal macro body": "CANARY-MACRO-91bc",
    "agent-only block": "CANARY-AGENT-44d2",
    "internal article title": "CANARY-TITLE-c0de",
    "internal article keywords": "CANARY-KEYWORD-5e5e",
    "internal article id": "canary-slug-a1b2",
    "repository link": "CANARY-REPO-0x",
    "auto-reply template": "CANARY-AUTOREPLY-5a1f",
    "auto-reply marked public by mistake": "CANARY-AUTOREPLY-PUBLIC-2b7c",
}

INTERNAL = {"type": "sop", "audience": "internal", "category": "playbooks"}


def _tree(kb: MiniKB) -> GitRepo:
    (kb.root / "mkdocs.yml").write_text(
        "site_name: Acme Help\nsite_url: http://127.0.0.1:8000/\n"
        f"repo_url: https://git.example.com/{CANARIES['repository link']}\nedit_uri: edit/main/content/\n"
    )
    kb.both(
        "cards/declined.md",
        page(
            "declined",
            "Card declined",
            tags="[card-limits]",
            keywords="[card refused, zorblax]",
            summary="Why a payment fails.",
            body=f"""\
            ## Why it happens

            Your limit was reached.

            !!! agent "Agent notes"
                Check the ledger. {CANARIES["agent-only block"]}
                See [the SOP](../playbooks/{CANARIES["internal article id"]}.md).

            ```
            !!! agent "an example in a code fence stays"
                CODE-FENCE-EXAMPLE
            ```
            """,
        ),
        page(
            "declined",
            "Carte refusée",
            tags="[card-limits]",
            keywords="[carte refusée]",
            body="## Pourquoi\n\nVotre plafond est atteint.\n",
        ),
    )
    kb.write(
        "en/cards/limits.md",
        page(
            "limits",
            "Change your card limits",
            tags="[card-limits]",
            body="See [declined payments](declined.md#why-it-happens).\n",
        ),
    )
    kb.both(
        "billing/invoices.md",
        page("invoices", "Download invoices", category="billing", owner="billing"),
        page("invoices", "Télécharger les factures", category="billing", owner="billing"),
    )
    kb.write("en/billing/draft.md", page("draft-page", "DRAFT-TITLE-PAGE", category="billing", status="draft"))
    kb.write("en/billing/old.md", page("old-page", "ARCHIVED-TITLE-PAGE", category="billing", status="archived"))
    kb.write(
        f"en/playbooks/{CANARIES['internal article id']}.md",
        page(
            CANARIES["internal article id"],
            CANARIES["internal article title"],
            **INTERNAL,
            tags="[refund]",
            keywords=f"[{CANARIES['internal article keywords']}]",
            case_reason="payment/refund-request",
            body=f"## Steps\n\n{CANARIES['internal article body']}\n",
        ),
    )
    kb.write(
        "en/billing/macro-refund.md",
        page(
            "macro-refund",
            "Refund approved",
            type="macro",
            audience="internal",
            category="billing",
            owner="billing",
            summary="Use when a refund is approved.",
            extra="actions:\n  status: solved\n  group: billing-l2\n  add_tags: [refund_approved]\n",
            body="Hi {{ticket.requester.first_name}},\n\nYour refund is on its way. " + CANARIES["internal macro body"],
        ),
    )
    autoreply = {"type": "autoreply", "category": "billing", "owner": "billing"}
    kb.write(
        "en/billing/autoreply-default.md",
        page(
            "autoreply-default",
            "Ticket received",
            audience="internal",
            **autoreply,
            body="Hi {{ticket.requester.first_name}},\n\n{{autoreply.articles}}\n\n" + CANARIES["auto-reply template"],
        ),
    )
    kb.write(  # audience: public is a lint error; the build must not publish it either
        "en/billing/autoreply-card.md",
        page(
            "autoreply-card",
            "Card declined, ticket received",
            audience="public",
            case_reason="card/declined",
            **autoreply,
            body=f"{{{{autoreply.articles}}}}\n\n{CANARIES['auto-reply marked public by mistake']}\n",
        ),
    )
    repo = GitRepo(kb.root)
    repo.commit("First version", date="2026-03-02T09:00:00+00:00", author="Alice Martin")
    return repo


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MiniKB, GitRepo]:
    kb = MiniKB(tmp_path_factory.mktemp("build") / "kb")
    repo = _tree(kb)
    first = repo.git("rev-parse", "HEAD")
    # The French card page was translated from the first commit; then the English one changed.
    french = kb.root / "content/fr/cards/declined.md"
    french.write_text(french.read_text().replace("status: published", f"status: published\nsource_commit: {first}"))
    repo.commit("Record translation source", date="2026-03-03T09:00:00+00:00")
    english = kb.root / "content/en/cards/declined.md"
    english.write_text(english.read_text() + "\n## Abroad\n\nSome merchants decline foreign cards.\n")
    repo.commit("Explain foreign declines", date="2026-04-10T09:00:00+00:00", author="Bob Stone")
    kb.write("en/billing/fresh.md", page("fresh", "Never committed page", category="billing"))
    options = BuildOptions(service_url="http://127.0.0.1:9", contact_url="https://acme.example/contact")
    build_sites(KnowledgeBase(kb.root), options)
    return kb.root / "site", kb, repo


def _read_all(folder: Path) -> dict[Path, str]:
    texts = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            texts[path] = data.decode("utf-8", errors="replace")
    return texts


def _html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_no_internal_text_anywhere_in_the_public_site(built) -> None:
    site, _, _ = built
    files = _read_all(site / "public")
    kinds = {path.suffix for path in files}
    assert {".html", ".json", ".xml"} <= kinds
    assert (site / "public/404.html").exists() and (site / "public/fr/404.html").exists()
    for label, canary in CANARIES.items():
        leaks = [str(path.relative_to(site)) for path, text in files.items() if canary in text]
        assert leaks == [], f"{label} leaked into {leaks}"
    for word in ("DRAFT-TITLE-PAGE", "ARCHIVED-TITLE-PAGE"):
        assert not any(word in text for text in files.values())


def test_the_wiki_has_everything(built) -> None:
    site, _, _ = built
    texts = "\n".join(_read_all(site / "internal").values())
    for label, canary in CANARIES.items():
        if label != "repository link":
            assert canary in texts, label
    assert "DRAFT-TITLE-PAGE" not in texts


def test_agent_blocks_are_stripped_but_code_examples_stay(built) -> None:
    site, _, _ = built
    public = _html(site / "public", "cards/declined")
    assert "CODE-FENCE-EXAMPLE" in public
    assert 'class="admonition agent"' not in public
    wiki = _html(site / "internal", "cards/declined")
    assert 'class="admonition agent"' in wiki and CANARIES["agent-only block"] in wiki


def test_languages_and_switcher(built) -> None:
    site, _, _ = built
    english = _html(site / "public", "cards/declined")
    assert '<html lang="en"' in english
    assert 'href="../../fr/cards/declined/" hreflang="fr"' in english
    french = _html(site / "public/fr", "cards/declined")
    assert '<html lang="fr"' in french
    assert "Carte refusée" in french
    assert 'href="../../../cards/declined/" hreflang="en"' in french


def test_untranslated_page_is_shown_in_english_with_a_notice(built) -> None:
    site, _, _ = built
    french = _html(site / "public/fr", "cards/limits")
    assert "Change your card limits" in french
    assert "pas encore disponible en français" in french


def test_navigation_follows_the_taxonomy(built) -> None:
    site, _, _ = built
    home = _html(site / "public/fr", "")
    assert home.index("Cartes") < home.index("Facturation")  # taxonomy order, French labels
    assert "Procédures" not in home  # internal category
    wiki = _html(site / "internal", "")
    assert "Playbooks" in wiki
    landing = _html(site / "public", "cards")
    assert "Card declined" in landing and "Change your card limits" in landing
    assert "Why a payment fails." in landing


def test_tag_pages_list_articles_by_tag(built) -> None:
    site, _, _ = built
    tag_page = _html(site / "public", "tags/card-limits")
    assert "Card declined" in tag_page and "Change your card limits" in tag_page
    assert not (site / "public/tags/refund").exists()  # only the internal SOP has it
    assert (site / "internal/tags/refund/index.html").exists()
    article = _html(site / "public", "cards/declined")
    assert 'href="../../tags/card-limits/"' in article


def test_last_updated_from_git_and_for_uncommitted_files(built) -> None:
    site, _, _ = built
    # The wiki names who changed a page; the help center shows customers the date only (show_author_on)
    assert 'Last updated: <time datetime="2026-04-10">2026-04-10</time> by Bob Stone' in _html(
        site / "internal", "cards/declined"
    )
    assert '<time datetime="2026-03-02">2026-03-02</time> by Alice Martin' in _html(
        site / "internal", "billing/invoices"
    )
    assert "not yet committed" in _html(site / "internal", "billing/fresh")
    for page_url in ("cards/declined", "billing/invoices", "billing/fresh"):
        public = _html(site / "public", page_url)
        assert re.search(r'Last updated: <time datetime="\d{4}-\d\d-\d\d">[\d-]+</time></small>', public)
        assert "Bob Stone" not in public and "Alice Martin" not in public and "not yet committed" not in public


def test_footer_has_no_generator_credit_unless_mkdocs_yml_asks(built) -> None:
    site, _, _ = built
    for folder in ("public", "public/fr", "internal"):
        assert "Made with" not in (site / folder / "index.html").read_text(encoding="utf-8")


def test_outdated_translation_banner(built) -> None:
    site, _, _ = built
    french = _html(site / "public/fr", "cards/declined")
    assert "kb-outdated" in french
    assert 'href="../../../cards/declined/" hreflang="en"' in french.split("kb-outdated", 1)[1]
    assert "kb-outdated" not in _html(site / "public/fr", "billing/invoices")  # no source_commit: untracked


def test_search_index_weights_keywords_and_is_per_language(built) -> None:
    site, _, _ = built
    english = json.loads((site / "public/search/search_index.json").read_text())
    assert english["config"]["fields"]["tags"]["boost"] == 100
    entry = next(d for d in english["docs"] if d["location"] == "cards/declined/")
    assert "zorblax" in entry["tags"]
    french = json.loads((site / "public/fr/search/search_index.json").read_text())
    titles = {d["title"] for d in french["docs"]}
    assert "Carte refusée" in titles and "Card declined" not in titles
    assert "fr" in french["config"]["lang"]


def test_feedback_widget_contact_link_and_page_facts(built) -> None:
    site, _, _ = built
    article = _html(site / "public", "cards/declined")
    assert "data-kb-feedback" in article
    assert '<meta name="kb:article" content="declined">' in article
    assert '<meta name="kb:service" content="http://127.0.0.1:9">' in article
    # "Contact support" leads to the contact step, which suggests articles before the contact URL
    assert 'href="../../contact/?from=declined" data-kb-contact-step-link' in article
    assert "https://acme.example/contact" not in article
    assert "assets/kb/kb.js" in article


@pytest.mark.parametrize(("folder", "lang"), [("public", "en"), ("public/fr", "fr")])
def test_contact_step_page_in_each_language(built, folder: str, lang: str) -> None:
    site, _, _ = built
    step = _html(site / folder, "contact")
    assert f'<html lang="{lang}"' in step
    title = {"en": "Contact support", "fr": "Contacter le support"}[lang]
    assert "<h1" in step and title in step
    assert 'data-kb-contact-template="https://acme.example/contact"' in step
    assert "assets/kb/kb-contact.js" in step
    home = (site / folder / "index.html").read_text(encoding="utf-8")
    still = {"en": "Still need help?", "fr": "Besoin d'aide ?"}[lang]
    assert 'href="contact/"' in home and still in html.unescape(home)
    # The static search of the contact step lists this site's articles, never generated pages
    articles = json.loads((site / folder / "assets/kb/articles.json").read_text(encoding="utf-8"))
    urls = {entry["url"] for entry in articles}
    assert ("fr/" if lang == "fr" else "") + "cards/declined/" in urls
    assert not any(url.startswith(("tags/", "contact")) or url.count("/") < 2 for url in urls)
    assert not (site / "internal/contact").exists() and not (site / "internal/assets/kb/articles.json").exists()


def test_generated_pages_are_never_search_results(built) -> None:
    site, _, _ = built
    for folder in ("public", "public/fr"):
        index = json.loads((site / folder / "search/search_index.json").read_text(encoding="utf-8"))
        locations = {doc["location"].split("#", 1)[0] for doc in index["docs"]}
        assert "cards/declined/" in locations
        assert not {location for location in locations if location in ("", "contact/", "cards/", "billing/")}
        assert not {location for location in locations if location.startswith("tags/")}


def test_wiki_extras_and_macros(built) -> None:
    site, _, _ = built
    sop = _html(site / "internal", f"playbooks/{CANARIES['internal article id']}")
    assert "kb-info" in sop and "Refund request (payment/refund-request)" in sop and "Billing L2" in sop
    macro = _html(site / "internal", "billing/macro-refund")
    assert '<code class="kb-placeholder">{{ticket.requester.first_name}}</code>' in macro
    assert "data-kb-copy" in macro
    # Actions as agents know them: the queue's name, the status in words, the helpdesk key for reference
    assert '<th>Assign to queue</th><td>Billing L2 (billing-l2) <code class="kb-action-key">group</code>' in macro
    assert "<th>Status after the macro</th><td>Solved " in macro
    assert "<dt>Type</dt><dd>Macro</dd>" in macro
    assert "Hi {{ticket.requester.first_name}}," in macro  # the raw reply, for the copy button


def test_auto_replies_are_on_the_wiki_like_macros(built) -> None:
    site, _, _ = built
    reply = _html(site / "internal", "billing/autoreply-default")
    assert '<code class="kb-placeholder">{{autoreply.articles}}</code>' in reply
    assert '<code class="kb-placeholder">{{ticket.requester.first_name}}</code>' in reply
    assert "data-kb-copy" in reply and "<dt>Type</dt><dd>Auto-reply</dd>" in reply
    assert not (site / "public/billing/autoreply-default").exists()
    assert not (site / "public/billing/autoreply-card").exists()


@pytest.mark.parametrize(("folder", "question"), [("public", "Yes, this solved my request"), ("public/fr", "Oui")])
def test_public_articles_carry_the_auto_reply_question_hidden_and_out_of_the_search(built, folder, question) -> None:
    site, _, _ = built
    article = _html(site / folder, "cards/declined")
    assert "data-kb-outcome hidden" in article and question in html.unescape(article)
    assert "assets/kb/kb-autoreply.js" in article
    index = (site / folder / "search/search_index.json").read_text(encoding="utf-8")
    assert question not in index  # the strings are attributes: no search result shows them
    wiki = _html(site / "internal", "cards/declined")
    assert "data-kb-outcome" not in wiki and "kb-autoreply.js" not in wiki


def test_rebuild_leaves_no_stale_page(built, tmp_path: Path) -> None:
    _, kb, _ = built
    out = tmp_path / "site"
    options = BuildOptions(audiences=("public",), out_dir=out)
    build_sites(KnowledgeBase(kb.root), options)
    assert (out / "public/billing/invoices/index.html").exists()
    path = kb.root / "content/en/billing/invoices.md"
    original = path.read_text()
    try:
        path.write_text(original.replace("audience: public", "audience: internal"))
        (kb.root / "content/fr/billing/invoices.md").rename(kb.root / "invoices-fr.bak")
        build_sites(KnowledgeBase(kb.root), options)
        assert not (out / "public/billing/invoices").exists()
        assert "data-kb-feedback" not in _html(out / "public", "cards/declined")  # no service URL, no widget
        assert "Download invoices" not in "\n".join(_read_all(out / "public").values())
    finally:
        path.write_text(original)
        (kb.root / "invoices-fr.bak").rename(kb.root / "content/fr/billing/invoices.md")


def test_strict_build_fails_on_a_broken_link_naming_the_file(mini_kb: MiniKB) -> None:
    mini_kb.both("cards/a.md", page("a", body="See [b](b.md).\n"), page("a"))
    GitRepo(mini_kb.root).commit("init")
    result = CliRunner().invoke(main, ["--root", str(mini_kb.root), "build", "--strict"])
    assert result.exit_code == 1
    assert "content/en/cards/a.md:12: error: link 'b.md': no page en/cards/b.md [broken-link]" in result.output
    assert not (mini_kb.root / "site/public").exists()


# Languages, macros and assets: a second small tree, built for a base URL other than mkdocs.yml's site_url
BASE = "https://help.acme.example/"


@pytest.fixture(scope="module")
def languages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kb = MiniKB(tmp_path_factory.mktemp("languages") / "kb")
    (kb.root / "mkdocs.yml").write_text("site_name: Acme Help\nsite_url: http://127.0.0.1:8000/\n")
    kb.both(
        "cards/limits.md",
        page(
            "limits",
            "Change card limits",
            body="""\
            !!! tip
                Limits apply per card.

            !!! note "Before you start"
                You need the admin role.

            ```markdown
            !!! warning
                An example in a fence.
            ```

            - A list item

                !!! warning
                    Nested in the list.
            """,
        ),
        page(
            "limits",
            "Modifier les plafonds",
            body="""\
            !!! tip
                Les plafonds s'appliquent par carte.

            !!! note "Avant de commencer"
                Il faut le rôle administrateur.

            ```markdown
            !!! warning
                Un exemple dans un bloc de code.
            ```

            - Un élément de liste

                !!! warning
                    Dans la liste.

                    !!! note
                        Imbriquée.
            """,
        ),
    )
    kb.write(
        "en/cards/untranslated.md",
        page("untranslated", "Freeze a card", body="!!! tip\n    FALLBACK-BODY-TEXT\n"),
    )
    kb.write(
        "fr/cards/orphan.md",
        page("orphan", "Une page sans original", tags="[refund]", body="ORPHAN-BODY-TEXT\n"),
    )
    kb.both(
        "cards/macro-limits.md",
        page(
            "macro-limits",
            "Limits changed",
            type="macro",
            audience="internal",
            body="""\
            Hi {{ticket.requester.first_name}},

            See [Change card limits](limits.md#steps) and [freezing](untranslated.md).

            !!! agent "Agent notes"
                MACRO-AGENT-ONLY: check the [SOP](../playbooks/sop.md) first.

            Best regards
            """,
        ),
        page(
            "macro-limits",
            "Plafonds modifiés",
            type="macro",
            audience="internal",
            body="Bonjour,\n\nVoir [Modifier les plafonds](limits.md).\n",
        ),
    )
    kb.write("en/playbooks/sop.md", page("sop", "Limits SOP", **INTERNAL))
    GitRepo(kb.root).commit("Content")
    out = kb.root / "site"
    build_sites(KnowledgeBase(kb.root), BuildOptions(out_dir=out, base_url=BASE, service_url="http://127.0.0.1:9"))
    return out


def _copied_reply(page_html: str) -> str:
    found = re.search(r'<textarea class="kb-macro__source"[^>]*>(.*?)</textarea>', page_html, re.S)
    assert found, "no reply to copy"
    return html.unescape(found.group(1))


def test_macro_copy_text_has_absolute_public_links_and_no_agent_block(languages: Path) -> None:
    macro = _html(languages / "internal", "cards/macro-limits")
    assert "MACRO-AGENT-ONLY" in macro  # agents still read their notes on the page
    reply = _copied_reply(macro)
    assert reply.startswith("Hi {{ticket.requester.first_name}},")
    assert f"[Change card limits]({BASE}cards/limits/#steps)" in reply
    assert f"[freezing]({BASE}cards/untranslated/)" in reply
    assert "MACRO-AGENT-ONLY" not in reply and "Agent notes" not in reply and ".md" not in reply
    french = _copied_reply(_html(languages / "internal/fr", "cards/macro-limits"))
    assert french == f"Bonjour,\n\nVoir [Modifier les plafonds]({BASE}fr/cards/limits/)."


def test_fallback_page_text_is_marked_in_its_own_language(languages: Path) -> None:
    french = _html(languages / "public/fr", "cards/untranslated")
    assert '<html lang="fr"' in french
    assert french.count("<h1") == 1
    assert re.search(r'<h1 lang="en"[^>]*>Freeze a card</h1>', french)
    body = french.split('<div class="kb-fallback-text" lang="en">', 1)[1]
    assert "FALLBACK-BODY-TEXT" in body
    assert "pas encore disponible en français" not in body  # the notice is French
    assert 'lang="en"' not in _html(languages / "public/fr", "cards/limits").split("<article", 1)[1]
    index = json.loads((languages / "public/fr/search/search_index.json").read_text())
    entries = [d for d in index["docs"] if d["location"].startswith("cards/untranslated/")]
    assert [d["title"] for d in entries] == ["Freeze a card"] and "Freeze a card" not in entries[0]["text"]


def test_switcher_and_hreflang_links_go_to_the_same_page_or_the_other_home(languages: Path) -> None:
    english = _html(languages / "public", "cards/limits")
    assert 'href="../../fr/cards/limits/" hreflang="fr"' in english
    # Each page's versions are listed in the sitemaps (hreflang), not in the page's head: the theme fetches
    # sitemap.xml relative to every <link rel="alternate"> of the head (404s for page URLs)
    assert '<link rel="alternate"' not in english.split("</head>")[0].replace('type="application/rss+xml"', "")
    for sitemap in (languages / "public/sitemap.xml", languages / "public/fr/sitemap.xml"):
        entries = _sitemap(sitemap)
        assert entries[f"{BASE}cards/limits/" if "fr" not in sitemap.parent.name else f"{BASE}fr/cards/limits/"] == {
            "en": f"{BASE}cards/limits/",
            "fr": f"{BASE}fr/cards/limits/",
        }
    # A French page with no English source: the switcher goes to the English home, the sitemap lists no English
    orphan = _html(languages / "public/fr", "cards/orphan")
    assert 'href="../../../" hreflang="en"' in orphan
    assert _sitemap(languages / "public/fr/sitemap.xml")[f"{BASE}fr/cards/orphan/"] == {}
    # A tag only the orphan has: no English tag page either
    assert not (languages / "public/tags/refund").exists()
    assert 'href="../../../" hreflang="en"' in _html(languages / "public/fr", "tags/refund")
    # An English page shown untranslated on the French site has a French URL
    assert 'href="../../fr/cards/untranslated/" hreflang="fr"' in _html(languages / "public", "cards/untranslated")
    assert 'href="../../../cards/untranslated/" hreflang="en"' in _html(languages / "public/fr", "cards/untranslated")
    # The wiki too (the orphan is there as well)
    assert 'href="../../../" hreflang="en"' in _html(languages / "internal/fr", "cards/orphan")


def _sitemap(path: Path) -> dict[str, dict[str, str]]:
    """loc -> {hreflang: href} of a sitemap.xml (empty when a page exists in one language only)."""
    namespaces = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.parse(path).getroot()
    return {
        url.findtext("s:loc", namespaces=namespaces).strip(): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", namespaces)
        }
        for url in root.findall("s:url", namespaces)
    }


def _admonition_titles(page_html: str) -> list[str]:
    return re.findall(r'<p class="admonition-title">(.*?)</p>', page_html)


def test_untitled_admonitions_get_a_title_in_the_page_language(languages: Path) -> None:
    french = _html(languages / "public/fr", "cards/limits")
    assert _admonition_titles(french) == ["Astuce", "Avant de commencer", "Attention", "Remarque"]
    assert "!!! warning\n    Un exemple dans un bloc de code." in html.unescape(re.sub(r"<[^>]+>", "", french))
    english = _html(languages / "public", "cards/limits")
    assert _admonition_titles(english) == ["Tip", "Before you start", "Warning"]
    fallback = _html(languages / "public/fr", "cards/untranslated")  # English text: English titles
    assert _admonition_titles(fallback) == ["Tip"]


def test_wiki_search_script_is_not_shipped_to_the_public(languages: Path) -> None:
    assert [p for p in (languages / "public").rglob("*") if "kb-search" in p.name] == []
    assert "kb-search.js" not in "\n".join(_read_all(languages / "public").values())
    assert (languages / "internal/assets/kb/kb-search.js").exists()
    assert (languages / "internal/fr/assets/kb/kb-search.js").exists()
    assert "assets/kb/kb-search.js" in _html(languages / "internal", "search")
