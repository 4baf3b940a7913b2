"""search.ranking scores a query's terms over the whole index in array operations: it must give every page the
score Whoosh's own BM25F gives it, on a fresh index and on an updated one (several segments, deleted versions)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MiniKB, page
from whoosh.query import Or, Term

from kbtools.model.project import KnowledgeBase
from search import Searcher, build_index
from search.planning import QueryPlan

QUERIES = [
    ("card", "public", "en"),
    ("card declined shop", "public", "en"),
    ("refund payment card", "internal", None),
    ("carte refusée", "public", "fr"),
    ("remboursement paiement", "internal", "fr"),
    ("escalate giraffe dispute", "internal", "en"),  # an internal page and an agent note
    ("the card was declined at the shop and i want a refund now", "public", None),  # a long question
    ("refnud paymnet", "public", "en"),  # typos: their corrections are scored
]


def _content(kb: MiniKB, round: int = 0) -> None:
    for number in range(12):
        kb.both(
            f"cards/page-{number}.md",
            page(
                f"page-{number}",
                "Card declined" if number % 3 == 0 else f"Refund number {number}",
                body=("The card was declined at the shop. " * (number % 4 + 1))
                + ("Ask for a refund of the payment. " * (number % 3))
                + f"Round {round}.\n",
            ),
            page(
                f"page-{number}",
                "Carte refusée" if number % 2 else "Remboursement",
                body=("La carte a été refusée. " * (number % 3 + 1)) + "Demandez le remboursement du paiement.\n",
            ),
        )
    kb.write(
        "en/playbooks/escalate.md",
        page("escalate", "Escalate a dispute", body="Escalate the refund dispute.\n", category="playbooks"),
    )
    kb.write(
        "en/cards/notes.md",
        page("notes", "Card notes", body='Public text.\n\n!!! agent "Agent notes"\n    Escalate the giraffe case.\n'),
    )


@pytest.fixture(scope="module", params=["fresh", "updated"])
def index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    kb = MiniKB(tmp_path_factory.mktemp("ranking") / "kb")
    _content(kb)
    index_dir = kb.root / "var" / "search"
    build_index(KnowledgeBase.at(kb.root), index_dir)
    if request.param == "updated":  # several pages changed: new segments, deleted versions kept in statistics
        for number in (0, 4, 7):
            kb.write(f"en/cards/page-{number}.md", page(f"page-{number}", "Card declined", body="Declined again.\n"))
        report = build_index(KnowledgeBase.at(kb.root), index_dir)
        assert report.incremental and report.written == 3
    with Searcher(index_dir) as searcher:
        yield searcher


def _whoosh_scores(plan: QueryPlan, allowed: set[int]) -> dict[int, float]:
    clauses = plan.build()
    assert clauses
    query = Or([Term(clause.fieldname, clause.term, boost=clause.boost) for clause in clauses])
    found = plan.searcher.search(query, limit=None, filter=allowed)
    return {item.docnum: float(item.score or 0.0) for item in found}


@pytest.mark.parametrize(("text", "audience", "lang"), QUERIES)
def test_every_page_gets_the_score_whoosh_gives_it(index: Searcher, text: str, audience: str, lang: str | None) -> None:
    opened = index._current(audience)
    plan = QueryPlan(opened, text, audience, lang)
    allowed = plan.filter_docs({})
    expected = _whoosh_scores(plan, allowed)
    clauses = plan.build()
    assert clauses
    scores = opened.ranker.scores(clauses)
    ours = {docnum: float(scores[docnum]) for docnum in allowed if scores[docnum] > 0}
    assert ours.keys() == expected.keys()
    assert all(ours[docnum] == pytest.approx(expected[docnum], rel=1e-12) for docnum in ours)
    results = index.query(text, audience=audience, lang=lang, per_page=100)
    assert results.total == len(expected)


@pytest.mark.parametrize(("text", "audience", "lang"), QUERIES)
def test_a_page_of_results_is_the_same_slice_of_the_ranking(
    index: Searcher, text: str, audience: str, lang: str | None
) -> None:
    """Phrase bonuses are computed only for pages that can reach the page asked for: pages stay in order."""
    everything = [hit.path for hit in index.query(text, audience=audience, lang=lang, per_page=30).hits]
    pages = [
        hit.path
        for number in range(1, 11)
        for hit in index.query(text, audience=audience, lang=lang, page=number, per_page=3).hits
    ]
    assert pages == everything


def test_positions_of_an_updated_page_are_its_new_ones(tmp_path: Path) -> None:
    kb = MiniKB(tmp_path / "kb")
    kb.write("en/cards/a.md", page("a", "Alpha", body="Card declined today.\n"))
    kb.write("en/cards/b.md", page("b", "Beta", body="Declined card, then a refund.\n"))
    index_dir = kb.root / "idx"
    build_index(KnowledgeBase.at(kb.root), index_dir)
    kb.write("en/cards/a.md", page("a", "Alpha", body="A refund today. Nothing about that card.\n"))
    build_index(KnowledgeBase.at(kb.root), index_dir)
    with Searcher(index_dir) as searcher:
        assert [hit.id for hit in searcher.query("declined", audience="public").hits] == ["b"]
        first = searcher.query("refund today", audience="public").hits[0]
        assert first.id == "a"  # the words next to each other in its new text
        assert [text for text, marked in first.snippet.fragments if marked] == ["refund", "today"]
