"""What a search returns: plain data, free of any search-engine type, ready for JSON."""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Snippet:
    """The best passage of a hit, with the query's words highlighted, and the heading it sits under."""

    heading: str  # "" when the passage is the page's introduction
    anchor: str  # the heading's anchor on the page ("" for the introduction)
    url: str  # deep link: the page's URL with the anchor
    fragments: tuple[tuple[str, bool], ...]  # (text, highlighted)
    agent: bool = False  # the passage comes from an agent-only block (internal searches only)

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.fragments)

    def html(self) -> str:
        """The passage as HTML: escaped text, matches in <mark>."""
        return "".join(
            f"<mark>{html.escape(text)}</mark>" if marked else html.escape(text) for text, marked in self.fragments
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "heading": self.heading,
            "anchor": self.anchor,
            "url": self.url,
            "text": self.text,
            "html": self.html(),
            "agent": self.agent,
        }


@dataclass(frozen=True)
class Hit:
    id: str
    lang: str
    title: str
    type: str
    category: str
    audience: str  # the page's own audience
    tags: list[str]
    case_reason: str
    url: str  # the page on the site of the search's audience, in the language searched
    path: str  # "<lang>/<rel>", as under content/
    version: str  # last commit that changed the file
    score: float
    snippet: Snippet

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "lang": self.lang,
            "title": self.title,
            "type": self.type,
            "category": self.category,
            "audience": self.audience,
            "tags": self.tags,
            "case_reason": self.case_reason,
            "url": self.url,
            "path": self.path,
            "version": self.version,
            "score": round(self.score, 4),
            "snippet": self.snippet.to_dict(),
        }


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int  # hits on every page
    page: int  # 1-based
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None  # "did you mean": the query with unknown words corrected
    corrected: dict[str, str] = field(default_factory=dict)  # unknown word -> word also searched for

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "suggestion": self.suggestion,
            "corrected": self.corrected,
            "hits": [hit.to_dict() for hit in self.hits],
        }
