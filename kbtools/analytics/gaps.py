"""Telling content gaps from translation gaps.

A search with no result in a language other than the default one is a translation gap only when content
in the default language really answers it and is missing in the query's language: a public page of the
default language holds every meaningful word of the query as typed (analysed in the default language,
stop words left out, with no typo correction, so "remboursement" does not become "reimbursement" and
"comment résilier" does not stop at the English word "comment"), and the query language's help center
does not show that page in its own language (not translated yet, or the translation is not published).
Everything else, and everything without a search index, is a content gap.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kbtools.model.errors import KbError
from kbtools.model.project import KnowledgeBase
from kbtools.model.vocabulary import Audience


def classify_gaps(rows: list[dict[str, Any]], kb: KnowledgeBase, index_dir: str) -> list[dict[str, Any]]:
    """Set `gap` ("content" or "translation") on each row (query, lang) of searches with no result."""
    default = kb.taxonomy.default_language
    foreign = [row for row in rows if row["lang"] != default]
    for row in rows:
        row["gap"] = "content"
    if not foreign or not Path(index_dir).exists():
        return rows
    from search import Searcher

    with Searcher(Path(index_dir)) as searcher:
        for row in foreign:
            if _answered(searcher.answers, row, default):
                row["gap"] = "translation"
    return rows


def _answered(answers: Callable[..., list[str]], row: dict[str, Any], default: str) -> bool:
    try:
        return bool(answers(row["query"] or "", lang=default, audience=Audience.PUBLIC.value, missing_in=row["lang"]))
    except KbError:  # no usable index (IndexNotFoundError), or a language it does not have: cannot tell
        return False
