"""Interface text of the generated pages and page decorations, per language (English is the fallback).

The texts are data (kbtools.model.site_strings): kb's `kbtools/strings/<lang>.yml`, extended by the knowledge base's
`content/strings/<lang>.yml`; mkdocs-material translates its own.
"""

from __future__ import annotations

from pathlib import Path

from kbtools.model.site_strings import site_strings
from kbtools.model.vocabulary import FEEDBACK_REASONS

__all__ = ["FEEDBACK_REASONS", "strings"]


def strings(lang: str, kb_root: str | Path) -> dict[str, str]:
    """Every interface string in `lang` for the knowledge base at `kb_root`."""
    return site_strings(str(kb_root)).texts(lang)
