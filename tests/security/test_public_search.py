"""Public search is computed from public documents only.

What an anonymous client of /api/v1/search sees (hits, scores, snippets, totals, suggestions, corrections)
must not depend on internal content: not on internal words, not on how many internal pages hold a word,
not on agent-only text in public pages. Each case builds two real knowledge bases that differ only in
internal content, indexes both with `kb index`, and asks both through the service's test client.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MiniKB, page

from kbtools.cli import main
from kbtools.service import create_app

TOKEN = "agent-token-for-tests"
SOP = {"type": "sop", "audience": "internal", "category": "playbooks"}

PUBLIC_PAGES = {
    "en/cards/declined.md": page(
        "declined",
        "Card declined",
        keywords="[card refused]",
        body="## Why\n\nThe ledger shows a declined payment. Check the ledger balance.\n\n## Abroad\n\nMerchants.\n",
    ),
    "en/cards/limits.md": page("limits", "Card limits", body="Your ledger limit and card limits.\n"),
    "en/billing/invoices.md": page(
        "invoices", "Download invoices", category="billing", owner="billing", body="Invoices list each payment.\n"
    ),
    "fr/cards/declined.md": page("declined", "Carte refusée", body="Le registre montre un paiement refusé.\n"),
}


def _internal_pages(count: int, word: str) -> dict[str, str]:
    """`count` internal pages holding `word` (and other words public pages do not have)."""
    pages = {}
    for number in range(count):
        body = f"## Steps\n\n{word} {word} review for case {number}. Escalate the {word} to tier two.\n"
        pages[f"en/playbooks/sop-{number}.md"] = page(
            f"sop-{number}", f"{word.title()} procedure {number}", **SOP, body=body
        )
    return pages


def _agent_notes(word: str) -> dict[str, str]:
    """The public pages again, each with agent-only notes holding `word` in two shapes."""
    notes = (
        f'\n!!! note agent "Agent notes"\n    The {word} tool.\n\n\n    {word} again, {word}.\n'
        f'\n??? agent "More"\n    ```\n    {word}\n\n    {word}\n    ```\n'
    )
    return {rel: text + notes for rel, text in PUBLIC_PAGES.items() if rel.startswith("en/")}


def _client(root: Path, files: dict[str, str]):
    kb = MiniKB(root)
    for rel, text in {**PUBLIC_PAGES, **files}.items():
        kb.write(rel, text)
    result = CliRunner().invoke(main, ["--root", str(kb.root), "index"])
    assert result.exit_code == 0, result.output
    app = create_app(
        {
            "root": str(kb.root),
            "database_url": f"sqlite:///{root / 'events.sqlite3'}",
            "rate_limit": "off",
            "api_tokens": [TOKEN],
        }
    )
    return app.test_client()


def _anonymous(client, query: dict[str, str]) -> dict:
    answer = client.get("/api/v1/search", query_string=query)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["audience"] == "public"
    return body


QUERIES = [
    {"q": "ledger"},
    {"q": "ledger balance"},
    {"q": "ledgr"},  # corrected to a public word
    {"q": "card ledger", "lang": "en"},
    {"q": "ledger", "type": "article"},
    {"q": "payment", "lang": "fr"},
    {"q": "payment ledger invoices"},
]


@pytest.fixture(scope="module")
def public_only(tmp_path_factory: pytest.TempPathFactory):
    return _client(tmp_path_factory.mktemp("public-only") / "kb", {})


@pytest.mark.parametrize(
    "internal",
    ["50 internal pages holding the word", "agent notes holding the word", "internal pages of other words"],
)
@pytest.mark.parametrize("query", QUERIES, ids=lambda query: "&".join(f"{k}={v}" for k, v in query.items()))
def test_anonymous_answers_do_not_depend_on_internal_content(
    public_only, tmp_path_factory: pytest.TempPathFactory, internal: str, query: dict[str, str]
) -> None:
    files = {
        "50 internal pages holding the word": _internal_pages(50, "ledger"),
        "agent notes holding the word": _agent_notes("ledger"),
        "internal pages of other words": _internal_pages(20, "ledgerium"),
    }[internal]
    with_internal = _cached_client(tmp_path_factory, internal, files)
    expected = _anonymous(public_only, query)
    assert expected["total"] > 0 or query["q"] == "ledgr"
    assert _anonymous(with_internal, query) == expected  # hits, scores, snippets, total, suggestion


_CLIENTS: dict[str, object] = {}


def _cached_client(factory: pytest.TempPathFactory, name: str, files: dict[str, str]):
    if name not in _CLIENTS:
        _CLIENTS[name] = _client(factory.mktemp("with-internal") / "kb", files)
    return _CLIENTS[name]


@pytest.mark.parametrize(
    ("where", "files"),
    [
        ("internal page body", _internal_pages(3, "quorvex")),
        ("internal page title", {"en/playbooks/t.md": page("t", "Quorvex handling", **SOP)}),
        (
            "internal page keywords",
            {"en/playbooks/k.md": page("k", "Handling", **SOP, keywords="[quorvex]")},
        ),
        ("agent notes of a public page", _agent_notes("quorvex")),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_no_internal_word_is_offered_to_anonymous_clients(tmp_path: Path, where: str, files: dict[str, str]) -> None:
    client = _client(tmp_path / "kb", files)
    for typo in ("quorvx", "qorvex", "quorvexx", "quorvex"):
        body = _anonymous(client, {"q": typo})
        assert body["total"] == 0, where
        assert body["suggestion"] is None and body["corrected"] == {}, f"{typo!r} -> {body['suggestion']!r}"
    signed_in = client.get(
        "/api/v1/search", query_string={"q": "quorvx"}, headers={"Authorization": f"Bearer {TOKEN}"}
    ).get_json()
    assert signed_in["audience"] == "internal"
    assert signed_in["suggestion"] == "quorvex" and signed_in["total"] >= 1, "agents keep typo tolerance"
