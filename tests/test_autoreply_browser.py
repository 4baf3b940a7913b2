"""The auto-reply loop in headless Chromium against a real `kb serve` of the sample knowledge base: the helpdesk
posts a ticket, the customer opens the suggested link, the article asks "did this solve your request?" in the
ticket's language, the answer is recorded once (the token leaves the address bar first), and "solved" reaches
the helpdesk's webhook receiver, signed."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.parse

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import chromium
from security.kbserve import KbServe
from webhook_receiver import Receiver

from kbtools.model.signatures import SIGNATURE_HEADER, verify

TOKEN = "autoreply-browser-token-01"
WEBHOOK_SECRET = "autoreply-browser-webhook-secret"
TICKETS = {
    "en": {
        "ticket_id": "ZD-1001",
        "subject": "Card declined at the hotel",
        "body": "Hello, my Brightspend card was declined twice at the hotel reception this morning. The app shows "
        "insufficient wallet balance. Could you help me? Best regards, Tom",
        "lang": "en",
        "case_reason": "card/declined",
        "channel": "email",
    },
    "fr": {
        "ticket_id": "ZD-1002",
        "subject": "Demande de remboursement",
        "body": "Bonjour, nous avons résilié notre abonnement annuel il y a 5 jours et souhaitons demander un "
        "remboursement de l'abonnement. Comment faire ? Cordialement, Jean",
        "lang": "fr",
        "case_reason": "payment/refund-request",
        "channel": "web",
    },
}
LABELS = {  # the two answers, and the thanks for the answer each case gives
    "en": ("Yes, this solved my request", "No, I still need help", "Thank you! We will close your request"),
    "fr": ("Oui, ma demande est résolue", "Non, j'ai encore besoin d'aide", "Merci : votre demande reste ouverte"),
}


@pytest.fixture(scope="module")
def receiver():
    with Receiver() as listening:  # the helpdesk's webhook: answers 200
        yield listening


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver):
    env = {
        "KB_API_TOKENS": TOKEN,
        "KB_HELPDESK_WEBHOOK_URL": receiver.url,
        "KB_HELPDESK_WEBHOOK_SECRETS": WEBHOOK_SECRET,
    }
    running = KbServe(tmp_path_factory.mktemp("autoreply"), env, workers=2)
    yield running.start()
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _post_ticket(server: KbServe, ticket: dict) -> dict:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(
            "POST",
            "/api/v1/autoreply",
            body=json.dumps(ticket),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        assert response.status == 200, response.read()
        return json.loads(response.read())
    finally:
        connection.close()


def _outcomes(server: KbServe) -> dict[str, str | None]:
    with sqlite3.connect(server.folder / "events.sqlite3") as connection:
        rows = connection.execute(
            "SELECT t.ticket_id, l.outcome FROM autoreply_links l JOIN autoreply_tickets t ON t.id = l.ticket "
            "WHERE l.rank = 1"
        ).fetchall()
    return dict(rows)


@pytest.mark.parametrize(("lang", "solved"), [("en", True), ("fr", False)], ids=["en, solved", "fr, not solved"])
def test_a_suggested_link_opens_the_article_with_the_question_and_records_the_answer(
    server: KbServe, browser, receiver: Receiver, lang: str, solved: bool
) -> None:
    answer = _post_ticket(server, TICKETS[lang])
    first = answer["articles"][0]
    token = urllib.parse.urlsplit(first["url"]).path.rsplit("/", 1)[1]
    article_path = urllib.parse.urlsplit(first["article_url"]).path
    context = browser.new_context(locale="fr-FR" if lang == "fr" else "en-GB")
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "r/" + token)  # the link in the customer's email
    box = page.locator("[data-kb-outcome]")
    box.wait_for(state="visible")
    assert urllib.parse.urlsplit(page.url).path == article_path
    assert "kb-reply" not in page.url and token not in page.url  # gone from the address bar and the history
    assert page.locator("html").get_attribute("lang") == lang
    yes, no, _ = LABELS[lang]
    assert box.get_by_role("button", name=yes).is_visible() and box.get_by_role("button", name=no).is_visible()
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == []
    box.get_by_role("button", name=yes if solved else no).click()
    status = box.get_by_role("status")
    status.wait_for(state="visible")
    assert status.inner_text().startswith(LABELS[lang][2])
    assert _outcomes(server)[TICKETS[lang]["ticket_id"]] == ("solved" if solved else "not_solved")
    page.reload()  # the token is gone: no question without a new click on the link
    page.wait_for_load_state("networkidle")
    assert not box.is_visible()
    assert failed == [] and errors == []
    context.close()
    ticket = TICKETS[lang]["ticket_id"]
    if solved:  # the helpdesk hears of it, signed, so the ticket can be closed there
        arrived = [r for r in receiver.wait_for(1) if json.loads(r.body)["data"].get("ticket_id") == ticket]
        assert len(arrived) == 1
        delivery = arrived[0]
        assert verify([WEBHOOK_SECRET], delivery.headers.get(SIGNATURE_HEADER), delivery.body, time.time()) > 0
        body = json.loads(delivery.body)
        assert body["event"] == "ticket.solved" and body["data"]["article"] == first["id"]
    else:  # "No, I still need help" leaves the ticket open: nothing is sent for it
        assert all(json.loads(r.body)["data"].get("ticket_id") != ticket for r in receiver.requests)
