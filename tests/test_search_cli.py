"""kb index and kb search as an agent or a knowledge manager uses them, through click's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import MiniKB, page

from kbtools.cli import main


@pytest.fixture
def kb(mini_kb: MiniKB) -> MiniKB:
    mini_kb.both(
        "cards/declined.md",
        page(
            "declined",
            "Card declined",
            keywords="[card refused]",
            body="## Why\n\nThe monthly limit was reached.\n\n!!! agent\n    Check the ledger quuxplorer.\n",
        ),
        page("declined", "Carte refusée", keywords="[carte refusée]", body="## Pourquoi\n\nLe plafond est atteint.\n"),
    )
    mini_kb.both(
        "billing/refunds.md",
        page("refunds", "Request a refund", category="billing", owner="billing", body="Money back in 14 days.\n"),
        page("refunds", "Demander un remboursement", category="billing", owner="billing", body="Sous 14 jours.\n"),
    )
    mini_kb.write(
        "en/cards/macro-declined.md",
        page("macro-declined", "Card declined reply", type="macro", audience="internal", body="Sorry, declined.\n"),
    )
    return mini_kb


@pytest.fixture
def indexed(kb: MiniKB) -> MiniKB:
    assert run(kb, "index").exit_code == 0
    return kb


def run(kb: MiniKB, *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(kb.root), *args], catch_exceptions=False)


def test_index_then_search(kb: MiniKB) -> None:
    indexed = run(kb, "index")
    assert indexed.exit_code == 0, indexed.output
    assert indexed.output.startswith("Indexed 5 pages in ")
    summary, ranking = indexed.output.rstrip().splitlines()
    assert summary.endswith("into var/search/")
    # How many vectors were computed depends on the user's vector cache (tests/test_semantic.py counts them).
    assert re.fullmatch(
        r"Ranking English pages by meaning too \(all-MiniLM-L6-v2: [0-3] page vectors computed.*", ranking
    )
    assert (kb.root / "var/search/CURRENT").is_file()
    found = run(kb, "search", "carte refusée", "--lang", "fr")
    assert found.exit_code == 0, found.output
    lines = found.output.splitlines()
    assert lines[0] == "1 results for 'carte refusée':"
    assert lines[1].startswith("  1. Carte refusée  [article · cards]  fr/cards/declined.md")
    assert lines[2].startswith("     internal/fr/cards/declined/")


def test_search_builds_a_missing_index(kb: MiniKB) -> None:
    found = run(kb, "search", "refund")
    assert found.exit_code == 0, found.output
    assert "No search index in var/search/ yet: building it (kb index)." in found.stderr
    assert "Request a refund" in found.stdout


def test_search_json_with_filters_and_audience(indexed: MiniKB) -> None:
    kb = indexed
    internal = json.loads(run(kb, "search", "declined", "--lang", "en", "--json").output)
    assert [hit["id"] for hit in internal["hits"]] == ["macro-declined", "declined"]
    macros = json.loads(run(kb, "search", "declined", "--type", "macro", "--json").output)
    assert [hit["id"] for hit in macros["hits"]] == ["macro-declined"]
    public = json.loads(run(kb, "search", "declined", "--audience", "public", "--json").output)
    assert [(hit["id"], hit["url"]) for hit in public["hits"]] == [("declined", "cards/declined/")]
    assert public["total"] == 1
    agent = json.loads(run(kb, "search", "quuxplorer", "--audience", "public", "--json").output)
    assert agent["hits"] == []
    hit = json.loads(run(kb, "search", "monthly limit", "--json").output)["hits"][0]
    assert hit["snippet"]["html"] == "The <mark>monthly</mark> <mark>limit</mark> was reached."
    assert (hit["snippet"]["heading"], hit["snippet"]["url"]) == ("Why", "internal/cards/declined/#why")


def test_search_suggests_and_pages(indexed: MiniKB) -> None:
    kb = indexed
    found = run(kb, "search", "refnud", "--lang", "en")
    assert found.output.splitlines()[0] == "Did you mean: refund"
    paged = run(kb, "search", "declined", "--per-page", "1", "--lang", "en")
    assert "Page 1 of 2: --page 2 for more." in paged.output
    assert "No page 5." in run(kb, "search", "declined", "--page", "5").output


def test_user_mistakes_are_one_clean_line(indexed: MiniKB) -> None:
    kb = indexed
    for args, message in [
        (("search", "card", "--lang", "de"), "kb: error: unknown language 'de': the index has en, fr"),
        (("search",), 'kb: error: nothing to search: kb search "card refused"'),
        (("search", "x", "--eval", "q.tsv"), "kb: error: give either a query or --eval FILE, not both"),
    ]:
        result = run(kb, *args)
        assert result.exit_code == 1
        assert result.output.startswith(message), result.output
        assert "Traceback" not in result.output


def test_eval_prints_mrr_and_recall(indexed: MiniKB, tmp_path: Path) -> None:
    kb = indexed
    queries = tmp_path / "queries.tsv"
    queries.write_text(
        "# query, expected, language, audience\n"
        "card refused\tdeclined\ten\tpublic\n"
        "money back\tbilling/refunds.md\n"
        "remboursement\tfr/billing/refunds.md\tfr\n"
        "sorry declined\tdeclined\ten\n",  # the macro comes first: rank 2
        encoding="utf-8",
    )
    result = run(kb, "search", "--eval", str(queries))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "queries.tsv:5: 'sorry declined': declined rank 2",
        "    first: en/cards/macro-declined.md, en/cards/declined.md",
        "4 queries: MRR@10 0.875, recall@3 1.000",
    ]
    as_json = json.loads(run(kb, "search", "--eval", str(queries), "--json").output)
    assert (as_json["mrr_at_10"], as_json["recall_at_3"]) == (0.875, 1.0)
    assert [o["rank"] for o in as_json["outcomes"]] == [1, 1, 1, 2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("card refused\n", "queries.tsv:1: expected: query<TAB>expected id or path"),
        ("card\tdeclined\ten\teveryone\n", "queries.tsv:1: audience is public or internal, not 'everyone'"),
        ("card\tno-such-page\n", "queries.tsv:1: expected page 'no-such-page' is not in the knowledge base"),
        ("# nothing\n", "queries.tsv: no queries in the file"),
    ],
)
def test_eval_file_mistakes_name_the_line(indexed: MiniKB, tmp_path: Path, text: str, message: str) -> None:
    kb = indexed
    queries = tmp_path / "queries.tsv"
    queries.write_text(text, encoding="utf-8")
    result = run(kb, "search", "--eval", str(queries))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_query_syntax_is_searched_as_plain_words(indexed: MiniKB) -> None:
    # Whoosh syntax means nothing: "refnud:*" is the word "refnud", corrected, and the suggestion holds no syntax
    typed = run(indexed, "search", "refnud:*", "--lang", "en")
    word = run(indexed, "search", "refnud", "--lang", "en")
    assert typed.output.splitlines()[0] == "Did you mean: refund"
    assert typed.output.replace("'refnud:*'", "'refnud'") == word.output
    assert run(indexed, "search", "title:refnud", "--lang", "en").output.startswith("Did you mean: title refund\n")
    assert run(indexed, "search", "*").output == "No results for '*'.\n"
    assert run(indexed, "search", "refund*", "--lang", "en").output.replace("'refund*'", "'refund'") == (
        run(indexed, "search", "refund", "--lang", "en").output
    )
