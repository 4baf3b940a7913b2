"""GET /api/v1/search with `lang`: the pages that language's site shows, its own first, then the
default-language pages it shows untranslated, linked where that site serves them; through Flask's test
client on a small knowledge base."""

from __future__ import annotations

import pytest
from conftest import MiniKB, page

from kbtools.model.project import KnowledgeBase
from kbtools.service import create_app
from search import build_index

TOKEN = "language-token-0001"
SOP = {"type": "sop", "audience": "internal", "category": "playbooks"}
UNTRANSLATED = 55  # more than one page of 50 results: the order holds across pages


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("language")
    kb = MiniKB(folder / "kb")
    kb.both(
        "cards/freeze.md",
        page("freeze", "Freeze a card", body="Freeze the card; the PIN stays the same.\n"),
        page("freeze", "Geler une carte", body="Gelez la carte ; le code PIN reste le même.\n"),
    )
    kb.both(
        "billing/invoices.md",
        page("invoices", "Invoices", category="billing", owner="billing", body="No PIN needed.\n"),
        page("invoices", "Factures", category="billing", owner="billing", body="Aucun code PIN.\n"),
    )
    # English only, and better answers to "PIN" than the French pages: the engine alone ranks them first
    kb.write("en/cards/pin.md", page("pin", "Change your PIN", body="## PIN\n\nChoose a new PIN. PIN PIN.\n"))
    kb.write("en/playbooks/pin-reset.md", page("pin-reset", "PIN reset", **SOP, body="Reset the PIN. PIN.\n"))
    for number in range(UNTRANSLATED):
        kb.write(f"en/cards/pin-{number}.md", page(f"pin-{number}", f"PIN question {number}", body="The PIN.\n"))
    build_index(KnowledgeBase(kb.root), folder / "index")
    application = create_app(
        {
            "root": str(kb.root),
            "database_url": f"sqlite:///{folder / 'events.sqlite3'}",
            "rate_limit": "off",
            "site_dir": str(folder / "site"),
            "search_index": str(folder / "index"),
            "api_tokens": [TOKEN],
        }
    )
    yield application
    application.extensions["kb_engine"].dispose()


def _search(app, query: str, agent: bool = False) -> dict:
    headers = {"Authorization": f"Bearer {TOKEN}"} if agent else {}
    answer = app.test_client().get(f"/api/v1/search?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _all(app, query: str, per_page: int, agent: bool = False) -> tuple[list[dict], int]:
    """Every hit, page after page, and the total the first page announced."""
    first = _search(app, f"{query}&per_page={per_page}", agent)
    hits = list(first["hits"])
    for number in range(2, first["pages"] + 1):
        hits += _search(app, f"{query}&per_page={per_page}&page={number}", agent)["hits"]
    return hits, first["total"]


@pytest.mark.parametrize(
    ("agent", "prefix", "shown"),
    [
        (False, "fr/", 2 + 1 + UNTRANSLATED),
        (True, "internal/fr/", 2 + 2 + UNTRANSLATED),  # the wiki also shows its untranslated SOP
    ],
)
@pytest.mark.parametrize("per_page", [1, 7, 20, 50])
def test_the_pages_language_first_then_untranslated_pages_at_its_sites_urls(
    app, agent: bool, prefix: str, shown: int, per_page: int
) -> None:
    hits, total = _all(app, "q=PIN&lang=fr", per_page, agent)
    assert total == shown
    assert [hit["lang"] for hit in hits] == ["fr", "fr"] + ["en"] * (shown - 2)  # the reader's language first
    assert len({hit["id"] for hit in hits}) == shown  # every page once, across the pages of results
    assert all(hit["url"].startswith(prefix) and hit["snippet"]["url"].startswith(prefix) for hit in hits)


def test_the_default_language_and_no_language_are_as_before(app) -> None:
    english, total = _all(app, "q=PIN&lang=en", 50)
    assert {hit["lang"] for hit in english} == {"en"} and total == 2 + 1 + UNTRANSLATED
    assert all(not hit["url"].startswith("fr/") for hit in english)
    everything, total = _all(app, "q=PIN", 50)  # every language, each page at its own site's URL
    assert total == 2 + 2 + 1 + UNTRANSLATED
    assert {hit["url"] for hit in everything if hit["lang"] == "fr"} == {"fr/cards/freeze/", "fr/billing/invoices/"}
