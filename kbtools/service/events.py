"""POST /api/v1/events: page views, votes, searches, contact clicks and macro copies from the sites."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from kbtools.service import db
from kbtools.service.errors import ApiError
from kbtools.service.limits import limiter, rate_limit
from kbtools.service.validation import InvalidEvents, normalise_query, parse_events

bp = Blueprint("events", __name__)

# sendBeacon sends text/plain (no CORS preflight); programs send application/json.
ACCEPTED_TYPES = ("application/json", "text/plain")


@bp.get("/api/v1/health")
def health() -> Response:
    """Constant answer for load balancers (and the load benchmark's baseline)."""
    return jsonify({"status": "ok"})


@bp.post("/api/v1/events")
@limiter.limit(rate_limit)
def post_events() -> tuple[Response, int]:
    if request.mimetype not in ACCEPTED_TYPES:
        raise ApiError(415, "unsupported_media_type", "send JSON as application/json or text/plain")
    raw = request.get_data(cache=False)  # Werkzeug stops at MAX_CONTENT_LENGTH with a 413
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from None
    try:
        rows = parse_events(payload, current_app.extensions["kb_catalog"])
    except InvalidEvents as exc:
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
        raise ApiError(422, "invalid_events", "nothing was stored: fix these fields", errors) from None
    votes = [_vote_row(row) for row in rows if row["type"] == "vote"]
    others = [_event_row(row) for row in rows if row["type"] != "vote"]
    try:
        with current_app.extensions["kb_engine"].begin() as connection:  # all or nothing
            db.insert_events(connection, others)
            db.upsert_votes(connection, votes)
    except SQLAlchemyError:
        current_app.logger.exception("could not store events")
        raise ApiError(503, "storage_unavailable", "events could not be stored; retry later") from None
    return jsonify({"accepted": len(rows)}), 202


def _event_row(row: dict) -> dict:
    query = row.get("query")
    return {
        "type": row["type"],
        "article": row.get("article"),
        "lang": row["lang"],
        "version": row.get("version"),
        "site": row.get("site", "public"),
        "session": row["session"],
        "query": query,
        "query_norm": normalise_query(query) if query else None,
        "results": row.get("results"),
        "created_at": row["created_at"],
    }


def _vote_row(row: dict) -> dict:
    return {
        "session": row["session"],
        "article": row["article"],
        "lang": row["lang"],
        "version": row.get("version"),
        "helpful": row["helpful"],
        "reason": row.get("reason"),
        "comment": row.get("comment"),
        "created_at": row["created_at"],
    }
