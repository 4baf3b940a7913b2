"""Resolving a Markdown link in a content file to the file (and heading) it points at."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class LinkTarget:
    rel: str  # path inside the language folder ("" for a link to a heading of the same page)
    anchor: str

    @property
    def is_page(self) -> bool:
        return self.rel.endswith(".md") or not self.rel


class LinkError(ValueError):
    """The link cannot point anywhere inside the knowledge base."""


def resolve(source_rel: str, href: str) -> LinkTarget | None:
    """The target of `href` written in the file at `source_rel`; None for external links (http:, mailto:)."""
    if _SCHEME.match(href) or href.startswith("//"):
        return None
    path, _, anchor = href.partition("#")
    path = unquote(path.split("?", 1)[0])
    if not path:
        return LinkTarget("", anchor)
    if path.startswith("/"):
        raise LinkError("is site-absolute: such links break in other languages and on the wiki")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source_rel), path))
    if joined.startswith("../") or joined == "..":
        raise LinkError("points outside this language's content folder")
    return LinkTarget(joined, anchor)
