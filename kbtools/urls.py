"""Where a page is published: one URL scheme shared by the site build, search and the service.

The public help center is served at the base URL and the agent wiki under `internal/`; the default
language is at the root of each site and every other language under `<lang>/`; a page `cards/x.md` is at
`cards/x/` (MkDocs' directory URLs).
"""

from __future__ import annotations

INTERNAL_PREFIX = "internal/"


def site_prefix(audience: str, lang: str, default_lang: str) -> str:
    """Path of a site's root relative to the base URL: '', 'fr/', 'internal/', 'internal/fr/'."""
    prefix = INTERNAL_PREFIX if audience == "internal" else ""
    return prefix if lang == default_lang else f"{prefix}{lang}/"


def page_path(rel: str) -> str:
    """Path of a content file's page inside its site: 'cards/x.md' -> 'cards/x/', 'cards/index.md' -> 'cards/'."""
    stem = rel.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index").rstrip("/")
        return f"{stem}/" if stem else ""
    return f"{stem}/"


def page_url(audience: str, lang: str, rel: str, default_lang: str, anchor: str = "") -> str:
    """Path of a page relative to the base URL, e.g. 'fr/cards/card-not-received/#etapes'."""
    url = site_prefix(audience, lang, default_lang) + page_path(rel)
    return f"{url}#{anchor}" if anchor else url
