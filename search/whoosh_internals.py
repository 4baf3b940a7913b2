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
from whoosh.matching import Matcher, NullMatcher, WrappingMatcher
from whoosh.query import Query, WrappingQuery
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


class Allowed(WrappingQuery):
    """`child` restricted to the documents `allowed` (the index's document numbers), scored as `child`.

    Whoosh's own `filter=` makes its collector score every matching document; restricting the matcher instead
    keeps its block-quality skipping (blocks whose best score cannot enter the top results are not scored),
    which finds the same top results several times faster on a large index.
    """

    def __init__(self, child: Query, allowed: set[int]):
        super().__init__(child)
        self.allowed = allowed

    def _rewrap(self, child: Query) -> Allowed:
        return Allowed(child, self.allowed)

    def matcher(self, searcher: WhooshSearcher, context: Any = None) -> Matcher:
        found = self.child.matcher(searcher, context)
        parent = searcher.get_parent() if searcher.has_parent() else None
        offset = (parent._offset_for_subsearcher(searcher) or 0) if parent is not None else 0  # a segment's first
        return _AllowedMatcher(found, self.allowed, offset)


class _AllowedMatcher(WrappingMatcher):
    """The postings of `child` whose document (plus the segment's `offset`) is in `allowed`."""

    def __init__(self, child: Matcher, allowed: set[int], offset: int):
        super().__init__(child)
        self.allowed = allowed
        self.offset = offset
        self._find_next()

    def _find_next(self) -> bool:
        """Moves to the next allowed document; True when that entered a new block (quality to check again)."""
        child, allowed, offset = self.child, self.allowed, self.offset
        moved = False
        while child.is_active() and child.id() + offset not in allowed:
            moved = bool(child.next()) or moved
        return moved

    def copy(self) -> _AllowedMatcher:
        return _AllowedMatcher(self.child.copy(), self.allowed, self.offset)

    def _replacement(self, newchild: Matcher) -> _AllowedMatcher:
        return _AllowedMatcher(newchild, self.allowed, self.offset)

    def replace(self, minquality: float = 0) -> Matcher:
        replaced = self.child.replace(minquality)
        if not replaced.is_active():
            return NullMatcher()
        return self if replaced is self.child else _AllowedMatcher(replaced, self.allowed, self.offset)

    def next(self) -> bool:
        entered = bool(self.child.next())
        return self._find_next() or entered

    def skip_to(self, id: int) -> bool:
        entered = bool(self.child.skip_to(id))
        return self._find_next() or entered

    def skip_to_quality(self, minquality: float) -> int:
        skipped = int(self.child.skip_to_quality(minquality))
        self._find_next()
        return skipped

    def all_ids(self) -> Iterator[int]:
        return (id for id in self.child.all_ids() if id + self.offset in self.allowed)


def postings_arrays(reader: Any, fieldname: str, term: str) -> list[tuple[list[int], list[float], list[Any]]]:
    """The postings of `term` as (document numbers, weights, encoded values) lists, one triple per posting block,
    document numbers those of the whole index (segment offsets added). Deleted documents are included: callers
    mask them out. Values are the encoded positions of a field with phrases (see `decode_positions`).

    Reads the posting blocks of whoosh-reloaded 2.7's W3 codec whole (one decoding per block, private
    attributes); falls back to its generic one-posting-at-a-time iteration when a matcher is not of that kind.
    """
    found: list[tuple[list[int], list[float], list[Any]]] = []
    for leaf, offset in reader.leaf_readers():
        if (fieldname, term) not in leaf:
            continue
        matcher = leaf.postings(fieldname, term)
        matcher = getattr(matcher, "child", matcher) if isinstance(matcher, WrappingMatcher) else matcher
        names = ("_ids", "_i", "_read_ids", "_read_weights", "_read_values", "_next_block")
        if not all(hasattr(matcher, name) for name in names):
            ids, weights, values = [], [], []
            while matcher.is_active():
                ids.append(matcher.id() + offset)
                weights.append(matcher.weight())
                values.append(matcher.value())
                matcher.next()
            found.append((ids, weights, values))
            continue
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            start = matcher._i
            block = matcher._ids[start:]
            found.append(
                (
                    [id + offset for id in block] if offset else list(block),
                    list(matcher._weights[start:]),
                    list(matcher._values[start:]),
                )
            )
            matcher._next_block()
    return found


def decode_positions(reader: Any, fieldname: str, value: Any) -> list[int]:
    """The positions held by an encoded posting value of `fieldname` (a field with phrases)."""
    return list(reader.schema[fieldname].format.decode_positions(value))


def field_lengths(reader: Any, fieldname: str) -> list[int]:
    """The length of `fieldname` in every document of the index (as Whoosh's BM25F reads it), 0 where absent."""
    lengths: list[int] = []
    for leaf, _ in reader.leaf_readers():
        count = leaf.doc_count_all()
        if fieldname not in leaf.schema or not leaf.schema[fieldname].scorable:
            lengths.extend([0] * count)
            continue
        lengths.extend(leaf.doc_field_length(docnum, fieldname, 0) or 0 for docnum in range(count))
    return lengths
