"""A Whoosh text field whose analysis can be shared between the two indexes of a generation.

A public page goes into the internal index and into the public one with the same title, summary, keywords
and body text. Analysis (tokenizing, compounds, stemming) is the largest cost of indexing, so while
`shared_analysis()` is open, a field remembers what it produced for each value and a field of the same
language and format given the same value reuses it instead of analysing the text again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from whoosh.fields import TEXT

_Postings = list[tuple[bytes, int, float, bytes]]
_shared: ContextVar[dict[tuple[str, bool, object], _Postings] | None] = ContextVar("shared", default=None)


class SharedText(TEXT):  # type: ignore[misc]
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
