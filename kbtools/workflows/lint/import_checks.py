"""Checks that imported content needs most: foreign syntax left in a body, aliases, site-absolute links.

Kept apart from file_checks and tree_checks so their rules stay one group (see rules.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from kbtools.model.aliases import alias_conflicts
from kbtools.model.content import ContentSet, Document
from kbtools.model.findings import Finding
from kbtools.model.foreign import find_foreign_syntax
from kbtools.model.schema import alias_path
from kbtools.model.urls import page_url
from kbtools.model.vocabulary import Audience
from kbtools.workflows.lint.file_checks import finding


def check_foreign_syntax(doc: Document) -> Iterator[Finding]:
    for found in find_foreign_syntax(doc.body, doc.body_line):
        yield finding(doc, "foreign-syntax", f"'{found.text}': {found.hint}", found.line)


def check_aliases(content: ContentSet) -> Iterator[Finding]:
    for conflict in alias_conflicts(content):
        yield finding(
            conflict.doc,
            "alias-conflict",
            f"alias '{conflict.alias}' is already {conflict.other}; an old URL redirects to one page",
            conflict.doc.line_of("aliases", str(conflict.index)),
            "aliases",
        )


def site_absolute_hint(doc: Document, href: str, content: ContentSet) -> str:
    """What to write instead of a site-absolute link: the relative .md path when it names a page of this
    knowledge base (by its URL or an alias), else a full URL."""
    import posixpath

    path = alias_path(href)
    default = content.default_language
    for other in content.in_language(doc.lang):
        url = page_url(Audience.PUBLIC, other.lang, other.rel, default).rstrip("/")
        if path in (url, url.removesuffix(".md")) or path in {alias_path(a) for a in other.aliases}:
            relative = posixpath.relpath(other.rel, posixpath.dirname(doc.rel) or ".")
            return f"it points to {other.rel}: link to it as '{relative}'"
    return (
        "no page of this knowledge base is at that path: if it is on another site, write the full URL "
        f"(https://<that site>{href.partition('#')[0]})"
    )
