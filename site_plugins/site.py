"""What one MkDocs build is making: which knowledge base, audience and language, and the content it sees.

Shared by every kb plugin of a build, computed once per process.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from kbtools.model.content import ContentSet, Document
from kbtools.model.history import ContentHistory, load_history, read_history
from kbtools.model.project import KnowledgeBase
from kbtools.model.publishing import is_visible, shows_source_instead
from kbtools.model.taxonomy import Taxonomy
from kbtools.model.vocabulary import AUDIENCES as AUDIENCE_VALUES
from kbtools.model.vocabulary import Audience

AUDIENCES = AUDIENCE_VALUES


@dataclass
class Site:
    kb: KnowledgeBase
    content: ContentSet
    history: ContentHistory
    audience: str
    lang: str

    @property
    def taxonomy(self) -> Taxonomy:
        return self.kb.taxonomy

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.PUBLIC

    def shows(self, doc: Document) -> bool:
        """Whether this site publishes `doc`. Fails closed: anything not plainly public is internal."""
        return is_visible(doc, self.audience, self.taxonomy)

    @functools.cached_property
    def documents(self) -> dict[str, Document]:
        """rel -> document this site publishes in its language (translations, or source-language fallbacks)."""
        default = self.content.default_language
        shown = {
            doc.rel: doc for doc in self.content.in_language(self.lang) if self.shows(doc) and self._source_shown(doc)
        }
        if self.lang != default:
            for doc in self.content.in_language(default):
                if doc.rel not in shown and self.shows(doc) and shows_source_instead(self.content, doc, self.lang):
                    shown[doc.rel] = doc  # shown in the source language with a notice (see docs)
        return dict(sorted(shown.items()))

    def _source_shown(self, doc: Document) -> bool:
        # A translation is never more public than its source, whatever its own front-matter says.
        source = self.content.source_of(doc)
        return source is None or self.shows(source)

    def is_fallback(self, doc: Document) -> bool:
        return doc.lang != self.lang


# Set by `kb build` for its site processes: the content history it read from git once for the whole build.
HISTORY_FILE_ENV = "KB_BUILD_HISTORY_FILE"


@functools.cache
def load_site(root: str, audience: str, lang: str) -> Site:
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    kb, content, history = _knowledge_base(root)
    return Site(kb, content, history, audience, lang)


@functools.cache
def _knowledge_base(root: str) -> tuple[KnowledgeBase, ContentSet, ContentHistory]:
    """Read once per process: a site process builds every language of its audience one after another."""
    kb = KnowledgeBase(Path(root))
    history_file = os.environ.get(HISTORY_FILE_ENV)
    history = load_history(Path(history_file)) if history_file else read_history(kb.root)
    return kb, kb.load(), history
