"""What the public help center must never contain: internal files and agent-only blocks."""

from __future__ import annotations

import posixpath

from kbtools.agent_blocks import find_agent_blocks
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
    """`markdown` without its agent-only blocks, found by the renderer's rules (kbtools.agent_blocks)."""
    blocks = find_agent_blocks(markdown)
    if not blocks:
        return markdown
    lines = markdown.split("\n")
    drop = {line - 1 for block in blocks for line in range(block.start, block.end + 1)}
    return "\n".join(text for index, text in enumerate(lines) if index not in drop)
