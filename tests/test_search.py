"""The search index on a small real knowledge base: what a query finds, shows and never shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MiniKB, page
from gitrepo import GitRepo

from kbtools.model.errors import UsageError
from kbtools.model.history import read_history
from kbtools.model.project import KnowledgeBase
from search import IndexNotFoundError, Searcher, build_index, default_index_dir, query
from search.results import SearchResults

CANARIES = {
    "internal macro": "flibbertigibbet",
    "agent block": "quuxplorer",
    "public page in an internal category": "zanzibarite",
    "draft": "draftonlyword",
    "public translation of an internal page": "hushword",
}
MACRO = {"type": "macro", "audience": "internal"}
DECLINED_EN = """\
    Your payment did not go through.

    ## Why it happens

    The monthly limit on the card was reached, or the merchant is blocked.

    ## Fix it {#fix}

    Ask an admin to raise the limit from the **Cards** screen.

    !!! agent "Agent notes"
        Check the ledger reconciliation screen for quuxplorer codes.

    ## Contact us

    Write to us with the date and amount of the payment.
    """


def _write_content(kb: MiniKB) -> None:
    kb.both(
        "cards/declined.md",
        page(
            "declined",
            "Card declined",
            type="troubleshooting",
            tags="[card-limits]",
            case_reason="card/declined",
            keywords="[card refused, payment rejected]",
            body=DECLINED_EN,
        ),
        page(
            "declined",
            "Carte refusée",
            type="troubleshooting",
            tags="[card-limits]",
            case_reason="card/declined",
            keywords="[carte refusée, paiement rejeté]",
            body="## Pourquoi\n\nLe plafond mensuel de la carte est atteint.\n",
        ),
    )
    kb.both(
        "billing/refunds.md",
        page(
            "refunds",
            "Request a refund",
            category="billing",
            owner="billing",
            tags="[refund]",
            case_reason="payment/refund-request",
            keywords="[money back]",
            body="## When we refund\n\nAnnual plans cancelled within 14 days are refunded in full.\n\n"
            "## Refunds from a merchant\n\nA merchant refund goes back to the wallet.\n",
        ),
        page(
            "refunds",
            "Demander un remboursement",
            category="billing",
            owner="billing",
            tags="[refund]",
            case_reason="payment/refund-request",
            body="## Quand nous remboursons\n\nLes offres annuelles résiliées avant l'échéance sont remboursées.\n",
        ),
    )
    kb.write(
        "en/billing/invoices.md",
        page("invoices", "Download invoices", category="billing", owner="billing", body="Invoices are PDF files.\n"),
    )
    kb.write(
        "en/cards/macro-declined.md",
        page(
            "macro-declined",
            "Card declined reply",
            case_reason="card/declined",
            tags="[card-limits]",
            body="Hi {{ticket.requester.first_name}},\n\n"
            "Sorry your card was declined (fees & <limits>). flibbertigibbet\n",
            **MACRO,
        ),
    )
    kb.write(
        "en/playbooks/escalation.md",
        page("escalation", "Escalation guide", type="sop", audience="internal", category="playbooks"),
    )
    kb.write("en/playbooks/stray.md", page("stray", "Stray page", category="playbooks", body="A zanzibarite.\n"))
    kb.write("en/cards/draft.md", page("draft", "Draft page", status="draft", body="A draftonlyword here.\n"))
    kb.both(
        "cards/secret.md",
        page("secret", "Secret", audience="internal", body="Internal text.\n"),
        page("secret", "Secret", audience="public", body="Un hushword ici.\n"),
    )
    kb.write("en/billing/gizmo.md", page("gizmo", "Gizmo settings", category="billing", body="The settings page.\n"))
    kb.write(
        "en/billing/other.md",
        page("other", "Other settings", category="billing", body="Some gizmo text, and a gizmo again.\n"),
    )
    kb.write(
        "en/billing/adjacent.md",
        page("adjacent", "Daily usage", category="billing", body="The daily quota exceeded its maximum today.\n"),
    )
    kb.write(
        "en/billing/apart.md",
        page("apart", "Usage report", category="billing", body="The quota was fine; the budget exceeded it.\n"),
    )
    for number in range(1, 14):
        kb.write(f"en/cards/tip-{number}.md", page(f"tip-{number}", f"Card tip {number}", body="A widget tip.\n"))


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    kb = MiniKB(tmp_path_factory.mktemp("search") / "kb")
    _write_content(kb)
    index_dir = kb.root / "var" / "search"
    build_index(KnowledgeBase.at(kb.root), index_dir)
    with Searcher(index_dir) as searcher:
        yield searcher


def ids(results: SearchResults) -> list[str]:
    return [hit.id for hit in results.hits]


def paths(results: SearchResults) -> list[str]:
    return [hit.path for hit in results.hits]


# Audience safety


@pytest.mark.parametrize("where", sorted(CANARIES))
def test_public_queries_never_find_internal_words(index: Searcher, where: str) -> None:
    word = CANARIES[where]
    found = index.query(word, audience="public")
    assert found.total == 0 and found.hits == []
    assert found.suggestion is None


def test_internal_queries_find_internal_pages_and_agent_notes(index: Searcher) -> None:
    assert ids(index.query("flibbertigibbet", audience="internal")) == ["macro-declined"]
    assert ids(index.query("hushword", audience="internal")) == ["secret"]
    assert index.query("draftonlyword", audience="internal").total == 0  # drafts are never indexed
    agent = index.query("quuxplorer", audience="internal").hits
    assert [hit.id for hit in agent] == ["declined"]
    assert agent[0].snippet.agent is True
    assert "quuxplorer" in agent[0].snippet.text
    assert (agent[0].snippet.heading, agent[0].snippet.anchor) == ("Fix it", "fix")


def test_public_snippets_never_quote_agent_notes(index: Searcher) -> None:
    found = index.query("reconciliation screen", audience="public", lang="en")
    assert ids(found) == ["declined"]
    snippet = found.hits[0].snippet
    assert snippet.agent is False
    assert "screen" in snippet.text
    assert "reconciliation" not in snippet.text and "ledger" not in snippet.text
    assert found.suggestion is None  # "reconciliation" is only in agent notes: not a public word


def test_public_results_are_public_pages_only(index: Searcher) -> None:
    for text in ("card", "declined", "refund", "settings", "guide escalation", "secret", "stray page", "widget"):
        for hit in index.query(text, audience="public", per_page=50).hits:
            assert hit.audience == "public", (text, hit.path)
            assert hit.id not in {"stray", "secret", "escalation", "macro-declined", "draft"}
            assert not hit.url.startswith("internal/")
            assert not any(word in hit.snippet.text for word in CANARIES.values())


def test_public_typo_corrections_come_from_public_words_only(index: Searcher) -> None:
    assert index.query("flibbertigibbat", audience="public").suggestion is None
    internal = index.query("flibbertigibbat", audience="internal")
    assert internal.suggestion == "flibbertigibbet"
    assert ids(internal) == ["macro-declined"]


# Ranking


def test_keywords_are_synonyms_customers_use(index: Searcher) -> None:
    assert ids(index.query("payment rejected", lang="en"))[0] == "declined"
    assert ids(index.query("money back", lang="en"))[0] == "refunds"


def test_a_title_match_ranks_above_body_mentions(index: Searcher) -> None:
    assert ids(index.query("gizmo"))[:2] == ["gizmo", "other"]


def test_words_next_to_each_other_rank_up(index: Searcher) -> None:
    assert ids(index.query("quota exceeded"))[:2] == ["adjacent", "apart"]


def test_french_query_without_accents_finds_the_accented_page(index: Searcher) -> None:
    found = index.query("carte refusee", lang="fr")
    assert paths(found)[0] == "fr/cards/declined.md"
    found = index.query("remboursements", lang="fr")
    assert paths(found) == ["fr/billing/refunds.md"]
    assert "<mark>remboursées</mark>" in found.hits[0].snippet.html()


# Typos


def test_a_misspelled_word_is_corrected_and_suggested(index: Searcher) -> None:
    found = index.query("refnud", lang="en", audience="public")
    assert ids(found)[0] == "refunds"
    assert found.suggestion == "refund"
    assert found.corrected == {"refnud": "refund"}


def test_suggestions_keep_the_accents_of_the_content(index: Searcher) -> None:
    found = index.query("echeanse", lang="fr")
    assert found.suggestion == "échéance"
    assert paths(found) == ["fr/billing/refunds.md"]


def test_only_words_matching_nothing_are_corrected(index: Searcher) -> None:
    found = index.query("merchant refnud", lang="en")  # 'merchant' alone finds only weak matches
    assert found.corrected == {"refnud": "refund"}
    assert found.suggestion == "merchant refund"
    assert index.query("card declined", lang="en").suggestion is None
    nothing = index.query("xqzvwk", lang="en")
    assert (nothing.total, nothing.suggestion) == (0, None)


def test_no_did_you_mean_when_the_other_words_already_find_the_page(index: Searcher) -> None:
    """'card declined' finds its page; 'refund' would find nothing markedly better, so it is not offered,
    though the correction still ranks the refunds page among the results."""
    found = index.query("card declined refnud", lang="en")
    assert (found.suggestion, found.corrected) == (None, {})
    assert ids(found)[:2] == ["declined", "refunds"]


# Snippets and links


def test_snippet_shows_the_best_passage_under_its_heading(index: Searcher) -> None:
    hit = index.query("monthly limit", lang="en", audience="public").hits[0]
    assert hit.id == "declined"
    assert (hit.snippet.heading, hit.snippet.anchor) == ("Why it happens", "why-it-happens")
    assert hit.snippet.url == "cards/declined/#why-it-happens"
    assert "The <mark>monthly</mark> <mark>limit</mark> on the card was reached" in hit.snippet.html()
    raise_hit = index.query("raise admin", lang="en").hits[0]
    assert (raise_hit.snippet.heading, raise_hit.snippet.url) == ("Fix it", "cards/declined/#fix")
    assert "**" not in raise_hit.snippet.text  # rendered text, not Markdown
    assert raise_hit.snippet.text == "Ask an admin to raise the limit from the Cards screen."


def test_snippet_of_the_introduction_links_to_the_page(index: Searcher) -> None:
    hit = index.query("payment did not go through", lang="en").hits[0]
    assert (hit.id, hit.snippet.heading, hit.snippet.url) == ("declined", "", "cards/declined/")


def test_snippets_are_escaped_html_and_show_placeholders_as_written(index: Searcher) -> None:
    hit = index.query("sorry", audience="internal").hits[0]
    assert hit.id == "macro-declined"
    assert hit.snippet.html() == (
        "Hi {{ticket.requester.first_name}}, <mark>Sorry</mark> your card was declined (fees &amp; &lt;limits&gt;). "
        "flibbertigibbet"
    )
    # Placeholders are syntax, not words a page can be found by.
    assert "macro-declined" not in ids(index.query("requester", audience="internal"))


def test_urls_point_to_the_readers_site_and_language(index: Searcher) -> None:
    assert index.query("card declined", lang="en", audience="public").hits[0].url == "cards/declined/"
    assert index.query("carte refusée", lang="fr", audience="public").hits[0].url == "fr/cards/declined/"
    internal = {hit.id: hit.url for hit in index.query("card declined", lang="en", audience="internal").hits}
    assert internal["declined"] == "internal/cards/declined/"
    assert internal["macro-declined"] == "internal/cards/macro-declined/"
    assert index.query("carte refusée", lang="fr", audience="internal").hits[0].url == "internal/fr/cards/declined/"


def test_untranslated_pages_are_found_on_the_other_language_site(index: Searcher) -> None:
    found = index.query("invoices", lang="fr", audience="public")
    assert [(hit.path, hit.url) for hit in found.hits] == [("en/billing/invoices.md", "fr/billing/invoices/")]


# Filters and pagination


def test_filters(index: Searcher) -> None:
    assert ids(index.query("card declined", audience="internal", lang="en", type="macro")) == ["macro-declined"]
    assert index.query("card declined", audience="public", type="macro").total == 0
    in_billing = index.query("refund remboursement", category="billing")
    assert set(paths(in_billing)) == {"en/billing/refunds.md", "fr/billing/refunds.md"}
    assert set(ids(index.query("card", tag="card-limits", lang="en", audience="internal"))) == {
        "declined",
        "macro-declined",
    }
    by_reason = {"declined", "macro-declined"}
    assert set(ids(index.query("card", case_reason="card", lang="en", audience="internal"))) == by_reason
    assert set(ids(index.query("card", case_reason="card/declined", lang="en", audience="internal"))) == by_reason
    assert index.query("card", case_reason="card/lost", audience="internal").total == 0
    assert {hit.lang for hit in index.query("declined refused", lang="fr").hits} == {"fr"}
    several = index.query("card declined", lang="en", audience="internal", type=["macro", "troubleshooting"])
    assert set(ids(several)) == by_reason


def test_filters_without_words_list_matching_pages(index: Searcher) -> None:
    found = index.query("", type="macro", audience="internal")
    assert (found.total, ids(found)) == (1, ["macro-declined"])


def test_pagination(index: Searcher) -> None:
    pages = [index.query("widget", per_page=5, page=number) for number in (1, 2, 3)]
    assert [(p.total, p.pages, len(p.hits)) for p in pages] == [(13, 3, 5), (13, 3, 5), (13, 3, 3)]
    assert len({hit.id for p in pages for hit in p.hits}) == 13
    assert index.query("widget", per_page=5, page=4).hits == []


def test_bad_requests_are_usage_errors(index: Searcher) -> None:
    with pytest.raises(UsageError, match="audience must be one of public, internal"):
        index.query("card", audience="everyone")
    with pytest.raises(UsageError, match="unknown language 'de'"):
        index.query("card", lang="de")
    with pytest.raises(UsageError, match="page starts at 1"):
        index.query("card", page=0)


def test_only_stop_words_find_nothing(index: Searcher) -> None:
    assert index.query("the of and", lang="en").total == 0


@pytest.mark.parametrize("text", ["\u0301", "!?", "*", "*:*", "…", " - "])
def test_text_without_any_word_finds_nothing(index: Searcher, text: str) -> None:
    for audience in ("public", "internal"):
        found = index.query(text, audience=audience)
        assert (found.total, found.hits, found.suggestion) == (0, [], None)
        assert index.count(text, audience=audience) == 0


def test_query_syntax_is_plain_words(index: Searcher) -> None:
    plain = index.query("gizmo", audience="internal")
    for text in ("gizmo*", "title:gizmo", "gizmo~", "(gizmo)", '"gizmo"', "gizmo^5", "+gizmo"):
        assert ids(index.query(text, audience="internal")) == ids(plain), text
    # "title" is a plain word, not a field: corrected like any other, and the suggestion holds no syntax
    field = index.query("titel:*", audience="internal", lang="en")
    word = index.query("titel", audience="internal", lang="en")
    assert (ids(field), field.corrected) == (ids(word), word.corrected)
    assert field.suggestion == word.suggestion


def test_ligatures_and_combining_accents_find_the_plain_words(index: Searcher) -> None:
    assert ids(index.query("\ufb01x it", lang="en")) == ids(index.query("fix it", lang="en"))
    assert ids(index.query("gizmo settings", lang="en"))[0] == "gizmo"
    assert paths(index.query("rembourse\u0301es", lang="fr")) == ["fr/billing/refunds.md"]
    assert index.query("\ufb01x", lang="en").suggestion is None  # found as typed, nothing to correct


def test_count_is_the_total_without_filters(index: Searcher) -> None:
    assert (
        index.count("card declined", lang="en", audience="internal")
        == index.query("card declined", lang="en", audience="internal").total
    )
    assert index.query("card declined", audience="public", type="macro").total == 0
    assert index.count("card declined", audience="public") == index.query("card declined", audience="public").total > 0
    assert index.count("xqzvwk", lang="en") == 0
    assert index.count("", audience="public", lang="en") == len(index.query("", lang="en", per_page=100).hits)


def test_answers_need_every_word_as_typed(index: Searcher) -> None:
    assert index.answers("monthly limit", lang="en") == ["en/cards/declined.md"]
    assert index.answers("monthly limt", lang="en") == []  # no typo correction
    assert index.answers("monthly budget", lang="en") == []  # every meaningful word
    assert index.answers("the", lang="en") == []
    assert index.answers("reconciliation", lang="en") == []  # agent notes: internal readers only
    assert index.answers("reconciliation", lang="en", audience="internal") == ["en/cards/declined.md"]
    # Pages the French site does not show in French: not translated yet (invoices) or not at all
    assert index.answers("invoices", lang="en", missing_in="fr") == ["en/billing/invoices.md"]
    assert index.answers("monthly limit", lang="en", missing_in="fr") == []  # translated
    assert index.answers("les invoices", lang="en", missing_in="fr") == ["en/billing/invoices.md"]


# Building and rebuilding


def test_no_index_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="build it with 'kb index'"):
        Searcher(tmp_path / "nothing").query("card")


def test_an_open_searcher_picks_up_a_rebuild(mini_kb: MiniKB) -> None:
    from search.indexer import write_generation
    from search.store import publish

    mini_kb.write("en/cards/a.md", page("a", "First version", body="Old wording.\n"))
    kb = KnowledgeBase.at(mini_kb.root)
    index_dir = default_index_dir(kb)
    assert index_dir == mini_kb.root / "var" / "search"
    build_index(kb, index_dir)
    searcher = Searcher(index_dir)
    first = searcher.generation
    assert ids(searcher.query("wording")) == ["a"]

    mini_kb.write("en/cards/a.md", page("a", "Second version", body="New phrasing.\n"))
    generation, _ = write_generation(kb, index_dir, kb.load(), read_history(kb.root))
    # Written but not published: readers still see the old index, whole.
    assert ids(searcher.query("wording")) == ["a"] and searcher.query("phrasing").total == 0
    publish(index_dir, generation)
    assert searcher.query("wording").total == 0
    assert ids(searcher.query("phrasing")) == ["a"]
    assert searcher.generation != first


def test_old_generations_are_removed_but_old_readers_recover(mini_kb: MiniKB) -> None:
    mini_kb.write("en/cards/a.md", page("a", "A page", body="Some wording.\n"))
    kb = KnowledgeBase.at(mini_kb.root)
    index_dir = mini_kb.root / "idx"
    build_index(kb, index_dir)
    old_reader = Searcher(index_dir)
    assert old_reader.query("wording").total == 1
    for _ in range(3):
        build_index(kb, index_dir)
    assert len(list(index_dir.glob("gen-*"))) == 2  # the live one and the previous one
    assert old_reader.query("wording").total == 1  # reopened on the live generation
    assert query("wording", index_dir=index_dir).total == 1


def test_version_is_the_last_commit_of_the_file(mini_kb: MiniKB) -> None:
    repo = GitRepo(mini_kb.root)
    mini_kb.write("en/cards/a.md", page("a", "A page"))
    mini_kb.write("en/cards/b.md", page("b", "B page"))
    repo.commit("first")
    mini_kb.write("en/cards/b.md", page("b", "B page", body="Changed.\n"))
    second = repo.commit("second", date="2026-02-01T10:00:00+00:00")
    first = repo.git("rev-list", "--max-parents=0", "HEAD")
    mini_kb.write("en/cards/c.md", page("c", "C page"))
    kb = KnowledgeBase.at(mini_kb.root)
    build_index(kb)
    with Searcher(default_index_dir(kb)) as searcher:
        versions = {hit.id: hit.version for hit in searcher.query("page", lang="en").hits}
    # The same short ids the sites stamp on their pages, so the service groups their events together.
    assert versions == {"a": first[:7], "b": second[:7], "c": "uncommitted"}
