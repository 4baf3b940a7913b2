"""Answering queries: a long-lived `Searcher` over the live index generation.

A query is analyzed once per language searched. Every word becomes an optional term of the BM25F text
field (and of the agent field for internal readers); adjacent words also form phrases that rank pages
holding them together up, in the text and, more, inside one front-matter keyword, so a page whose
keywords say what the customer says comes first. A word matching nothing a reader may see is replaced by
its nearest words in the reader's vocabulary (typo tolerance) and offered back as "did you mean".

A query is plain words: it is never parsed as Whoosh query syntax, so `title:*`, `card AND NOT refund` or
`"a phrase"` search for the words they hold (`title`; `card`, `and`, `not`, `refund`...), and text holding
no word at all (punctuation, a lone accent) finds nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from whoosh.query import And, Term

from kbtools.model.errors import UsageError
from search import store
from search.analysis import query_words
from search.documents import AUDIENCES, INTERNAL, PUBLIC
from search.generation import OpenIndex
from search.planning import QueryPlan, analyzed
from search.results import SearchResults
from search.schema import agent_field, shown_value, text_field
from search.whoosh_internals import doc_ids

Filter = str | Sequence[str] | None

MAX_PER_PAGE = 100


class Searcher:
    """Queries the search index in `index_dir`, following rebuilds without being reopened.

    Cheap to keep open; not safe to share between threads (give each thread its own, or use
    `search.query`, which keeps one per thread).
    """

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._open: dict[str, OpenIndex] = {}  # audience -> its index in the generation in use
        self._marker: tuple[int, int] | None = None

    @property
    def generation(self) -> str:
        """Name of the index generation in use (it changes when a rebuild is picked up)."""
        return self._current(PUBLIC).generation.name

    def close(self) -> None:
        for index in self._open.values():
            index.close()
        self._open = {}

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self, audience: str) -> OpenIndex:
        """The index `audience` searches: public readers get the public index, built from public text only."""
        marker = store.marker(self.index_dir)
        if marker != self._marker or audience not in self._open:
            generation = store.current(self.index_dir)
            for stale in [name for name, index in self._open.items() if index.generation.name != generation.name]:
                self._open.pop(stale).close()
            if audience not in self._open:
                self._open[audience] = OpenIndex(generation, audience)
            self._marker = generation.marker
        return self._open[audience]

    def query(
        self,
        text: str,
        *,
        audience: str = PUBLIC,
        lang: str | None = None,
        type: Filter = None,
        category: Filter = None,
        tag: Filter = None,
        case_reason: Filter = None,
        page: int = 1,
        per_page: int = 10,
    ) -> SearchResults:
        """Pages matching `text` that `audience` may read, best first; see the module docstring of `search`."""
        if audience not in AUDIENCES:
            raise UsageError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            raise UsageError(f"page starts at 1 and per_page is between 1 and {MAX_PER_PAGE}")
        index = self._current(audience)
        if lang is not None and lang not in index.languages:
            raise UsageError(f"unknown language {lang!r}: the index has {', '.join(index.languages)}")
        run = QueryPlan(index, text, audience, lang)
        allowed = run.filter_docs(
            {
                "type": _values(type),
                "category": _values(category),
                "tags": _values(tag),
                "case_reason": _values(case_reason),
            }
        )
        return run.results(allowed, page, per_page)

    def count(self, text: str, *, audience: str = PUBLIC, lang: str | None = None) -> int:
        """How many pages `query(text, audience=audience, lang=lang)` finds without any filter (what a
        search would find before its type, category, tag and case-reason filters). No ranking, no snippets."""
        if audience not in AUDIENCES:
            raise UsageError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        index = self._current(audience)
        if lang is not None and lang not in index.languages:
            raise UsageError(f"unknown language {lang!r}: the index has {', '.join(index.languages)}")
        run = QueryPlan(index, text, audience, lang)
        visible = run.visible()
        if not run.words:
            return 0 if text.strip() else len(visible)
        built = run.build()
        return run.count(built, visible) if built is not None else 0

    def answers(self, text: str, *, lang: str, audience: str = PUBLIC, missing_in: str | None = None) -> list[str]:
        """Paths (`<lang>/<rel>`) of the pages in `lang` that `audience` sees on `lang`'s site and whose text
        holds every meaningful word of `text` as typed: analysed in `lang` (stemmed, accents folded, stop
        words left out), with no typo correction. [] when `text` has no meaningful word.

        With `missing_in` (the language the query was typed in), its stop words are left out too ("le kbis"
        is "kbis"), and only the pages that `audience` does not see in that language on that language's
        site are kept: not translated yet, or their translation is not published.
        """
        if audience not in AUDIENCES:
            raise UsageError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        index = self._current(audience)
        for language in (lang, missing_in):
            if language is not None and language not in index.languages:
                raise UsageError(f"unknown language {language!r}: the index has {', '.join(index.languages)}")
        words = query_words(text)
        if missing_in is not None:
            words = [word for word in words if analyzed(missing_in, word)]
        wanted = [terms for word in words if (terms := analyzed(lang, word))]
        if not wanted:
            return []
        reader = index.searcher.reader()
        fieldnames = [text_field(lang)] + ([agent_field(lang)] if audience == INTERNAL else [])
        docs = self._shown(index, audience, lang)
        for terms in wanted:
            docs = docs & {docnum for term in terms for name in fieldnames for docnum in doc_ids(reader, name, term)}
            if not docs:
                return []
        paths = sorted(index.searcher.stored_fields(docnum)["key"] for docnum in docs)
        if missing_in is None:
            return paths
        there = self._shown(index, audience, missing_in)
        return [
            path
            for path in paths
            if not there.intersection(doc_ids(reader, "key", f"{missing_in}/{path.partition('/')[2]}"))
        ]

    @staticmethod
    def _shown(index: OpenIndex, audience: str, lang: str) -> set[int]:
        """Pages of language `lang` that `audience` sees on `lang`'s site (cached: never modify the set)."""
        shown = shown_value(audience, lang)
        return index.docs(("own", shown), And([Term("shown_in", shown), Term("lang", lang)]))


def _values(value: Filter) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(item for item in value if item)


_local = threading.local()


def _thread_searcher(index_dir: Path) -> Searcher:
    """One long-lived Searcher per thread and folder."""
    searchers: dict[Path, Searcher] = _local.__dict__.setdefault("searchers", {})
    key = Path(index_dir).resolve()
    searcher = searchers.get(key)
    if searcher is None:
        searcher = searchers[key] = Searcher(key)
    return searcher


def query(text: str, *, index_dir: Path, **options: Any) -> SearchResults:
    """`Searcher(index_dir).query(text, **options)` with one long-lived Searcher per thread and folder."""
    return _thread_searcher(index_dir).query(text, **options)


def count_matches(text: str, *, index_dir: Path, **options: Any) -> int:
    """`Searcher(index_dir).count(text, **options)` with the same per-thread Searcher as `query`."""
    return _thread_searcher(index_dir).count(text, **options)
