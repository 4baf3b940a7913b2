"""Old URLs of pages (`aliases:` front-matter): which page each one redirects to, per site.

One definition for lint (conflicts) and the build (redirect pages): an alias is a folder path from the root of
a site, and it is published only on the sites that publish its page, so an internal page's old URL never
appears on the public help center.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kbtools.model.content import ContentSet, Document
from kbtools.model.publishing import published
from kbtools.model.schema import alias_path
from kbtools.model.taxonomy import Taxonomy
from kbtools.model.urls import page_url
from kbtools.model.vocabulary import Audience


@dataclass(frozen=True)
class Redirect:
    alias: str  # folder path from the site's root, no leading or trailing slash
    doc: Document
    target: str  # the page's path from the same root, e.g. 'fr/cards/x/'


def redirects(content: ContentSet, taxonomy: Taxonomy, audience: str) -> list[Redirect]:
    """Every alias the `audience` site publishes, first page wins (lint reports the others)."""
    found: dict[str, Redirect] = {}
    default = taxonomy.default_language
    pages = {page_url(Audience.PUBLIC, doc.lang, doc.rel, default) for doc in published(content, taxonomy, audience)}
    source_first = sorted(published(content, taxonomy, audience), key=lambda d: d.lang != default)
    for doc in source_first:
        for alias in doc.aliases:
            path = alias_path(alias)
            if path and f"{path}/" not in pages:
                found.setdefault(path, Redirect(path, doc, page_url(Audience.PUBLIC, doc.lang, doc.rel, default)))
    return list(found.values())


@dataclass(frozen=True)
class AliasConflict:
    doc: Document
    index: int
    alias: str
    other: str  # what already uses it: 'en/cards/x.md' or 'the page en/cards/x.md'


def alias_conflicts(content: ContentSet) -> Iterator[AliasConflict]:
    """Aliases two files share, or that are the path of a page: one would silently hide the other."""
    default = content.default_language
    pages = {(page_url(Audience.PUBLIC, doc.lang, doc.rel, default)).rstrip("/"): doc for doc in content}
    owners: dict[str, Document] = {}
    for doc in content:
        for index, alias in enumerate(doc.aliases):
            path = alias_path(alias)
            page = pages.get(path)
            if page is not None:
                yield AliasConflict(doc, index, alias, f"the page {page.lang}/{page.rel}")
                continue
            first = owners.setdefault(path, doc)
            if first.id != doc.id:  # a translation may keep its source's old URL: it redirects to the source
                yield AliasConflict(doc, index, alias, f"{first.lang}/{first.rel}")
