"""GET /api/v1/search: the agent search index over HTTP. Without credentials only public content comes back;
signed-in agents (the wiki) search everything. Every query is logged as a `search` event with its result count."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from kbtools.errors import KbError
from kbtools.service import db
from kbtools.service.auth import current_agent
from kbtools.service.errors import ApiError
from kbtools.service.limits import limiter, rate_limit
from kbtools.service.validation import normalise_query

bp = Blueprint("search_api", __name__)

_PARAMETERS = ("q", "lang", "type", "category", "tag", "case_reason", "page", "per_page", "session")
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
    from search import IndexNotFoundError
    from search import query as run_query

    unknown = sorted(set(request.args) - set(_PARAMETERS))
    if unknown:
        raise _invalid(unknown[0], f"unknown parameter; expected {', '.join(_PARAMETERS)}")
    text = request.args.get("q", "").strip()
    if not text or len(text) > 200:
        raise _invalid("q", "give a search of 1 to 200 characters")
    lang = request.args.get("lang")
    if lang is not None and lang not in current_app.extensions["kb_catalog"].languages:
        raise _invalid("lang", f"not a language of this knowledge base: {lang!r}")
    session = request.args.get("session") or secrets.token_hex(8)
    if not 8 <= len(session) <= 64 or not set(session) <= _SESSION_CHARS:
        raise _invalid("session", "8 to 64 characters of A-Z, a-z, 0-9, _ and -")
    audience = "internal" if current_agent() else "public"
    filters: dict[str, Any] = {
        name: request.args[name] for name in ("type", "category", "tag", "case_reason") if request.args.get(name)
    }
    try:
        results = run_query(
            text,
            index_dir=Path(current_app.config["KB"]["search_index"]),
            audience=audience,
            lang=lang,
            page=_int("page", 1, 1, 1000),
            per_page=_int("per_page", 10, 1, 50),
            **filters,
        )
    except IndexNotFoundError:
        raise ApiError(503, "index_unavailable", "the search index is not built yet: run 'kb index'") from None
    except KbError as exc:  # an out-of-range page and the like
        raise _invalid("page", str(exc)) from None
    _log(text, lang or current_app.extensions["kb"].taxonomy.default_language, results.total, session, audience)
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


def _log(text: str, lang: str, total: int, session: str, audience: str) -> None:
    row = {
        "type": "search",
        "article": None,
        "lang": lang,
        "version": None,
        "site": audience,
        "session": session,
        "query": text,
        "query_norm": normalise_query(text),
        "results": total,
        "created_at": datetime.now(UTC),
    }
    try:
        with current_app.extensions["kb_engine"].begin() as connection:
            db.insert_events(connection, [row])
    except Exception:  # a search must answer even when the event store does not
        current_app.logger.exception("could not log a search")
