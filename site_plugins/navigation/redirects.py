"""Redirect pages for `aliases:`: a small HTML page at each old path that sends readers to the page."""

from __future__ import annotations

import posixpath
from pathlib import Path

from kbtools.model.aliases import redirects
from site_plugins.rendering import render
from site_plugins.site import Site


def redirect_html(target: str, canonical: str, title: str, lang: str) -> str:
    return render("redirect.html", target=target, canonical=canonical, title=title, lang=lang)


def write_redirects(site: Site, site_dir: Path, site_url: str) -> list[Path]:
    """Write the redirects of every language's pages this site publishes into the root build `site_dir`.

    Old URLs of any language live under the site's root (Zendesk's /hc/fr/... is not under /fr/), so only
    the source-language build, whose folder is the site's root, writes them. An existing file is never
    replaced: a real page wins over an alias (lint reports the conflict).
    """
    written = []
    root = site_url if site_url.endswith("/") else f"{site_url}/"
    for redirect in redirects(site.content, site.taxonomy, site.audience):
        destination = site_dir / redirect.alias / "index.html"
        if destination.exists():
            continue
        relative = posixpath.relpath(redirect.target or ".", redirect.alias)
        target = relative if relative.endswith("/") else f"{relative}/"
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(
            redirect_html(target, root + redirect.target, redirect.doc.title, redirect.doc.lang), encoding="utf-8"
        )
        written.append(destination)
    return written
