"""GET /api/v1/popular: the help center's most viewed articles in one language over the last 30 days, for its
home page. Anonymous and public: only pages the help center publishes come back (an article shown untranslated
on that language's site counts there too, at the URL that site serves it), as id, title, URL and views; no
session, no internal page. Each answer is cached in the worker for a few minutes and marked cacheable for
browsers and CDNs: every home page view asks, and the list need not be fresher than that.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from kbtools.analytics.metrics import most_viewed_public
from kbtools.model.urls import page_path, site_prefix
from kbtools.model.vocabulary import Audience
from kbtools.service.endpoints import ANYONE, endpoint
from kbtools.service.limits import limiter, rate_limit
from kbtools.service.queries import POPULAR_DAYS as DAYS
from kbtools.service.queries import PopularQuery
from kbtools.service.responses import Popular

bp = Blueprint("popular", __name__)

PATH = "/api/v1/popular"


class _Cache:
    """Answers per (lang, limit) until they expire; one per app (each worker process has its own)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}


@bp.get(PATH)
@limiter.limit(rate_limit)
@endpoint(
    query=PopularQuery,
    answer=Popular,
    answer_text="Most viewed first.",
    errors={
        422: "Invalid query parameters (an unknown one or language, a limit out of range).",
        429: "Over the per-client rate limit.",
    },
    security=ANYONE,
    description=f"Public, anonymous: the home page shows them. Only help-center articles; views of the help center "
    f"in that language over the last {DAYS} days, most viewed first. Cached for KB_POPULAR_CACHE_SECONDS "
    "(default 5 minutes; Cache-Control: public, max-age).",
)
def popular(query: PopularQuery) -> Response:
    """The help center's most viewed articles in a language (last 30 days)"""
    kb = current_app.extensions["kb"]
    lang, limit = query.lang or kb.taxonomy.default_language, query.limit
    cache = current_app.extensions.setdefault("kb_popular_cache", _Cache())
    seconds = current_app.config["KB"]["popular_cache_seconds"]  # KB_POPULAR_CACHE_SECONDS, default 300
    now = time.monotonic()
    with cache.lock:
        cached = cache.answers.get((lang, limit))
    if cached is None or cached[0] <= now:
        cached = (now + seconds, most_viewed(lang, limit))
        with cache.lock:
            cache.answers[(lang, limit)] = cached
    response = jsonify(cached[1])
    response.headers["Cache-Control"] = f"public, max-age={max(0, int(cached[0] - now))}"
    return response


def most_viewed(lang: str, limit: int) -> dict[str, Any]:
    """The body: the `limit` articles of the `lang` help center with the most views in the last DAYS days."""
    catalog = current_app.extensions["kb_catalog"]
    default = current_app.extensions["kb"].taxonomy.default_language
    since = datetime.now(UTC) - timedelta(days=DAYS)
    articles = []
    for article, views in most_viewed_public(current_app.extensions["kb_engine"], lang, since):
        shown = _shown_as(catalog, article, lang, default)
        if shown is None:  # no longer published, now internal, or renamed
            continue
        title, rel = shown
        url = site_prefix(Audience.PUBLIC, lang, default) + page_path(rel)
        articles.append({"id": article, "title": title, "url": url, "views": views})
        if len(articles) == limit:
            break
    return {"lang": lang, "days": DAYS, "articles": articles}


def _shown_as(catalog: Any, article: str, lang: str, default: str) -> tuple[str, str] | None:
    """(title, path) of `article` as the `lang` help center shows it: its translation, or the source page
    when the site shows that untranslated; None when the help center does not publish it."""
    for source in (lang, default):
        if catalog.has(source, article, Audience.PUBLIC):
            return catalog.titles[(source, article)], catalog.paths[(source, article)]
        if (source, article) in catalog.titles:  # published, but not on the help center
            return None
    return None
