"""What the public help center must never contain: internal files and agent-only blocks."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser

from kbtools.model.agent_blocks import AGENT_CLASS, find_agent_blocks
from site_plugins.site import Site


def removable_files(site: Site, markdown_paths: list[str], asset_paths: list[str]) -> set[str]:
    """Paths (relative to the language folder) that this site must not publish.

    Pages: everything the site does not show. Assets (images, PDFs...): on the public site only those
    linked from a shown page outside agent blocks, so a screenshot of an internal tool never ships.
    """
    shown = site.documents
    remove = {path for path in markdown_paths if path not in shown or shown[path].lang != site.lang}
    if site.is_public and asset_paths:
        linked: set[str] = set()
        for doc in shown.values():
            for link in doc.outline.links:
                if not link.in_agent_block and "://" not in link.target:
                    target = link.target.partition("#")[0]
                    linked.add(posixpath.normpath(posixpath.join(posixpath.dirname(doc.rel), target)))
        remove.update(path for path in asset_paths if path not in linked)
    return remove


def strip_agent_blocks(markdown: str) -> str:
    """`markdown` without its agent-only blocks, found by the renderer's rules (kbtools.model.agent_blocks)."""
    blocks = find_agent_blocks(markdown)
    if not blocks:
        return markdown
    lines = markdown.split("\n")
    drop = {line - 1 for block in blocks for line in range(block.start, block.end + 1)}
    return "\n".join(text for index, text in enumerate(lines) if index not in drop)


class _AgentElements(HTMLParser):
    """Start tags of elements carrying the `agent` class, as written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(value or "" for name, value in attrs if name == "class").split()
        if AGENT_CLASS in classes:
            self.found.append(self.get_starttag_text() or tag)


def agent_elements(html: str) -> list[str]:
    """The elements of a rendered page that the wiki styles as agent notes (their start tags).

    The public build's last line of defence: whatever the Markdown looked like, a public page whose HTML
    still holds one of these must not be published.
    """
    if AGENT_CLASS not in html:
        return []
    parser = _AgentElements()
    parser.feed(html)
    parser.close()
    return parser.found
