"""kb-page: page metadata for the theme and search, notices, last-updated line, feedback, wiki extras."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from site_plugins.config import PageConfig
from site_plugins.page.decorations import contact_link, last_updated, macro_panel, notices, version_of, wiki_info
from site_plugins.site import Site, load_site
from site_plugins.strings import FEEDBACK_REASONS, strings

_ASSET_DIR = Path(__file__).resolve().parent.parent / "assets"
_ASSETS = {"kb.css": "assets/kb/kb.css", "kb.js": "assets/kb/kb.js", "kb-search.js": "assets/kb/kb-search.js"}

# Front-matter keys mkdocs-material gives a meaning of its own; ours move under page.meta["kb"].
_THEME_KEYS = ("status", "tags", "search", "hide", "template", "icon", "subtitle", "description")


class PagePlugin(BasePlugin[PageConfig]):
    site: Site

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.site = load_site(self.config.root, self.config.audience, self.config.lang)
        config.extra["kb"] = {
            "service_url": self.config.service_url,
            "audience": self.config.audience,
            "strings": strings(self.config.lang),
            "reasons": list(FEEDBACK_REASONS),
        }
        config.extra_css.append(_ASSETS["kb.css"])
        config.extra_javascript.append(_ASSETS["kb.js"])
        if not self.site.is_public:
            config.extra_javascript.append(_ASSETS["kb-search.js"])
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for name, uri in _ASSETS.items():
            files.append(File.generated(config, uri, abs_src_path=str(_ASSET_DIR / name)))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        doc = self.site.documents.get(page.file.src_uri)
        if doc is None:  # a generated page
            return markdown
        meta = {key: value for key, value in page.meta.items() if key not in _THEME_KEYS}
        meta["title"] = doc.title
        if doc.summary:
            meta["description"] = doc.summary
        # mkdocs-material's search indexes `tags` with their own weight: the keywords customers use
        meta["tags"] = doc.keywords
        meta["kb"] = {
            "id": doc.id,
            "lang": doc.lang,
            "type": doc.type,
            "version": version_of(self.site, doc),
        }
        page.meta = meta
        return markdown

    @event_priority(-50)  # after the theme's own content processing
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        doc = self.site.documents.get(page.file.src_uri)
        if doc is None:
            return html
        before = notices(self.site, doc, self._url_in(page, self.site.content.default_language))
        if doc.type == "macro":
            html = macro_panel(self.site, doc, html)
        if not self.site.is_public:
            before = wiki_info(self.site, doc) + before
        after = last_updated(self.site, doc)
        if self.site.is_public and doc.type in ("article", "troubleshooting"):
            after += contact_link(self.site, self.config.contact_url)
        return before + html + after

    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any) -> dict:
        page.meta.setdefault("kb", {})
        page.meta["kb"]["alternates"] = [
            {"lang": language.code, "name": language.name, "link": self._url_in(page, language.code)}
            for language in self.site.taxonomy.languages
        ]
        return context

    def _url_in(self, page: Page, lang: str) -> str:
        """Relative URL of the same page in the site of `lang` (every language has every page: see fallbacks)."""
        default = self.site.content.default_language
        up = page.url.count("/") + (0 if self.site.lang == default else 1)
        prefix = "" if lang == default else f"{lang}/"
        return posixpath.join("../" * up if up else "./", prefix, page.url) or "./"
