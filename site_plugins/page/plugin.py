"""kb-page: page metadata for the theme and search, notices, last-updated line, feedback, wiki extras."""

from __future__ import annotations

import json
import logging
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from kbtools.model import sanitize
from kbtools.model.experiments import Experiment, experiments
from kbtools.model.experiments import check as check_experiments
from kbtools.model.publishing import normal_base_url, site_base_url
from kbtools.model.urls import page_path, site_prefix
from kbtools.model.vocabulary import REPLY_TYPES, Audience, ContentType
from site_plugins.config import PageConfig
from site_plugins.navigation.pages import page_paths
from site_plugins.page import experiments as variants
from site_plugins.page.admonitions import localize_admonitions
from site_plugins.page.decorations import (
    contact_link,
    fallback_heading,
    fallback_text,
    last_updated,
    macro_panel,
    macro_reply,
    notices,
    outcome_question,
    related_section,
    version_of,
    wiki_info,
)
from site_plugins.site import Site, load_site
from site_plugins.strings import FEEDBACK_REASONS, strings

_ASSET_DIR = Path(__file__).resolve().parent.parent / "assets"
_ASSETS = {"kb.css": "assets/kb/kb.css", "kb.js": "assets/kb/kb.js", "kb-experiment.js": variants.SCRIPT}
# The wiki's scripts (its search page, a macro page's outcomes) call internal APIs: the help center never ships them
_WIKI_ASSETS = {"kb-search.js": "assets/kb/kb-search.js", "kb-macro.js": "assets/kb/kb-macro.js"}
# The help center's contact step, and the list of its articles it searches when the service does not answer
_PUBLIC_ASSETS = {
    "kb-contact.js": "assets/kb/kb-contact.js",
    "kb-public-search.js": "assets/kb/kb-public-search.js",
    "kb-home.js": "assets/kb/kb-home.js",
    "kb-autoreply.js": "assets/kb/kb-autoreply.js",  # the question of an auto-reply's suggested link
}
ARTICLES_JSON = "assets/kb/articles.json"

# Front-matter keys mkdocs-material gives a meaning of its own; ours move under page.meta["kb"].
_THEME_KEYS = ("status", "tags", "search", "hide", "template", "icon", "subtitle", "description")

log = logging.getLogger("mkdocs.plugins.kb-page")  # a warning fails `kb build --strict`


class PagePlugin(BasePlugin[PageConfig]):
    site: Site
    base_url: str  # where both sites are served from (the help center's root)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.site = load_site(self.config.root, self.config.audience, self.config.lang)
        self.base_url = _base_url(config.site_url, self.site, self.config.root)
        # mkdocs-material prints the language names raw (its templates do not escape)
        self.root_alternates = [
            {**alternate, "name": sanitize.text(alternate.get("name", ""))}
            for alternate in config.extra.get("alternate") or []
        ]
        config.extra["alternate"] = self.root_alternates
        self.pages_in: dict[str, set[str]] = {}
        # Experiments run on the help center, in their own language (a fallback page shows the canonical text)
        self.experiments: dict[str, Experiment] = (
            {e.canonical.rel: e for e in experiments(self.site.content) if e.lang == self.site.lang}
            if self.site.is_public
            else {}
        )
        self.variant_blocks: dict[str, str] = {}  # page source -> its variants' HTML, for on_post_page
        if self.site.is_public:  # the lint rule's own checks: a broken experiment shows its canonical page only
            for problem in check_experiments(self.site.content):
                if problem.doc.lang == self.site.lang:
                    log.warning(
                        "Doc file '%s', line %d (%s): %s; the experiment does not run (see `kb lint`)",
                        problem.doc.rel,
                        problem.line,
                        problem.key,
                        problem.message,
                    )
        text = strings(self.config.lang, self.config.root)
        if not self.site.is_public:  # agents read a page to answer a ticket, not their own question
            text = {**text, "feedback_question": text["feedback_question.agent"]}
        config.extra["kb"] = {
            "service_url": self.config.service_url,
            "audience": self.config.audience,
            "strings": text,
            "reasons": list(FEEDBACK_REASONS),
            # From this site's root to the wiki's root, where the service serves the dashboard and sign-out
            "wiki_up": "" if self.site.lang == self.site.content.default_language else "../",
        }
        config.extra_css.append(_ASSETS["kb.css"])
        config.extra_javascript.append(_ASSETS["kb.js"])
        if not self.site.is_public:
            config.extra_javascript.extend(_WIKI_ASSETS.values())
        else:
            config.extra_javascript.extend(_PUBLIC_ASSETS.values())
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assets = {**_ASSETS, **(_PUBLIC_ASSETS if self.site.is_public else _WIKI_ASSETS)}
        for name, uri in assets.items():
            files.append(File.generated(config, uri, abs_src_path=str(_ASSET_DIR / name)))
        if self.site.is_public:
            files.append(File.generated(config, ARTICLES_JSON, content=article_list(self.site)))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Every value the theme prints reaches it escaped (MkDocs' Jinja has no autoescape): the title shows in
        # the navigation of every page, the <title>, breadcrumbs, footer links and the search index.
        doc = self.site.documents.get(page.file.src_uri)
        if doc is None:  # a generated page: its title is a label kb wrote as front-matter text
            if "title" in page.meta:
                page.meta["title"] = sanitize.text(page.meta["title"])
            return markdown
        # Any other key a writer adds (lint reports it) is text too: the theme reads some, e.g. `author`
        meta = {key: _as_text(value) for key, value in page.meta.items() if key not in _THEME_KEYS}
        meta["title"] = sanitize.text(doc.title)
        if doc.summary:
            meta["description"] = sanitize.text(doc.summary)
        # mkdocs-material's search indexes `tags` with their own weight: the keywords customers use
        # (kb.css hides them in the search results: they are synonyms, not tags to show readers)
        meta["tags"] = [sanitize.text(keyword) for keyword in doc.keywords]
        meta["kb"] = {
            "id": sanitize.text(doc.id),
            "lang": sanitize.text(doc.lang),
            "type": sanitize.text(doc.type),
            "version": sanitize.text(version_of(self.site, doc)),
        }
        experiment = self._experiment(doc)
        if experiment is not None:
            meta["kb"]["experiment"] = variants.declaration(experiment)
        page.meta = meta
        if doc.type not in REPLY_TYPES:  # a macro's (an auto-reply's) body is the reply itself
            markdown += related_section(self.site, doc)
        # The language of the text: a fallback page keeps its own (English) titles
        return localize_admonitions(markdown, doc.lang, self.config.root)

    @event_priority(-50)  # after the theme's own content processing
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        doc = self.site.documents.get(page.file.src_uri)
        if doc is None:  # kb's generated pages: built from escaped values (site_plugins.navigation.pages)
            return html
        html = self._clean(html, page)
        experiment = self._experiment(doc)
        if experiment is not None:
            related = related_section(self.site, doc) if doc.type != "macro" else ""
            self.variant_blocks[page.file.src_uri] = variants.render_variants(
                experiment, page, config, files, self.site.is_public, related, self.config.root
            )
            html = variants.wrap_control(experiment, html)
        heading = ""
        if self.site.is_fallback(doc):
            # Shown in another language than the site's: screen readers must switch voice for the text. The
            # title too, so kb writes the h1 the theme would have (not indexed twice by the search plugin).
            if "<h1" not in html:
                heading = fallback_heading(doc)
            html = fallback_text(doc, html)
        before = notices(self.site, doc, self._url_in(page, self.site.content.default_language))
        if doc.type in REPLY_TYPES:
            html = macro_panel(self.site, doc, html, macro_reply(self.site, doc, self.base_url))
        if not self.site.is_public:
            before = wiki_info(self.site, doc) + before
        if self.site.is_public and doc.type in ("article", "troubleshooting"):
            before = outcome_question(self.site) + before  # auto-reply links lead to these pages
        after = last_updated(self.site, doc, self.config.show_author)
        if self.site.is_public and doc.type in (ContentType.ARTICLE, ContentType.TROUBLESHOOTING):
            after += contact_link(self.site, doc, self.config.contact_url)
        # Joined as plain text: `Markup + str` would escape the page's HTML
        return "".join((heading, before, html, after))

    def _experiment(self, doc: object) -> Experiment | None:
        experiment = self.experiments.get(getattr(doc, "rel", ""))
        return experiment if experiment is not None and experiment.canonical is doc else None

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # The variants join the page after the theme's search plugin has indexed it (on_page_context)
        blocks = self.variant_blocks.pop(page.file.src_uri, None)
        return variants.insert_variants(output, blocks) if blocks is not None else output

    def _clean(self, html: str, page: Page) -> str:
        """The writer's body with only the allowed HTML (kbtools.model.sanitize); what went is a build warning."""
        removed = sanitize.problems(html)
        if removed:
            shown = ", ".join(dict.fromkeys(str(problem) for problem in removed))
            log.warning(
                "Doc file '%s': HTML kb does not publish was removed: %s (see `kb lint` and docs/writers.md)",
                page.file.src_uri,
                shown,
            )
        return sanitize.clean(html)

    def on_page_context(  # type: ignore[override]  # kb's own keys: mkdocs types the context as a closed TypedDict
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict:
        # The same page in each language, when that language's site has it (not a translation whose source is
        # gone, a tag only one language uses...)
        versions = {
            language.code: self._url_in(page, language.code)
            for language in self.site.taxonomy.languages
            if self._exists_in(language.code, page)
        }
        page.meta.setdefault("kb", {})
        # The language switcher: that version, or else the other language's home page
        page.meta["kb"]["alternates"] = [
            {
                "lang": language.code,
                "name": sanitize.text(language.name),
                "link": versions.get(language.code) or self._url_in(page, language.code, ""),
            }
            for language in self.site.taxonomy.languages
        ]
        return context

    def on_template_context(  # type: ignore[override]  # as on_page_context
        self, context: dict[str, Any], *, template_name: str, config: MkDocsConfig
    ) -> dict:
        # The versions of each page in the other languages go in sitemap.xml (hreflang, as search engines read
        # it), not in each page's head: mkdocs-material fetches `sitemap.xml` relative to every
        # <link rel="alternate"> of a page, which for a page URL is a 404 per language on every page view.
        if template_name == "sitemap.xml":
            context["kb_hreflang"] = {
                file.page.url: self._hreflang(file.page)
                for file in context.get("pages") or []
                if file.page is not None and file.page.canonical_url
            }
        return context

    def _hreflang(self, page: Page) -> list[dict[str, str]]:
        """Absolute URL of this page in each language whose site has it (just itself when no other has)."""
        return [
            {"lang": language.code, "href": urljoin(str(page.canonical_url), self._url_in(page, language.code))}
            for language in self.site.taxonomy.languages
            if self._exists_in(language.code, page)
        ]

    def _exists_in(self, lang: str, page: Page) -> bool:
        """Whether the `lang` site of this audience publishes a page at this page's path."""
        if lang == self.site.lang:
            return True
        if lang not in self.pages_in:
            self.pages_in[lang] = page_paths(
                load_site(self.config.root, self.config.audience, lang), self.config.contact_url
            )
        return page.file.src_uri in self.pages_in[lang]

    def _url_in(self, page: Page, lang: str, url: str | None = None) -> str:
        """Relative URL from `page` to `url` (default: the same page) in the site of `lang`."""
        default = self.site.content.default_language
        up = page.url.count("/") + (0 if self.site.lang == default else 1)
        prefix = "" if lang == default else f"{lang}/"
        return posixpath.join("../" * up if up else "./", prefix, page.url if url is None else url) or "./"


def article_list(site: Site) -> str:
    """The articles this help center shows in its language, as JSON for the contact step's static search:
    id, language, title, summary, keywords and URL relative to the help center's root. Only what the pages
    themselves publish (the site shows each of these)."""
    default = site.content.default_language
    entries = [
        {
            "id": doc.id,
            "lang": doc.lang,
            "title": doc.title,
            "summary": doc.summary or "",
            "keywords": list(doc.keywords),
            "url": site_prefix(Audience.PUBLIC, site.lang, default) + page_path(doc.rel),
        }
        for doc in site.documents.values()
    ]
    return json.dumps(entries, ensure_ascii=False)


def _as_text(value: Any) -> Any:
    """A front-matter value with every string in it escaped for the theme (dates and numbers as they are)."""
    if isinstance(value, str):
        return sanitize.text(value)
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_text(item) for key, item in value.items()}
    return value


def _base_url(site_url: str | None, site: Site, root: str) -> str:
    """The base URL of the sites, from this site's `site_url` (kb build sets it: base URL + the site's prefix)."""
    prefix = site_prefix(site.audience, site.lang, site.content.default_language)
    url = normal_base_url(site_url) if site_url else ""
    if url and url.endswith(prefix):
        return url[: len(url) - len(prefix)]
    return site_base_url(Path(root))
