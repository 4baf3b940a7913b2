"""POST /api/v1/events: page views, votes, searches, contact clicks and macro copies from the sites."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from kbtools.analytics import store as db
from kbtools.model.vocabulary import Site
from kbtools.service.auth import current_agent
from kbtools.service.endpoints import endpoint
from kbtools.service.errors import ApiError
from kbtools.service.limits import limiter, rate_limit
from kbtools.service.responses import Accepted, Health
from kbtools.service.schemas import MAX_BODY_BYTES, EventsBody
from kbtools.service.validation import AgentOnly, InvalidEvents, normalise_query, parse_events

bp = Blueprint("events", __name__)

# sendBeacon sends text/plain (no CORS preflight); programs send application/json.
ACCEPTED_TYPES = ("application/json", "text/plain")
_CHUNK = 16 * 1024
MAX_DEPTH = 32


@bp.get("/api/v1/health")
@endpoint(answer=Health, answer_text="The service is up.", errors={})
def health() -> Response:
    """Liveness check for load balancers

    A constant answer (also the load benchmark's baseline).
    """
    return jsonify({"status": "ok"})


EVENT_ERRORS = {
    400: "The body is not JSON, or nests arrays or objects more than 32 levels deep.",
    403: "An event says it comes from the agent wiki (site: internal) but the request is not signed in (wiki "
    "session, bearer token or trusted header).",
    413: "The body is over 64 KiB (with a Content-Length or chunked).",
    415: "Not application/json or text/plain.",
    422: "Invalid events; `errors` lists every bad field of every event at once. A `lang` and an `article` must be "
    "a language and a published page of this knowledge base (a `macro_used` event's, a macro). A `query` or "
    "`comment` may not hold NUL or other control characters (tab and line breaks are fine) or unpaired surrogates.",
    429: "Over the per-client rate limit.",
    503: "The event store is unavailable; nothing was stored: retry later.",
}


@bp.post("/api/v1/events")
@limiter.limit(rate_limit)
@endpoint(
    body=EventsBody,
    body_types=("text/plain",),
    answer=Accepted,
    answer_text="Stored.",
    status=202,
    errors=EVENT_ERRORS,
)
def post_events() -> tuple[Response, int]:
    """Record one event or a batch of up to 50

    Public: the sites send page views, votes, searches, contact clicks and macro copies. Nothing from a
    request is stored unless every event in it is valid.
    """
    if request.mimetype not in ACCEPTED_TYPES:
        raise ApiError(415, "unsupported_media_type", "send JSON as application/json or text/plain")
    raw = read_body(MAX_BODY_BYTES)
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from None
    except RecursionError:
        raise ApiError(400, "malformed_json", "the body is not valid JSON: nested too deeply") from None
    if too_deep(payload, MAX_DEPTH):  # events are 3 levels deep; deeper values would only slow the checks down
        raise ApiError(400, "malformed_json", f"the body nests arrays or objects more than {MAX_DEPTH} levels deep")
    try:
        rows = parse_events(payload, current_app.extensions["kb_catalog"], signed_in=current_agent() is not None)
    except AgentOnly:
        message = "events from the agent wiki (site: internal) need the wiki's sign-in"
        raise ApiError(403, "agent_only", message) from None
    except InvalidEvents as exc:
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
        raise ApiError(422, "invalid_events", "nothing was stored: fix these fields", errors) from None
    votes = [_vote_row(row) for row in rows if row["type"] == "vote"]
    others = [_event_row(row) for row in rows if row["type"] != "vote"]
    try:
        with db.writing(current_app.extensions["kb_engine"]) as connection:  # all or nothing
            db.insert_events(connection, others)
            db.upsert_votes(connection, votes)
    except db.StoreError:
        current_app.logger.exception("could not store events")
        raise ApiError(503, "storage_unavailable", "events could not be stored; retry later") from None
    return jsonify({"accepted": len(rows)}), 202


def too_deep(value: object, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels in `value` (without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def read_body(limit: int) -> bytes:
    """The request body, or a 413 when it is over `limit` bytes, whatever the transfer encoding.

    Werkzeug refuses a Content-Length over MAX_CONTENT_LENGTH, but a chunked body has none: the server
    (gunicorn) marks its input as terminated and Werkzeug would stop reading at the limit without saying
    so. So read at most limit + 1 bytes ourselves and check. A body without a length from a server that
    does not terminate its input cannot be read safely: Werkzeug gives it as empty (a 400 below).
    """
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    environ = request.environ
    if request.content_length is None and environ.get("wsgi.input_terminated"):
        stream = environ["wsgi.input"]  # the server ends it at the end of the chunked body
    else:
        stream = request.stream  # bounded by Content-Length
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise RequestEntityTooLarge()
    return b"".join(chunks)


def _event_row(row: dict) -> dict:
    query = row.get("query")
    return {
        "type": row["type"],
        "article": row.get("article"),
        "lang": row["lang"],
        "version": row.get("version"),
        "site": row.get("site", Site.PUBLIC.value),
        "session": row["session"],
        "query": query,
        "query_norm": normalise_query(query) if query else None,
        "results": row.get("results"),
        "created_at": row["created_at"],
        "experiment": row.get("experiment"),
        "variant": row.get("variant"),
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
        "site": row.get("site", Site.PUBLIC.value),
        "created_at": row["created_at"],
        "experiment": row.get("experiment"),
        "variant": row.get("variant"),
    }
