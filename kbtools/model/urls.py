"""Where a page is published: one URL scheme shared by the site build, search and the service.

The public help center is served at the base URL and the agent wiki under `internal/`; the default
language is at the root of each site and every other language under `<lang>/`; a page `cards/x.md` is at
`cards/x/` (MkDocs' directory URLs).
"""

from __future__ import annotations

from kbtools.model.vocabulary import Audience

INTERNAL_PREFIX = "internal/"


def site_prefix(audience: str, lang: str, default_lang: str) -> str:
    """Path of a site's root relative to the base URL: '', 'fr/', 'internal/', 'internal/fr/'."""
    prefix = INTERNAL_PREFIX if audience == Audience.INTERNAL else ""
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


# Paths at the root of each site that kb's build writes itself (generated pages, the theme's files): a
# category or page published there would be replaced by, or replace, what the build writes. The build names
# its pages from these; `kb lint` (reserved-path) refuses content at them. Each other language's site is
# under its code, so language codes are reserved too (`reserved_paths`).
TAGS_DIR = "tags"  # the tag pages
CONTACT_DIR = "contact"  # the help center's contact step
SEARCH_DIR = "search"  # the wiki's search page; the theme's search index (search/search_index.json)
ASSETS_DIR = "assets"  # the theme's and kb's scripts, styles and the article list
GENERATED_PATHS = (TAGS_DIR, CONTACT_DIR, SEARCH_DIR, ASSETS_DIR, "404", "404.html", "sitemap.xml", "sitemap.xml.gz")


def reserved_paths(language_codes: list[str]) -> set[str]:
    """First path segments no category or page may take: what the build generates, and the language folders."""
    return set(GENERATED_PATHS) | set(language_codes)


def first_segment(rel: str) -> str:
    """The first segment of the URL a content file is published at: 'cards/x.md' -> 'cards', 'index.md' -> ''."""
    return page_path(rel).split("/", 1)[0]
