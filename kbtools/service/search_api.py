"""GET /api/v1/search: the agent search index over HTTP. Without credentials only public content comes back;
signed-in agents (the wiki) search everything.

Every query holding a word is logged as a `search` event, for the gap reports: in the language of the `lang`
filter, else `site_lang` (the language of the page the search was made from), else the default language;
with, as `results`, the pages the query finds before the type, category, tag and case-reason filters, so a
search left empty by a filter alone is not reported as missing content. A query with no word at all (only
punctuation or marks) finds nothing and is not logged; one holding control characters is refused (422).
`log=0` leaves a search out of the log: the help center's contact step suggests articles as the customer
describes their problem, and kb keeps none of that text.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from kbtools.analytics import store as db
from kbtools.errors import KbError
from kbtools.service.auth import current_agent
from kbtools.service.errors import ApiError
from kbtools.service.limits import limiter, rate_limit
from kbtools.service.validation import normalise_query, text_problem

bp = Blueprint("search_api", __name__)

_PARAMETERS = (
    "q",
    "lang",
    "site_lang",
    "type",
    "category",
    "tag",
    "case_reason",
    "page",
    "per_page",
    "session",
    "log",
)
_FILTERS = ("type", "category", "tag", "case_reason")
_SESSION_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_parameters", "bad query parameters", [{"field": field, "message": message}])


def _int(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise _invalid(name, f"expected a whole number from {low} to {high}")
    return int(value)


@bp.get("/api/v1/search")
@limiter.limit(rate_limit)
def search() -> Response:
    from search import IndexNotFoundError, count_matches
    from search import query as run_query

    unknown = sorted(set(request.args) - set(_PARAMETERS))
    if unknown:
        raise _invalid(unknown[0][:100], f"unknown parameter; expected {', '.join(_PARAMETERS)}")
    text = request.args.get("q", "").strip()
    if not text or len(text) > 200:
        raise _invalid("q", "give a search of 1 to 200 characters")
    problem = text_problem(text)
    if problem:
        raise _invalid("q", problem)
    lang, site_lang = _language("lang"), _language("site_lang")
    session = request.args.get("session", secrets.token_hex(8))
    if not 8 <= len(session) <= 64 or not set(session) <= _SESSION_CHARS:
        raise _invalid("session", "8 to 64 characters of A-Z, a-z, 0-9, _ and -")
    audience = "internal" if current_agent() else "public"
    filters: dict[str, Any] = {name: request.args[name] for name in _FILTERS if request.args.get(name)}
    index_dir = Path(current_app.config["KB"]["search_index"])
    try:
        results = run_query(
            text,
            index_dir=index_dir,
            audience=audience,
            lang=lang,
            page=_int("page", 1, 1, 1000),
            per_page=_int("per_page", 10, 1, 50),
            **filters,
        )
        found = count_matches(text, index_dir=index_dir, audience=audience, lang=lang) if filters else results.total
    except IndexNotFoundError:
        raise ApiError(503, "index_unavailable", "the search index is not built yet: run 'kb index'") from None
    except KbError as exc:  # an out-of-range page and the like
        raise _invalid("page", str(exc)) from None
    query_norm = normalise_query(text)
    logged = _int("log", 1, 0, 1) == 1
    if query_norm and logged:  # a query of no word at all found nothing and says nothing about the content
        logged_lang = lang or site_lang or current_app.extensions["kb"].taxonomy.default_language
        _log(text, query_norm, logged_lang, found, session, audience)
    body = results.to_dict()
    body["audience"] = audience
    if audience == "internal":
        _attach_replies(body)
    return jsonify(body)


def _attach_replies(body: dict[str, Any]) -> None:
    """Macros come with their reply text, so the wiki's search page can copy it directly."""
    content = current_app.extensions["kb_catalog"]
    for hit in body.get("hits", []):
        if hit.get("type") == "macro":
            hit["reply"] = content.replies.get((hit["lang"], hit["id"]))


def _language(name: str) -> str | None:
    value = request.args.get(name)
    if value is not None and value not in current_app.extensions["kb_catalog"].languages:
        raise _invalid(name, f"not a language of this knowledge base: {value[:20]!r}")
    return value


def _log(text: str, query_norm: str, lang: str, total: int, session: str, audience: str) -> None:
    row = {
        "type": "search",
        "article": None,
        "lang": lang,
        "version": None,
        "site": audience,
        "session": session,
        "query": text,
        "query_norm": query_norm,
        "results": total,
        "created_at": datetime.now(UTC),
    }
    try:
        with current_app.extensions["kb_engine"].begin() as connection:
            db.insert_events(connection, [row])
    except Exception:  # a search must answer even when the event store does not
        current_app.logger.exception("could not log a search")
