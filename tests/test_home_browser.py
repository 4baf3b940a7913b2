"""The help center's home page, breadcrumbs and per-language title and footer, in headless Chromium against a
real `kb serve` process of the sample knowledge base: popular articles come from page views the browser sent
to kb's own event endpoint; with the service stopped, the same files on a static host show the featured list."""

from __future__ import annotations

import sqlite3
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import chromium, serve
from conftest import REPO_ROOT
from security.kbserve import KbServe

ARTIFACTS = REPO_ROOT / "test-artifacts" / "screenshots"
TOKEN = "home-token-000001"
FEATURED = {  # taxonomy.yml's featured list, as each language's home page titles it
    "en": ["My card payment was declined", "Request a refund", "Report a lost or stolen card"],
    "fr": [
        "Mon paiement par carte a été refusé",
        "Demander un remboursement",
        "Déclarer la perte ou le vol d'une carte",
    ],
}
HOME = {"en": "", "fr": "fr/"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    env = {
        "KB_API_TOKENS": TOKEN,
        "KB_CONTACT_URL": "https://helpdesk.example/new?subject={subject}",
        "KB_POPULAR_CACHE_SECONDS": "0",  # each step below sees the views sent just before it
    }
    running = KbServe(tmp_path_factory.mktemp("home"), env, workers=2)
    yield running.start()
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    context.route("https://helpdesk.example/**", lambda route: route.fulfill(body="Request form"))
    tab = context.new_page()
    failed: list[str] = []
    tab.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    tab.failed = failed  # type: ignore[attr-defined]
    yield tab
    context.close()


def _goto(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, animations="disabled")


def _serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _views(server: KbServe, lang: str) -> int:
    with sqlite3.connect(server.folder / "events.sqlite3") as connection:
        return connection.execute("SELECT count(*) FROM events WHERE type = 'view' AND lang = ?", (lang,)).fetchone()[0]


def _popular(page) -> tuple[str, list[str]]:
    section = page.locator("[data-kb-popular]")
    return section.get_attribute("data-kb-popular-source"), section.locator("li a").all_inner_texts()


# Runs first: a fresh event store has no views yet
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_home_shows_the_featured_list_while_the_service_has_no_views(page, server: KbServe, lang: str) -> None:
    _goto(page, server.url + HOME[lang])
    source, titles = _popular(page)
    assert source == "featured"
    assert titles[:3] == FEATURED[lang]
    assert page.locator("[data-kb-popular] h2").inner_text() == ("Start here" if lang == "en" else "Pour commencer")


@pytest.mark.parametrize(
    ("lang", "most", "also"),
    [
        ("fr", "cards/card-not-received/", "payments/request-a-refund/"),
        ("en", "payments/dispute-a-card-transaction/", "cards/card-not-received/"),
    ],
)
def test_home_shows_the_most_viewed_articles_in_the_readers_language(
    page, server: KbServe, lang: str, most: str, also: str
) -> None:
    before = _views(server, lang)
    for path in (most, most, most, also):  # real page views, sent by kb.js to kb's event endpoint
        _goto(page, server.url + HOME[lang] + path)
    deadline = time.monotonic() + 30  # beacons arrive in the background
    while _views(server, lang) < before + 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    _goto(page, server.url + HOME[lang])
    page.locator('[data-kb-popular][data-kb-popular-source="service"]').wait_for()
    assert page.locator("[data-kb-popular] h2").inner_text() == (
        "Popular articles" if lang == "en" else "Articles populaires"
    )
    links = page.locator("[data-kb-popular] li a")
    hrefs = links.evaluate_all("links => links.map(l => l.pathname)")
    assert hrefs[:2] == ["/" + HOME[lang] + most, "/" + HOME[lang] + also]
    _shot(page, f"home-{lang}")
    links.first.click()
    page.wait_for_url("**/" + HOME[lang] + most)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.failed == []


@pytest.mark.parametrize(
    ("lang", "typed", "first"),
    [
        ("en", "how do I get my money back", "/payments/request-a-refund/"),
        ("fr", "carte refusee", "/fr/cards/card-payment-declined/"),
    ],
)
def test_home_search_box_is_answered_like_the_header_box(
    page, server: KbServe, lang: str, typed: str, first: str
) -> None:
    _goto(page, server.url + HOME[lang])
    home_box = page.locator("#kb-home-q")
    assert page.locator('label[for="kb-home-q"]').is_visible() and home_box.is_visible()
    home_box.press_sequentially(typed, delay=20)
    # kb's engine answers in the header's result panel, and says which query it answered
    page.locator(f'.md-search-result__list[data-kb-engine][data-kb-answered="{typed}"]').wait_for()
    hit = page.locator(".md-search-result__item a").first
    assert first in hit.get_attribute("href").split("#")[0]
    _shot(page, f"home-search-{lang}")


@pytest.mark.parametrize(
    ("path", "trail", "name", "footer"),
    [
        (
            "fr/cards/card-payment-declined/",
            [("Accueil", "/fr/"), ("Cartes", "/fr/cards/")],
            "Centre d'aide Brightspend",
            "L'aide des cartes, dépenses et paiements Brightspend",
        ),
        (
            "payments/request-a-refund/",
            [("Home", "/"), ("Failed payments and refunds", "/payments/")],
            "Brightspend Help Center",
            "Help for Brightspend cards, expenses and payments",
        ),
        ("fr/cards/", [("Accueil", "/fr/"), ("Cartes", "/fr/cards/")], "Centre d'aide Brightspend", "L'aide des"),
    ],
)
def test_breadcrumbs_title_and_footer_in_the_pages_language(
    page, server: KbServe, path: str, trail: list[tuple[str, str]], name: str, footer: str
) -> None:
    _goto(page, server.url + path)
    crumbs = page.locator("nav.md-path a.md-path__link")
    shown = list(zip(crumbs.all_inner_texts(), crumbs.evaluate_all("links => links.map(l => l.pathname)"), strict=True))
    assert [(text.strip(), href) for text, href in shown] == trail
    assert page.locator(".md-header__topic .md-ellipsis").first.inner_text().strip() == name
    assert footer in page.locator(".md-copyright").inner_text()
    crumbs.nth(1).click()  # to the category
    page.wait_for_url("**" + trail[1][1])
    page.locator(".md-header__button.md-logo").click()
    page.wait_for_url("**" + trail[0][1])
    assert page.failed == []


def _sign_in(page, server: KbServe, path: str) -> None:
    page.goto(server.url + path)
    page.wait_for_url("**/internal/login**")
    page.get_by_label("Access token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/" + path)
    page.wait_for_load_state("load")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "fr/",
        "fr/cards/",
        "fr/cards/card-payment-declined/",
        "contact/",
        "internal/",
        "internal/fr/",
        "internal/fr/cards/card-payment-declined/",
        "internal/search/?q=refund",
    ],
)
def test_no_serious_accessibility_violations(page, server: KbServe, path: str) -> None:
    if path.startswith("internal/"):
        _sign_in(page, server, path)
    else:
        _goto(page, server.url + path)
    assert _serious_violations(page) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_static_host_with_the_service_stopped_shows_the_featured_list(browser, server: KbServe, lang: str) -> None:
    """Last: stops the service. The same built files on a static host: no popular answer, so the featured list
    stays, and the home search box is answered by the theme's built-in search."""
    server.stop()
    context = browser.new_context(locale="en-GB")
    try:
        with serve(server.folder / "site") as static:
            page = context.new_page()
            _goto(page, static.url + HOME[lang])
            source, titles = _popular(page)
            assert source == "featured" and titles[:3] == FEATURED[lang]
            assert page.locator("[data-kb-popular]").is_visible()
            page.locator("#kb-home-q").press_sequentially("refund" if lang == "en" else "remboursement", delay=20)
            page.locator(".md-search-result__item").first.wait_for()
            assert page.locator(".md-search-result__list[data-kb-engine]").count() == 0  # the built-in search
            _shot(page, f"home-static-{lang}")
    finally:
        context.close()
