"""GET /api/v1/search: the agent search index over HTTP. Without credentials only public content comes back;
signed-in agents (the wiki) search everything.

Every query holding a word is logged as a `search` event, for the gap reports: in the language of the `lang`
filter, else `site_lang` (the language of the page the search was made from), else the default language;
with, as `results`, the pages the query finds before the type, category, tag and case-reason filters, so a
search left empty by a filter alone is not reported as missing content. A query with no word at all (only
punctuation or marks) finds nothing and is not logged; one holding control characters is refused (422).
`log=0` leaves a search out of the log: the help center's contact step suggests articles as the customer
describes their problem, and kb keeps none of that text.

With `lang`, the hits are the pages that language's site shows, which includes default-language pages it
shows untranslated (linked at that site's URL): among the best LANGUAGE_FIRST hits, those in `lang` come
first, each group in the engine's order, so a French reader sees the French pages before the English ones
(further hits keep the engine's order; no hit is lost or shown twice across pages).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, jsonify

from kbtools.analytics import store as db
from kbtools.model.errors import KbError
from kbtools.model.vocabulary import Audience, ContentType
from kbtools.service import responses
from kbtools.service.auth import current_agent
from kbtools.service.endpoints import ANYONE_OR_AGENT, endpoint
from kbtools.service.errors import ApiError
from kbtools.service.limits import limiter, rate_limit
from kbtools.service.queries import SearchQuery, invalid_parameters
from kbtools.service.validation import normalise_query

if TYPE_CHECKING:
    from search.results import SearchResults

bp = Blueprint("search_api", __name__)

_FILTERS = ("type", "category", "tag", "case_reason")
LANGUAGE_FIRST = 100  # the best hits among which the page's language comes first (one query: the engine's most)


def _invalid(field: str, message: str) -> ApiError:
    return invalid_parameters([{"field": field, "message": message}])


@bp.get("/api/v1/search")
@limiter.limit(rate_limit)
@endpoint(
    query=SearchQuery,
    answer=responses.SearchResults,
    answer_text="Hits with highlighted snippets.",
    errors={
        422: "Invalid query parameters (an unknown one, a control character in `q`...).",
        429: "Over the per-client rate limit.",
        503: "The search index is not built yet.",
    },
    security=ANYONE_OR_AGENT,
)
def search(query: SearchQuery) -> Response:
    """Search the knowledge base (public content only without credentials)

    Public: without credentials only public pages (no agent notes) come back. Signed-in agents
    (`Authorization: Bearer <token>`, the wiki's sign-in cookie or the trusted single-sign-on header) also
    search internal pages and agent notes, and macros come with their reply. `q` is plain words (no query
    syntax). Every query holding a word is logged as a search event, in the language of `lang`, else
    `site_lang`, else the default language, with the number of pages it finds before the type, category, tag
    and case-reason filters.
    """
    from search import IndexNotFoundError, count_matches
    from search import query as run_query

    text = query.q.strip()
    if not text:
        raise _invalid("q", "give a search of 1 to 200 characters")
    lang, site_lang = query.lang, query.site_lang
    session = query.session or secrets.token_hex(8)
    audience = Audience.INTERNAL.value if current_agent() else Audience.PUBLIC.value
    filters: dict[str, Any] = {name: getattr(query, name) for name in _FILTERS if getattr(query, name)}
    index_dir = Path(current_app.config["KB"]["search_index"])
    page, per_page = query.page, query.per_page

    def run(page: int, per_page: int) -> SearchResults:
        return run_query(
            text, index_dir=index_dir, audience=audience, lang=lang, page=page, per_page=per_page, **filters
        )

    try:
        results = _language_first(run, lang, page, per_page) if lang else run(page, per_page)
        found = count_matches(text, index_dir=index_dir, audience=audience, lang=lang) if filters else results.total
    except IndexNotFoundError:
        raise ApiError(503, "index_unavailable", "the search index is not built yet: run 'kb index'") from None
    except KbError as exc:  # an out-of-range page and the like
        raise _invalid("page", str(exc)) from None
    query_norm = normalise_query(text)
    logged = query.log == 1
    if query_norm and logged:  # a query of no word at all found nothing and says nothing about the content
        logged_lang = lang or site_lang or current_app.extensions["kb"].taxonomy.default_language
        _log(text, query_norm, logged_lang, found, session, audience)
    body = results.to_dict()
    body["audience"] = audience
    if audience == Audience.INTERNAL:
        _attach_replies(body)
    return jsonify(body)


def _language_first(run: Callable[[int, int], SearchResults], lang: str, page: int, per_page: int) -> SearchResults:
    """Page `page` of the hits with, among the best LANGUAGE_FIRST, those in `lang` first."""
    start, end = (page - 1) * per_page, page * per_page
    if start >= LANGUAGE_FIRST:  # past the reordered hits: the engine's own page
        return run(page, per_page)
    best = run(1, LANGUAGE_FIRST)
    hits = sorted(best.hits, key=lambda hit: hit.lang != lang)  # stable: each group keeps its order
    if end > LANGUAGE_FIRST and best.total > LANGUAGE_FIRST:
        hits += run(2, LANGUAGE_FIRST).hits
    return replace(best, page=page, per_page=per_page, hits=hits[start:end])


def _attach_replies(body: dict[str, Any]) -> None:
    """Macros come with their reply text, so the wiki's search page can copy it directly."""
    content = current_app.extensions["kb_catalog"]
    for hit in body.get("hits", []):
        if hit.get("type") == ContentType.MACRO:
            hit["reply"] = content.replies.get((hit["lang"], hit["id"]))


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
