"""Telling content gaps from translation gaps: a query with no result in its language is a translation gap
when the same query finds content in the source language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kbtools.project import KnowledgeBase


def classify_gaps(rows: list[dict[str, Any]], kb: KnowledgeBase, index_dir: str) -> list[dict[str, Any]]:
    default = kb.taxonomy.default_language
    finder = _source_language_finder(index_dir, default)
    for row in rows:
        if row["lang"] == default or finder is None:
            row["gap"] = "content"
            continue
        row["gap"] = "translation" if finder(row["query"]) else "content"
    return rows


def _source_language_finder(index_dir: str, lang: str):  # type: ignore[no-untyped-def]
    """A function telling whether a public query finds anything in `lang`, or None without a search index."""
    if not Path(index_dir).exists():
        return None
    try:
        from search import Searcher  # the search layer; absent until `kb index` has run
    except ImportError:
        return None
    searcher = Searcher(Path(index_dir))
    return lambda text: searcher.query(text, lang=lang, audience="public").total > 0
