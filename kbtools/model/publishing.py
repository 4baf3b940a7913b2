"""What each audience sees of the content, and where it is published, for exports and change digests.

The same rules as the site build: only published files; the public sees public pages of public categories,
never an SOP, macro or auto-reply (whatever its audience says) and never an agent-only block; a translation is
never more public than its source.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from kbtools.model.content import ContentSet, Document
from kbtools.model.errors import ContentError
from kbtools.model.experiments import is_variant
from kbtools.model.links import LinkError, resolve
from kbtools.model.project import MKDOCS_FILE
from kbtools.model.taxonomy import Taxonomy
from kbtools.model.urls import page_url, site_prefix
from kbtools.model.vocabulary import INTERNAL_ONLY_TYPES, Audience, Status
from kbtools.model.yamlsource import check_shape

DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running its `!!python/name:` and `!ENV` tags (they become None)."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def site_base_url(root: Path) -> str:
    """The URL the sites are served from: mkdocs.yml `site_url`, ending with '/'."""
    path = root / MKDOCS_FILE
    try:
        text = path.read_text(encoding="utf-8") if not path.is_symlink() else ""
        check_shape(text, path)  # aliases and deep nesting: kb lint reports them, here they are not read
        data = yaml.load(text, Loader=_TolerantLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ContentError):
        data = None
    url = data.get("site_url") if isinstance(data, dict) else None
    return normal_base_url(url if isinstance(url, str) and url else DEFAULT_BASE_URL)


def normal_base_url(url: str) -> str:
    return url if url.endswith("/") else f"{url}/"


def shows_source_instead(content: ContentSet, source: Document, lang: str) -> bool:
    """Whether `lang`'s site shows the source page `source` (with a notice): it has no translation there yet, or
    only a draft (`kb translations scaffold` writes them). The one rule of the build, search and exports."""
    translation = content.get(lang, source.rel)
    return translation is None or translation.status == Status.DRAFT


def is_visible(doc: Document, audience: str, taxonomy: Taxonomy) -> bool:
    """Whether the site for `audience` publishes `doc` (on its own: see `published` for translations)."""
    if not doc.is_published:
        return False
    if is_variant(doc):  # an experiment's variant is served inside its canonical page, never on its own
        return False
    if audience == Audience.INTERNAL:
        return True
    if doc.type in INTERNAL_ONLY_TYPES:  # SOPs, macros, auto-replies: whatever their audience says (lint refuses it)
        return False
    category = taxonomy.categories.get(doc.category)
    return doc.is_public and category is not None and category.audience == Audience.PUBLIC


def published(content: ContentSet, taxonomy: Taxonomy, audience: str, lang: str | None = None) -> list[Document]:
    """Documents the `audience` site publishes (in `lang` only, when given), in content order."""
    found = []
    for doc in content:
        if lang is not None and doc.lang != lang:
            continue
        if not is_visible(doc, audience, taxonomy):
            continue
        source = content.source_of(doc)
        if source is not None and not is_visible(source, audience, taxonomy):
            continue
        found.append(doc)
    return found


def absolute_url(base_url: str, audience: str, doc: Document, default_lang: str, anchor: str = "") -> str:
    return normal_base_url(base_url) + page_url(audience, doc.lang, doc.rel, default_lang, anchor)


def visible_lines(doc: Document, audience: str) -> list[tuple[int, str]]:
    """(file line, text) of the body lines `audience` reads: agent-only blocks dropped for the public."""
    hidden: set[int] = set()
    if audience == Audience.PUBLIC:
        for block in doc.outline.agent_blocks:
            hidden.update(range(block.start, block.end + 1))
    return [
        (doc.body_line + offset, text)
        for offset, text in enumerate(doc.body.split("\n"))
        if doc.body_line + offset not in hidden
    ]


def with_absolute_links(
    doc: Document,
    lines: list[tuple[int, str]],
    content: ContentSet,
    taxonomy: Taxonomy,
    base_url: str,
    audience: str,
) -> list[tuple[int, str]]:
    """`lines` with relative links to pages and files replaced by their published URLs.

    Text leaving the site (a helpdesk reply, a chatbot answer) cannot use relative links. A page is linked
    on the public help center when it is public, else on the agent wiki.
    """
    default = content.default_language
    by_line: dict[int, list[tuple[str, str]]] = {}
    for link in doc.outline.links:
        url = _published_link(doc, link.target, content, taxonomy, base_url, audience, default)
        if url is not None:
            by_line.setdefault(link.line, []).append((link.target, url))
    result = []
    for number, text in lines:
        for target, url in by_line.get(number, []):
            text = text.replace(f"]({target})", f"]({url})").replace(f"]({target} ", f"]({url} ")
        result.append((number, text))
    return result


def _published_link(
    doc: Document, href: str, content: ContentSet, taxonomy: Taxonomy, base_url: str, audience: str, default: str
) -> str | None:
    try:
        target = resolve(doc.rel, href)
    except LinkError:
        return None
    if target is None:  # an external link already
        return None
    if not target.rel:
        return absolute_url(base_url, audience, doc, default, target.anchor)
    if not target.is_page:
        return normal_base_url(base_url) + site_prefix(audience, doc.lang, default) + target.rel
    page = content.get(doc.lang, target.rel) or content.get(default, target.rel)
    if page is None:
        return None
    where = Audience.PUBLIC.value if is_visible(page, Audience.PUBLIC, taxonomy) else Audience.INTERNAL.value
    return absolute_url(base_url, where, page, default, target.anchor)
