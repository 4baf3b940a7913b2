"""Every use of Whoosh internals (private attributes, postings, field indexing) in one place: whoosh-reloaded is
pinned exactly in pyproject.toml because of what this module reads.

A Whoosh text field whose analysis can be shared between the two indexes of a generation.

A public page goes into the internal index and into the public one with the same title, summary, keywords
and body text. Analysis (tokenizing, compounds, stemming) is the largest cost of indexing, so while
`shared_analysis()` is open, a field remembers what it produced for each value and a field of the same
language and format given the same value reuses it instead of analysing the text again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from whoosh.fields import TEXT
from whoosh.searching import Searcher as WhooshSearcher

_Postings = list[tuple[bytes, int, float, bytes]]
_shared: ContextVar[dict[tuple[str, bool, object], _Postings] | None] = ContextVar("shared", default=None)


class SharedText(TEXT):
    """TEXT analysed by the analyser of `lang`; its postings are shared within `shared_analysis()`."""

    def __init__(self, lang: str, **options: Any):
        super().__init__(**options)
        self.analysis_key = (lang, bool(options.get("phrase", True)))

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        memo = _shared.get()
        if memo is None or kwargs:
            return super().index(value, **kwargs)
        key = (*self.analysis_key, tuple(value) if isinstance(value, list) else value)
        postings = memo.get(key)
        if postings is None:
            postings = memo[key] = list(super().index(value))
        return iter(postings)


@contextmanager
def shared_analysis() -> Iterator[None]:
    """Within this block, text fields analyse each distinct (language, format, value) once."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def occurs(searcher: WhooshSearcher, fieldname: str, term: str, docs: set[int]) -> bool:
    """Whether `term` is in `fieldname` of at least one of `docs`."""
    reader = searcher.reader()
    if (fieldname, term) not in reader:
        return False
    matcher = reader.postings(fieldname, term)
    while matcher.is_active():
        if matcher.id() in docs:
            return True
        matcher.next()
    return False


def postings_positions(searcher: WhooshSearcher, fieldname: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
    """Positions of `term` in each of the sorted `docnums` holding it: one pass over its postings."""
    reader = searcher.reader()
    if not docnums or (fieldname, term) not in reader:
        return {}
    matcher = reader.postings(fieldname, term)
    found: dict[int, list[int]] = {}
    for docnum in docnums:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            found[docnum] = list(matcher.value_as("positions"))
    return found


def doc_ids(reader: Any, fieldname: str, term: str) -> Iterable[int]:
    """Every document holding `term`.

    Reads Whoosh's posting blocks whole when it can (a private but stable part of whoosh-reloaded 2.7,
    which is no longer developed): twice as fast as its generic one-document-at-a-time iterator, which
    remains the fallback.
    """
    if (fieldname, term) not in reader:
        return ()
    matcher = reader.postings(fieldname, term)
    if not all(hasattr(matcher, name) for name in ("_ids", "_i", "_read_ids", "_next_block")):
        return list(matcher.all_ids())
    found: list[int] = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        found.extend(matcher._ids[matcher._i :])
        matcher._next_block()
    return found
