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

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import func, select

from kbtools.service.db import events
from kbtools.service.errors import ApiError
from kbtools.service.limits import limiter, rate_limit
from kbtools.urls import page_path, site_prefix

bp = Blueprint("popular", __name__)

PATH = "/api/v1/popular"
DAYS = 30
DEFAULT_LIMIT, MAX_LIMIT = 6, 20
_PARAMETERS = ("lang", "limit")


class _Cache:
    """Answers per (lang, limit) until they expire; one per app (each worker process has its own)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_parameters", "bad query parameters", [{"field": field, "message": message}])


def parameters(args: Any, languages: set[str], default_lang: str) -> tuple[str, int]:
    """(lang, limit) from the query string; ApiError 422 naming the field for anything else."""
    unknown = sorted(set(args) - set(_PARAMETERS))
    if unknown:
        raise _invalid(unknown[0][:100], f"unknown parameter; expected {', '.join(_PARAMETERS)}")
    lang = args.get("lang", default_lang)
    if lang not in languages:
        raise _invalid("lang", f"not a language of this knowledge base: {lang[:20]!r}")
    limit = args.get("limit", str(DEFAULT_LIMIT))
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_LIMIT:
        raise _invalid("limit", f"expected a whole number from 1 to {MAX_LIMIT}")
    return lang, int(limit)


@bp.get(PATH)
@limiter.limit(rate_limit)
def popular() -> Response:
    kb = current_app.extensions["kb"]
    catalog = current_app.extensions["kb_catalog"]
    lang, limit = parameters(request.args, catalog.languages, kb.taxonomy.default_language)
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
    views = func.count().label("views")
    query = (
        select(events.c.article, views)
        .where(
            events.c.type == "view",
            events.c.lang == lang,
            func.coalesce(events.c.site, "public") == "public",
            events.c.created_at >= since,
        )
        .group_by(events.c.article)
        .order_by(views.desc(), events.c.article)
    )
    articles = []
    with current_app.extensions["kb_engine"].connect() as connection:
        for row in connection.execute(query):
            shown = _shown_as(catalog, row.article, lang, default)
            if shown is None:  # no longer published, now internal, or renamed
                continue
            title, rel = shown
            url = site_prefix("public", lang, default) + page_path(rel)
            articles.append({"id": row.article, "title": title, "url": url, "views": row.views})
            if len(articles) == limit:
                break
    return {"lang": lang, "days": DAYS, "articles": articles}


def _shown_as(catalog: Any, article: str, lang: str, default: str) -> tuple[str, str] | None:
    """(title, path) of `article` as the `lang` help center shows it: its translation, or the source page
    when the site shows that untranslated; None when the help center does not publish it."""
    for source in (lang, default):
        if catalog.has(source, article, "public"):
            return catalog.titles[(source, article)], catalog.paths[(source, article)]
        if (source, article) in catalog.titles:  # published, but not on the help center
            return None
    return None


def openapi_operation(language_schema: dict[str, Any], error: Any, query: Any) -> dict[str, Any]:
    """This route in the OpenAPI document (openapi.py passes its helpers)."""
    article = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "url": {"type": "string", "description": "Relative to the help center's root, e.g. 'fr/cards/x/'."},
            "views": {"type": "integer", "minimum": 1},
        },
        "required": ["id", "title", "url", "views"],
        "additionalProperties": False,
    }
    body = {
        "type": "object",
        "properties": {
            "lang": {"type": "string"},
            "days": {"type": "integer"},
            "articles": {"type": "array", "items": article},
        },
        "required": ["lang", "days", "articles"],
        "additionalProperties": False,
    }
    return {
        "get": {
            "summary": "The help center's most viewed articles in a language (last 30 days)",
            "description": "Public, anonymous: the home page shows them. Only help-center articles; views of the "
            f"help center in that language over the last {DAYS} days, most viewed first. Cached for "
            "KB_POPULAR_CACHE_SECONDS (default 5 minutes; Cache-Control: public, max-age).",
            "security": [{}],
            "parameters": [
                query(
                    "lang", "The reader's language; default: the knowledge base's default language.", language_schema
                ),
                query("limit", "How many articles.", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
            ],
            "responses": {
                "200": {"description": "Most viewed first.", "content": {"application/json": {"schema": body}}},
                "422": error("Invalid query parameters (an unknown one or language, a limit out of range)."),
                "429": error("Over the per-client rate limit."),
            },
        }
    }
