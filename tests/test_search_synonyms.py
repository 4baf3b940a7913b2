"""The knowledge base's synonym list (content/synonyms.yml): customers' words find the pages' words."""

from __future__ import annotations

import pytest
from conftest import MiniKB, page

from kbtools.model.project import KnowledgeBase
from search import Searcher, build_index

SYNONYMS = """\
en:
  colleague: [team member]
  scrap: [discard]
  trash: [scrap]
fr:
  enlever: [retirer]
  collègue: [utilisateur]
  virer: [retirer]
  ôter: [enlever]
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    kb = MiniKB(tmp_path_factory.mktemp("synonyms") / "kb")
    kb.both(
        "cards/users.md",
        page("users", "Invite a team member", body="Send an invitation from the Team screen.\n"),
        page("users", "Retirer un utilisateur", body="Ouvrez l'écran Équipe et choisissez la personne.\n"),
    )
    kb.both(
        "cards/discard.md",
        page("discard", "Discard a draft expense", body="Drafts you no longer need can go.\n"),
        page("discard", "Abandonner une note de frais", body="Les brouillons inutiles partent.\n"),
    )
    kb.both(
        "cards/other.md",
        page("other", "Order a card", body="Choose the card and the delivery address.\n"),
        page("other", "Commander une carte", body="Choisissez la carte et l'adresse de livraison.\n"),
    )
    kb.write("synonyms.yml", SYNONYMS)
    index_dir = kb.root / "var" / "search"
    build_index(KnowledgeBase.at(kb.root), index_dir)
    with Searcher(index_dir) as searcher:
        yield searcher


@pytest.mark.parametrize(
    ("query", "lang", "expected"),
    [
        ("enlever un collègue", "fr", "users"),  # two words of the list
        ("Enlever un COLLEGUE", "fr", "users"),  # any case, no accents
        ("virer quelqu'un", "fr", "users"),
        ("ôter un collègue", "fr", "users"),  # ôter -> enlever -> retirer
        ("add a colleague", "en", "users"),  # a phrase as replacement
        ("trash my draft", "en", "discard"),  # trash -> scrap -> discard
        ("scrap", "en", "discard"),
    ],
)
def test_customers_words_find_the_pages_words(index: Searcher, query: str, lang: str, expected: str) -> None:
    for audience in ("public", "internal"):
        found = index.query(query, lang=lang, audience=audience)
        assert [hit.id for hit in found.hits][:1] == [expected], (audience, found.hits)
        assert found.suggestion is None  # a word of the list is no typo


def test_synonyms_are_per_language(index: Searcher) -> None:
    assert index.query("enlever", lang="en").total == 0
    assert index.query("scrap", lang="fr").total == 0


def test_without_the_list_the_customers_words_find_nothing(mini_kb: MiniKB) -> None:
    mini_kb.write("fr/cards/users.md", page("users", "Retirer un utilisateur", body="Ouvrez l'écran Équipe.\n"))
    mini_kb.write("en/cards/users.md", page("users", "Remove a user", body="Open the Team screen.\n"))
    index_dir = mini_kb.root / "var" / "search"
    build_index(KnowledgeBase.at(mini_kb.root), index_dir)
    with Searcher(index_dir) as searcher:
        assert searcher.query("enlever", lang="fr").total == 0
    mini_kb.write("synonyms.yml", "fr:\n  enlever: [retirer]\n")
    build_index(KnowledgeBase.at(mini_kb.root), index_dir)
    with Searcher(index_dir) as searcher:
        assert [hit.id for hit in searcher.query("enlever", lang="fr").hits] == ["users"]
