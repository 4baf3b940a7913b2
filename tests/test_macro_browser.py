"""The wiki's macro page shows its own outcomes, in headless Chromium against a real `kb serve` of the sample
knowledge base: solved tickets arrive through the signed ticket-solved webhook over HTTP, a signed-in agent opens
the macro's page and its script reads the figures from the internal report API (CSP: no inline script)."""

from __future__ import annotations

import http.client
import json
import time

import pytest
from browser import chromium
from security.kbserve import KbServe

from kbtools.model.signatures import signature_header

TOKEN = "macro-token-000001"
SECRET = "macro-webhook-secret"
MACRO = "macro-refund-approved"
PAGE = {"en": "internal/payments/macro-refund-approved/", "fr": "internal/fr/payments/macro-refund-approved/"}


def solved(server: KbServe, ticket: str, satisfaction: object, reopened: bool, seconds: int, lang: str = "en") -> int:
    body = json.dumps(
        {
            "ticket_id": ticket,
            "macros": [MACRO],
            "lang": lang,
            "satisfaction": satisfaction,
            "reopened": reopened,
            "handle_time": seconds,
        }
    ).encode()
    headers = {"Content-Type": "application/json", "X-KB-Signature": signature_header([SECRET], int(time.time()), body)}
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("POST", "/api/v1/webhooks/ticket-solved", body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    running = KbServe(
        tmp_path_factory.mktemp("macro"), {"KB_API_TOKENS": TOKEN, "KB_TICKET_SOLVED_SECRETS": SECRET}, workers=2
    )
    yield running.start()
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _open_signed_in(browser, server: KbServe, path: str):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    # A script error or a CSP refusal shows in the console (the browser's own favicon request does not count)
    page.on(
        "console",
        lambda m: failed.append(m.text) if m.type == "error" and "favicon" not in m.location.get("url", "") else None,
    )
    page.goto(server.url + path)
    page.wait_for_url("**/internal/login**")
    page.get_by_label("Access token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/" + path)
    return context, page, failed


def _figures(page) -> dict[str, str]:
    section = page.locator("[data-kb-macro-outcomes][data-kb-loaded]")
    section.wait_for(state="visible", timeout=15000)
    terms = section.locator("dt").all_inner_texts()
    values = section.locator("dd").all_inner_texts()
    return dict(zip(terms, values, strict=True))


def test_the_macro_page_shows_its_own_outcomes(browser, server: KbServe) -> None:
    # 4 English tickets: 3 satisfied (good, 5, 4) and 1 not (2); 1 reopened; handle times 2, 4, 6 and 10 minutes
    for ticket, rating, reopened, seconds in [
        ("9001", "good", False, 120),
        ("9002", 5, False, 240),
        ("9003", 2, True, 360),
        ("9004", 4, False, 600),
    ]:
        assert solved(server, ticket, rating, reopened, seconds) == 202
    context, page, failed = _open_signed_in(browser, server, PAGE["en"])
    try:
        figures = _figures(page)
        assert figures["Solved tickets"] == "4"
        # Wilson 95% lower bound of 3 of 4: 30%
        assert figures["Satisfied customers"] == "75% (3/4) (at least 30% with 95% confidence)"
        assert figures["Reopened"] == "25%"
        assert figures["Median handle time"] == "5 min"
        versions = page.locator(".kb-macro-outcomes__versions tbody tr")
        assert versions.count() == 1
        version = versions.first.get_attribute("data-version")
        # the version the page is stamped with (the commit of its last change) is the one the uses count under
        assert version == page.locator('meta[name="kb:version"]').get_attribute("content")
        assert versions.first.locator("td").all_inner_texts() == [version, "4", "75%", "25%"]
        assert failed == []
    finally:
        context.close()


def test_a_macro_page_without_outcomes_says_so_in_its_language(browser, server: KbServe) -> None:
    context, page, failed = _open_signed_in(browser, server, PAGE["fr"])
    try:
        section = page.locator("[data-kb-macro-outcomes]")
        section.wait_for(state="visible", timeout=15000)
        assert section.locator("h2").inner_text() == "Résultats des tickets résolus (90 derniers jours)"
        none = section.locator(".kb-macro-outcomes__none")
        assert none.is_visible() and "Aucun ticket résolu" in none.inner_text()
        assert failed == []
    finally:
        context.close()
