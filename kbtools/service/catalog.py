"""Which pages exist, per language: events about anything else are refused."""

from __future__ import annotations

import threading
import time

from kbtools.content import Document
from kbtools.exports.macros import reply_markdown
from kbtools.project import KnowledgeBase
from kbtools.publishing import is_visible, site_base_url
from kbtools.vocabulary import ContentType

_REFRESH_SECONDS = 30.0


class Catalog:
    """Published page ids per language, re-read from the content at most every 30 s when asked for one it lacks."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self.languages: set[str] = set()
        self._ids: set[tuple[str, str]] = set()
        self.titles: dict[tuple[str, str], str] = {}
        self.types: dict[tuple[str, str], str] = {}
        self.replies: dict[tuple[str, str], str] = {}
        self.public: set[tuple[str, str]] = set()  # what the help center publishes
        self.paths: dict[tuple[str, str], str] = {}  # (lang, id) -> path under content/<lang>/, e.g. 'cards/x.md'
        # Auto-reply templates with the text the customer reads (no agent-only block, absolute links)
        self.autoreplies: list[tuple[Document, str]] = []
        self.refresh()

    def refresh(self) -> None:
        content = self.kb.load()
        published = [doc for doc in content if doc.is_published]
        with self._lock:
            self.languages = set(self.kb.taxonomy.language_codes)
            self._ids = {(doc.lang, doc.id) for doc in published}
            self.titles = {(doc.lang, doc.id): doc.title for doc in published}
            self.types = {(doc.lang, doc.id): doc.type for doc in published}
            self.paths = {(doc.lang, doc.id): doc.rel for doc in published}
            self.public = {(doc.lang, doc.id) for doc in published if is_visible(doc, "public", self.kb.taxonomy)}
            # What Copy reply copies in the wiki's search results: the same text as on the macro's page
            base_url = site_base_url(self.kb.root)
            self.replies = {
                (doc.lang, doc.id): reply_markdown(doc, content, self.kb.taxonomy, base_url).strip()
                for doc in published
                if doc.type == "macro"
            }
            self.autoreplies = [
                (doc, reply_markdown(doc, content, self.kb.taxonomy, base_url))
                for doc in published
                if doc.type == ContentType.AUTOREPLY.value
            ]
            self._loaded_at = time.monotonic()

    def has(self, lang: str, article: str, audience: str = "internal") -> bool:
        """Whether the site for `audience` publishes the page: the help center ("public") or the wiki."""
        if (lang, article) in self._pages(audience):
            return True
        if time.monotonic() - self._loaded_at > _REFRESH_SECONDS:
            self.refresh()
            return (lang, article) in self._pages(audience)
        return False

    def _pages(self, audience: str) -> set[tuple[str, str]]:
        return self.public if audience == "public" else self._ids
