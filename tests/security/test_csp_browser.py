"""The sites under the service's Content-Security-Policy in a real browser: everything a reader and an agent
do still works with zero policy violations, and script injected into a built page does not run. A real `kb
serve` (gunicorn) of the sample help center and wiki, headless Chromium."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from browser import chromium, serve
from kbserve import KbServe

TOKEN = "csp-browser-token-0001"

# Records every violation the page reports, before any of its own scripts run
VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(
    location.pathname + ": " + event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sample
  );
});
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    # 4 sync workers: a browser holds idle connections open, and each holds a sync worker until it times out
    running = KbServe(tmp_path_factory.mktemp("csp"), {"KB_API_TOKENS": TOKEN}, workers=4)
    yield running.start()
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


class Tab:
    """A page that collects policy violations (event and console) and script errors."""

    def __init__(self, browser, server: KbServe):
        self.server = server
        self.context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], locale="en-GB")
        self.context.add_init_script(VIOLATIONS)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.console.append(f"{self.page.url}: {m.text}") if "Content Security Policy" in m.text else None
            ),
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def goto(self, path: str) -> None:
        answer = self.page.goto(self.server.url + path)  # the load event: every script of the page has run
        assert answer is not None
        assert "script-src 'self';" in answer.headers.get("content-security-policy", "")  # under the policy

    def violations(self) -> list[str]:
        try:
            reported = self.page.evaluate("window.__violations || []")
        except Exception:  # the page is navigating
            reported = []
        return reported + self.console

    def sign_in(self, path: str = "internal/") -> None:
        self.page.goto(self.server.url + path)
        self.page.wait_for_url("**/internal/login**")
        self.page.get_by_label("Access token").fill(TOKEN)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/" + path)


@pytest.fixture
def tab(browser, server: KbServe):
    opened = Tab(browser, server)
    yield opened
    opened.context.close()


def _rows(server: KbServe, sql: str) -> list[tuple]:
    deadline = time.monotonic() + 30  # events arrive in the background (beacons, keepalive requests)
    while True:
        with sqlite3.connect(server.folder / "events.sqlite3") as connection:
            rows = connection.execute(sql).fetchall()
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def test_the_help_center_works_under_the_policy(tab: Tab, server: KbServe) -> None:
    page = tab.page
    tab.goto("cards/")
    # Search: mkdocs-material's search box and its web worker
    page.locator(".md-search__input").first.click()
    page.locator('[data-md-component="search-query"]').press_sequentially("plastic", delay=30)
    first = page.locator(".md-search-result__item").first
    first.wait_for()
    assert "Order and activate a physical card" in first.inner_text()
    page.keyboard.press("Escape")
    # Feedback widget: a vote reaches the service
    tab.goto("cards/card-not-received/")
    page.locator('[data-kb-vote="yes"]').click()
    assert page.locator(".kb-feedback__thanks").is_visible()
    assert _rows(server, "SELECT article, helpful FROM votes WHERE article = 'card-not-received'") == [
        ("card-not-received", 1)
    ]
    # Language switch
    page.locator(".md-header__option .md-select").hover()
    page.locator('a.md-select__link[hreflang="fr"]').click()
    # (under kb serve mkdocs-material looks for a sitemap next to the page and lands without the final slash,
    # as before this policy: not a policy matter)
    page.wait_for_url("**/fr/cards/card-not-received**")
    assert page.locator("html").get_attribute("lang") == "fr"
    # mkdocs-material's head script (now a file) ran: its storage helpers exist
    assert page.evaluate("typeof __md_get") == "function"
    assert tab.violations() == [] and tab.errors == []


def test_the_wiki_and_the_dashboard_work_under_the_policy(tab: Tab, server: KbServe) -> None:
    page = tab.page
    tab.sign_in("internal/search/")
    login_styles = page.context.new_page()  # the sign-in form's inline (hashed) style applies
    login_styles.goto(server.url + "internal/login")
    assert login_styles.locator("button").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(57, 73, 171)"
    login_styles.close()
    # The wiki's search page, through /internal/api/v1/search with the marker
    page.locator("#kb-q").press_sequentially("refund approved", delay=20)
    first = page.locator(".kb-search__hit").first
    first.wait_for()
    assert "Refund approved" in first.inner_text()
    page.locator("#kb-q").press("Enter")  # never submits the form (its inline onsubmit cannot run)
    assert page.url.endswith("/internal/search/")
    first.get_by_role("button").click()
    assert page.evaluate("navigator.clipboard.readText()").startswith("Hi {{ticket.requester.first_name}}")
    assert _rows(server, "SELECT site FROM events WHERE type = 'macro_used'") == [("internal",)]
    # A wiki vote goes with the sign-in cookie and the marker
    tab.goto("internal/payments/request-a-refund/")
    page.locator('[data-kb-vote="yes"]').click()
    assert _rows(server, "SELECT site FROM votes WHERE article = 'request-a-refund'") == [("internal",)]
    # The dashboard: its charts are drawn and its hashed stylesheet applies
    tab.goto("internal/dashboard")
    assert page.locator("svg circle").count() > 0
    assert page.locator("header").evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(57, 73, 171)"
    assert tab.violations() == [] and tab.errors == []


INJECTIONS = {
    "inline script": '<script>window.__injected = "inline";</script>',
    "event handler": '<img src="data:," onerror="window.__injected = \'handler\'">',
    "script from another site": '<script src="https://attacker.example/steal.js"></script>',
    "javascript: URL": "<iframe src=\"javascript:parent.__injected = 'url'\"></iframe>",
    "plugin object": '<object data="data:text/html,<script>parent.__injected=1</script>"></object>',
}


def _inject(server: KbServe, site: str, rel: str, markup: str) -> None:
    page = server.folder / "site" / site / rel
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</article>", markup + "</article>", 1), encoding="utf-8")


@pytest.mark.parametrize("kind", INJECTIONS)
@pytest.mark.parametrize(
    ("site", "rel", "path"),
    [
        ("public", "cards/card-payment-declined/index.html", "cards/card-payment-declined/"),
        ("internal", "payments/macro-refund-approved/index.html", "internal/payments/macro-refund-approved/"),
    ],
)
def test_script_injected_into_a_built_page_does_not_run(
    tab: Tab, server: KbServe, kind: str, site: str, rel: str, path: str
) -> None:
    """What a leaked `<script>` in content (or a writer's title) would do: read the reports with an agent's
    cookie. The policy stops it from running at all."""
    original = (server.folder / "site" / site / rel).read_text(encoding="utf-8")
    attack = """<script>fetch("/internal/api/v1/reports/gaps", {headers: {"X-KB-Request": "1"}})
      .then(r => r.text()).then(t => { window.__injected = t; });</script>"""
    _inject(server, site, rel, INJECTIONS[kind] + attack)
    try:
        if site == "internal":
            tab.sign_in(path)
        else:
            tab.sign_in("internal/")  # a signed-in agent reads the help center
            tab.goto(path)
        tab.page.wait_for_timeout(300)  # a handler or frame would have run by now
        assert tab.page.evaluate("window.__injected") is None
        assert tab.violations(), "the browser reports what the policy blocked"
        assert tab.page.locator("h1").first.is_visible()  # the page itself still works
    finally:
        (server.folder / "site" / site / rel).write_text(original, encoding="utf-8")


def test_no_other_origin_may_frame_the_wiki_or_call_its_api(tab: Tab, server: KbServe, tmp_path: Path) -> None:
    """A page on another origin (another port: the same site, so SameSite alone would not stop it)."""
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.html").write_text(
        f"""<!doctype html><title>elsewhere</title>
        <iframe id="wiki" src="{server.url}internal/dashboard"></iframe>
        <script>
        window.__answer = "pending";
        fetch("{server.url}internal/api/v1/reports/gaps", {{credentials: "include", headers: {{"X-KB-Request": "1"}}}})
          .then(r => r.text()).then(t => {{ window.__answer = t; }}, e => {{ window.__answer = "refused"; }});
        </script>""",
        encoding="utf-8",
    )
    tab.sign_in("internal/")
    with serve(tmp_path) as elsewhere:
        tab.page.goto(elsewhere.url)
        tab.page.wait_for_function("() => window.__answer !== 'pending'")
        assert tab.page.evaluate("window.__answer") == "refused"
        frame = tab.page.frame_locator("#wiki")
        assert frame.locator("header").count() == 0  # the dashboard is not shown inside another site
