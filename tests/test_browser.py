"""The sample help center and wiki in a real browser (headless Chromium), as a reader and an agent use them."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import SiteServer, chromium, free_port, serve
from conftest import REPO_ROOT
from playwright.sync_api import expect

from kbtools.model.project import KnowledgeBase
from site_plugins.build import BuildOptions, build_sites

ARTIFACTS = REPO_ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("sample-site")
    port = free_port()  # the sites are built for the address they are served from
    base = f"http://127.0.0.1:{port}/"
    build_sites(
        KnowledgeBase(REPO_ROOT),
        BuildOptions(
            out_dir=out, base_url=base, service_url=base.rstrip("/"), contact_url=base + "helpdesk/?s={subject}"
        ),
    )
    with serve(out, port) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], locale="en-GB")
    tab = context.new_page()
    yield tab
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # A full-page capture resizes the viewport, which restarts mkdocs-material's CSS transitions (the search
    # panel widening): with animations disabled the shot shows the finished layout, not a frame of it
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, animations="disabled")


def _serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_reader_browses_home_category_article_and_switches_language(page, server: SiteServer) -> None:
    elsewhere: list[str] = []  # a help center must not tell third parties (fonts, CDNs) who reads what
    page.on("request", lambda request: None if request.url.startswith(server.url) else elsewhere.append(request.url))
    page.goto(server.url)
    assert page.title() == "Brightspend Help Center"  # not "Brightspend Help Center - Brightspend Help Center"
    assert page.locator("h1").inner_text().startswith("Brightspend Help Center")
    _shot(page, "public-home")
    page.get_by_role("link", name="Cards", exact=True).first.click()
    page.wait_for_url("**/cards/")
    _shot(page, "public-category-cards")
    page.get_by_role("link", name="My card payment was declined").first.click()
    page.wait_for_url("**/cards/card-payment-declined/")
    assert page.locator("h1").inner_text() == "My card payment was declined"
    assert page.locator(".admonition.agent").count() == 0
    _shot(page, "public-article")
    page.locator(".md-header__option .md-select").hover()
    page.locator('a.md-select__link[hreflang="fr"]').click()
    page.wait_for_url("**/fr/cards/card-payment-declined/")
    assert page.locator("html").get_attribute("lang") == "fr"
    _shot(page, "public-article-fr")
    page.locator(".md-header__option .md-select").hover()
    page.locator('a.md-select__link[hreflang="en"]').click()
    page.wait_for_url(server.url + "cards/card-payment-declined/")
    page.wait_for_load_state("networkidle")
    assert elsewhere == []


def test_reader_switches_to_spanish_and_gets_spanish_or_the_english_page_with_a_notice(
    page, server: SiteServer
) -> None:
    """The sample's Spanish, a market being prepared: half translated, kb's Spanish interface strings."""
    page.goto(server.url + "expenses/submit-an-expense-with-a-receipt/")
    page.locator(".md-header__option .md-select").hover()
    page.locator('a.md-select__link[hreflang="es"]').click()
    page.wait_for_url("**/es/expenses/submit-an-expense-with-a-receipt/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "Enviar un gasto con su tique"
    assert page.get_by_text("¿Ha respondido esta página a su pregunta?").is_visible()
    _shot(page, "public-article-es")
    page.goto(server.url + "es/cards/card-payment-declined/")  # not translated yet
    notice = page.locator(".kb-fallback")
    expect(notice).to_contain_text("Este artículo todavía no está disponible en español")
    assert page.locator("h1").inner_text() == "My card payment was declined"
    _shot(page, "public-fallback-es")


def test_no_then_reason_then_comment_reaches_the_service(page, server: SiteServer) -> None:
    page.goto(server.url + "fr/payments/request-a-refund/")
    views = server.wait_for(lambda e: e["type"] == "view" and e["article"] == "request-a-refund")
    assert views[-1]["lang"] == "fr" and len(views[-1]["session"]) >= 8
    page.locator('[data-kb-vote="no"]').click()
    page.locator('input[name="reason"][value="missing"]').check()
    page.locator('textarea[name="comment"]').fill("Je ne trouve pas le délai pour un remboursement SEPA")
    page.get_by_role("button", name="Envoyer").click()
    assert page.locator(".kb-feedback__thanks").is_visible()
    _shot(page, "public-feedback-sent")
    votes = server.wait_for(lambda e: e["type"] == "vote" and e["article"] == "request-a-refund")
    assert votes[-1] == {
        "type": "vote",
        "article": "request-a-refund",
        "lang": "fr",
        "version": votes[-1]["version"],
        "helpful": False,
        "reason": "missing",
        "comment": "Je ne trouve pas le délai pour un remboursement SEPA",
        "session": views[-1]["session"],
        "site": "public",
    }
    assert votes[-1]["version"] not in ("", "uncommitted")


def test_contact_link_records_a_contact_event(page, server: SiteServer) -> None:
    """Through the contact step; this server has no search API: the step searches the site's article list."""
    page.goto(server.url + "cards/card-not-received/")
    page.locator("[data-kb-contact-step-link]").click()
    page.wait_for_url("**/contact/?from=card-not-received")
    page.locator('input[name="subject"]').press_sequentially("card never arrived", delay=20)
    page.locator(".kb-contact-step__answer a[href$='/cards/card-not-received/']").wait_for()
    page.locator("[data-kb-contact]").click()
    contacts = server.wait_for(lambda e: e["type"] == "contact" and e["article"] == "card-not-received")
    assert contacts
    assert server.wait_for(lambda e: e["type"] == "contact_step" and e.get("article") == "card-not-received")


def test_agent_copies_a_macro_in_the_wiki(page, server: SiteServer) -> None:
    page.goto(server.url + "internal/payments/macro-refund-approved/")
    assert page.locator(".kb-info").is_visible()
    assert page.locator("code.kb-placeholder").count() >= 1
    _shot(page, "wiki-macro")
    page.locator("[data-kb-copy]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Hi {{ticket.requester.first_name}}")
    # The customer receives it: links to the help center, not to Markdown files next to the macro
    assert f"[Request a refund]({server.url}payments/request-a-refund/)" in copied
    assert ".md)" not in copied
    used = server.wait_for(lambda e: e["type"] == "macro_used" and e["article"] == "macro-refund-approved")
    assert used


@pytest.mark.parametrize(
    "path",
    [
        "",
        "cards/",
        "cards/card-payment-declined/",
        "fr/cards/card-payment-declined/",
        "internal/payments/macro-refund-approved/",
        "contact/",
        "fr/contact/?from=request-a-refund",
        "fr/404.html",
    ],
)
def test_no_serious_accessibility_violations(page, server: SiteServer, path: str) -> None:
    page.goto(server.url + path)
    assert _serious_violations(page) == []


def test_keyword_search_finds_the_article_and_is_logged(page, server: SiteServer) -> None:
    """'plastic' is only in the front-matter keywords of the physical-card article."""
    page.goto(server.url + "cards/")
    page.wait_for_load_state("networkidle")  # the search index is loaded by a web worker
    page.locator(".md-search__input").first.click()
    box = page.locator('[data-md-component="search-query"]')
    box.press_sequentially("plastic", delay=30)
    first = page.locator(".md-search-result__item").first
    first.wait_for()
    assert "Order and activate a physical card" in first.inner_text()
    # The keywords weigh in the search (the index's `tags` field) but are not shown as tag chips
    assert first.locator(".md-tag").count() >= 1
    assert page.locator(".md-search-result .md-tag:visible").count() == 0
    _shot(page, "public-search")
    box.blur()
    searches = server.wait_for(lambda e: e["type"] == "search" and e["query"] == "plastic")
    assert searches[-1]["results"] >= 1 and searches[-1]["lang"] == "en"


def _search(page, server: SiteServer, path: str, text: str):
    page.goto(server.url + path)
    page.wait_for_load_state("networkidle")  # the search index is loaded by a web worker
    page.locator(".md-search__input").first.click()
    box = page.locator('[data-md-component="search-query"]')
    box.press_sequentially(text, delay=30)
    page.locator(".md-search-result__item").first.wait_for()
    return box


def test_search_submitted_with_enter_is_logged_once(page, server: SiteServer) -> None:
    box = _search(page, server, "payments/", "virtual card")
    box.press("Enter")  # the reader may then go straight to a result: the box is never left
    searches = server.wait_for(lambda e: e["type"] == "search" and e["query"] == "virtual card")
    assert searches and searches[-1]["results"] >= 1
    box.blur()
    page.goto(server.url + "cards/create-a-virtual-card/")
    server.wait_for(lambda e: e["type"] == "view" and e["article"] == "create-a-virtual-card")
    page.wait_for_timeout(300)  # a duplicate would have been sent by now
    assert len([e for e in server.events if e.get("query") == "virtual card"]) == 1


def test_search_is_logged_when_the_reader_leaves_the_page(page, server: SiteServer) -> None:
    _search(page, server, "expenses/", "mileage")
    page.goto(server.url + "expenses/claim-mileage/")  # as after a click on a result, the box still focused
    searches = server.wait_for(lambda e: e["type"] == "search" and e["query"] == "mileage")
    assert searches and searches[-1]["lang"] == "en"


def test_french_reader_gets_french_results(page, server: SiteServer) -> None:
    page.goto(server.url + "fr/")
    page.wait_for_load_state("networkidle")
    page.locator(".md-search__input").first.click()
    page.locator('[data-md-component="search-query"]').press_sequentially("carte refusée", delay=30)
    first = page.locator(".md-search-result__item").first
    # the theme answers as the reader types: results for "carte ref" may show first, then the whole query's
    expect(first).to_contain_text("refusé")
    assert "/fr/" in first.locator("a").first.get_attribute("href")


def test_wiki_search_sends_the_language_of_the_page(page, server: SiteServer) -> None:
    page.goto(server.url + "internal/fr/search/")
    with page.expect_request("**/api/v1/search?*") as searched:
        page.locator("#kb-q").fill("carte")
    assert "site_lang=fr" in searched.value.url and "lang=fr" in searched.value.url
    with page.expect_request("**/api/v1/search?*") as searched:
        page.locator('select[name="lang"]').select_option("en")  # searching English pages, from a French page
    assert "site_lang=fr" in searched.value.url and "&lang=en" in searched.value.url
