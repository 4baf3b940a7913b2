"""Technical tokens (file names, versions, error codes, domains) are found whole, by their parts and by prefix."""

from __future__ import annotations

import pytest
from conftest import MiniKB, page
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtools.model.project import KnowledgeBase
from search import Searcher, build_index
from search.analysis import query_words, terms

PAGES = {
    "log": "Collect the outlook.exe.log file from the temp folder.",
    "olm": "Export the mailbox to an archive.olm file on a Mac.",
    "version": "Open the registry key for version 16.0 of the product.",
    "scan": "Run scanpst.exe to repair the data file.",
    "ndr": "The message bounced with the status 5.7.520 from the server.",
    "domain": "Add brightspend.com to the safe senders list.",
    "aad": "Sign-in fails with the error AADSTS50105 for some users.",
    "hex": "Sending fails with the error 0x800CCC80 in the status bar.",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    kb = MiniKB(tmp_path_factory.mktemp("tokens") / "kb")
    for name, body in PAGES.items():
        kb.write(f"en/cards/{name}.md", page(name, f"Page {name}", body=body + "\n"))
    kb.write("en/cards/plain.md", page("plain", "Plain page", body="The file, the log, the version and the status.\n"))
    index_dir = kb.root / "var" / "search"
    build_index(KnowledgeBase.at(kb.root), index_dir)
    with Searcher(index_dir) as searcher:
        yield searcher


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # whole
        ("outlook.exe.log", "log"),
        ("archive.olm", "olm"),
        ("16.0", "version"),
        ("scanpst.exe", "scan"),
        ("5.7.520", "ndr"),
        ("brightspend.com", "domain"),
        ("AADSTS50105", "aad"),
        ("0x800ccc80", "hex"),
        # by a part
        ("olm", "olm"),
        ("scanpst", "scan"),
        ("brightspend", "domain"),
        ("520", "ndr"),
        # by prefix, whatever the case
        ("AADSTS", "aad"),
        ("aadsts", "aad"),
        ("0X800CCC80", "hex"),
        ("outlook.EXE.LOG", "log"),
    ],
)
def test_technical_tokens_are_found_whole_by_parts_and_by_prefix(index: Searcher, query: str, expected: str) -> None:
    found = [hit.id for hit in index.query(query, lang="en").hits]
    assert found and found[0] == expected, found


def test_a_whole_token_ranks_its_page_above_pages_with_its_parts_apart(index: Searcher) -> None:
    found = [hit.id for hit in index.query("outlook.exe.log", lang="en").hits]
    assert found[0] == "log" and "plain" in found[1:]


_PIECE = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçABCDEFXYZ", min_size=1, max_size=8),
    st.text(alphabet="0123456789", min_size=1, max_size=5),
)
_TOKEN = st.lists(_PIECE, min_size=1, max_size=4).flatmap(
    lambda pieces: st.lists(st.sampled_from(["", "."]), min_size=len(pieces) - 1, max_size=len(pieces) - 1).map(
        lambda joins: pieces[0] + "".join(join + piece for join, piece in zip(joins, pieces[1:], strict=True))
    )
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(words=st.lists(_TOKEN, min_size=1, max_size=6), lang=st.sampled_from(["en", "fr"]))
def test_every_word_of_a_body_is_found_by_a_query_of_that_word(words: list[str], lang: str) -> None:
    # Index and query share one tokenizer: every term a query of an indexed word asks for is an index term.
    body = " ".join(words) + "."
    indexed = set(terms(lang, body))
    for word in query_words(body):
        asked = terms(lang, word)
        assert set(asked) <= indexed, (word, asked, indexed)
