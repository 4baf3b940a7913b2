"""Which pages exist, per language: events about anything else are refused."""

from __future__ import annotations

import threading
import time
from typing import Literal

from kbtools.governance.translations import content_path
from kbtools.model.content import Document
from kbtools.model.experiments import Experiment, experiments, is_variant
from kbtools.model.history import read_history
from kbtools.model.project import KnowledgeBase
from kbtools.model.publishing import is_visible, site_base_url
from kbtools.model.vcs import Repository, open_repository
from kbtools.model.vocabulary import Audience, ContentType
from kbtools.workflows.exports.macros import reply_markdown

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
        self._versions: dict[tuple[str, str], str] = {}
        self._versions_head: str | None = None  # the HEAD commit `_versions` were read at
        self._repository: Repository | Literal[False] | None = None  # False: not a git work tree
        self.experiments: list[Experiment] = []  # the valid experiments declared in the content
        # Auto-reply templates with the text the customer reads (no agent-only block, absolute links)
        self.autoreplies: list[tuple[Document, str]] = []
        # The reply text of each variant of a template under an experiment: (lang, path) -> text
        self.variant_replies: dict[tuple[str, str], str] = {}
        self.refresh()

    def refresh(self) -> None:
        content = self.kb.load()
        # An experiment's variant shares its page's id and is never a page of its own (kbtools.model.experiments)
        published = [doc for doc in content if doc.is_published and not is_variant(doc)]
        with self._lock:
            self.languages = set(self.kb.taxonomy.language_codes)
            self._ids = {(doc.lang, doc.id) for doc in published}
            self.titles = {(doc.lang, doc.id): doc.title for doc in published}
            self.types = {(doc.lang, doc.id): doc.type for doc in published}
            self.paths = {(doc.lang, doc.id): doc.rel for doc in published}
            self.public = {
                (doc.lang, doc.id) for doc in published if is_visible(doc, Audience.PUBLIC, self.kb.taxonomy)
            }
            # What Copy reply copies in the wiki's search results: the same text as on the macro's page
            base_url = site_base_url(self.kb.root)
            self.replies = {
                (doc.lang, doc.id): reply_markdown(doc, content, self.kb.taxonomy, base_url).strip()
                for doc in published
                if doc.type == ContentType.MACRO
            }
            self._versions = {}  # pages may have come or gone: versions are read again when asked for
            self.experiments = experiments(content)
            self.autoreplies = [
                (doc, reply_markdown(doc, content, self.kb.taxonomy, base_url))
                for doc in published
                if doc.type == ContentType.AUTOREPLY
            ]
            self.variant_replies = {
                (variant.doc.lang, variant.doc.rel): reply_markdown(variant.doc, content, self.kb.taxonomy, base_url)
                for experiment in self.experiments
                if experiment.canonical.type == ContentType.AUTOREPLY
                for variant in experiment.variants
            }
            self._loaded_at = time.monotonic()

    def has(self, lang: str, article: str, audience: str = Audience.INTERNAL) -> bool:
        """Whether the site for `audience` publishes the page: the help center ("public") or the wiki."""
        if (lang, article) in self._pages(audience):
            return True
        if time.monotonic() - self._loaded_at > _REFRESH_SECONDS:
            self.refresh()
            return (lang, article) in self._pages(audience)
        return False

    def _pages(self, audience: str) -> set[tuple[str, str]]:
        return self.public if audience == Audience.PUBLIC else self._ids

    def is_macro(self, lang: str, macro: str) -> bool:
        """Whether `macro` is a published macro in `lang` (re-reading the content as `has` does)."""
        return self.has(lang, macro) and self.types.get((lang, macro)) == ContentType.MACRO

    def version(self, lang: str, page: str) -> str | None:
        """The commit the page's file was last changed in, as the sites stamp it (`uncommitted` outside git), in the
        knowledge base's checkout now: the version a macro applied now was built from (the helpdesk imports what
        `kb export macros` exports from the same checkout). Read again when the checkout's HEAD moves."""
        with self._lock:  # one repository per catalog, read by one thread at a time (GitPython is not thread-safe)
            if self._repository is None:
                self._repository = open_repository(self.kb.root) or False
            head = self._repository.head() if self._repository else None
            known = self._versions_head == head and bool(self._versions)
        if not known:
            history = read_history(self.kb.root)
            versions = {key: history.version(content_path(key[0], rel)) for key, rel in self.paths.items()}
            with self._lock:
                self._versions, self._versions_head = versions, head
        with self._lock:
            return self._versions.get((lang, page))
