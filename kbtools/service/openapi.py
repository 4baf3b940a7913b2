"""The OpenAPI 3 description of the whole API, assembled from the same schemas the validator uses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from kbtools import __version__
from kbtools.service import popular
from kbtools.service.schemas import BATCH_SCHEMA, ERROR_SCHEMA, EVENT_SCHEMAS

bp = Blueprint("openapi", __name__)


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_PERIOD = [
    _query("from", "First day (YYYY-MM-DD); default: 30 days before 'to'.", {"type": "string", "format": "date"}),
    _query("to", "Last day (YYYY-MM-DD); default: today.", {"type": "string", "format": "date"}),
]
_AUTH_ERRORS = {
    "401": _error("Not signed in."),
    "422": _error(
        "Invalid query parameters: an unknown parameter or language, a value not among those listed, a date "
        "that is not YYYY-MM-DD or is outside 1970-01-01 to 9999-12-30, 'from' after 'to'."
    ),
}
_OBJECT = {"type": "object", "additionalProperties": True}
_INTEGER = {"type": "integer", "minimum": 0}
_RATE = {"type": "number", "minimum": 0, "maximum": 1, "nullable": True}
_SITES = ["public", "internal", "all"]


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _report(**properties: Any) -> dict[str, Any]:
    """A report's body: its period (both days included), its language filter, then `properties`."""
    return _object(
        {
            "from": {"type": "string", "format": "date", "description": "First day of the period."},
            "to": {"type": "string", "format": "date", "description": "Last day of the period (included)."},
            "lang": {"type": "string", "nullable": True, "description": "The language asked for; null: all."},
            **properties,
        }
    )


def _counts(**extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "views": _INTEGER,
        "sessions": _INTEGER,
        "votes_up": _INTEGER,
        "votes_down": _INTEGER,
        "contact_sessions": _INTEGER,
        "helpful_rate": _RATE,
        "helpful_lower_bound": _RATE,
        "contact_rate": _RATE,
    }


def _report_schemas() -> dict[str, Any]:
    """Bodies of the JSON reports."""
    deflection_row = {
        "sessions": _INTEGER,
        "view_sessions": _INTEGER,
        "contact_sessions": _INTEGER,
        "deflection_rate": {"type": "number", "maximum": 1, "nullable": True},
        "self_service_score": {"type": "number", "minimum": 0, "nullable": True},
        "contact_step_sessions": _INTEGER,
        "contact_step_answer_sessions": _INTEGER,
        "contact_step_deflected_sessions": _INTEGER,
        "contact_step_deflection_rate": _RATE,
    }
    page = {"article": {"type": "string"}, "lang": {"type": "string"}}
    title = {"type": "string", "nullable": True, "description": "Null when the page is no longer published."}
    return {
        "ArticleStats": _report(
            site={"type": "string", "enum": _SITES, "description": "The site counted."},
            articles={
                "type": "array",
                "items": _object(
                    _counts(
                        **page,
                        title=title,
                        versions={
                            "type": "array",
                            "description": "The same statistics per version (commit) of the page.",
                            "items": _object(_counts(version={"type": "string", "nullable": True})),
                        },
                    )
                ),
            },
        ),
        "MacroStats": _report(
            macros={
                "type": "array",
                "description": "Most copied first.",
                "items": _object(
                    {
                        **page,
                        "title": title,
                        "copies": {**_INTEGER, "description": "Copies of the reply (macro_used events)."},
                        "sessions": {**_INTEGER, "description": "Agents' browser tabs that copied it."},
                    }
                ),
            },
        ),
        "Deflection": _report(
            days={
                "type": "array",
                "description": "Days with help-center sessions.",
                "items": _object({"day": {"type": "string", "format": "date"}, **deflection_row}),
            },
            total=_object(deflection_row),
        ),
        "Gaps": _report(
            no_results={
                "type": "array",
                "description": "Searches with no result by normalised query and language; `gap`: content or "
                "translation.",
                "items": _OBJECT,
            },
            followed_by_contact={
                "type": "array",
                "description": "Searches followed by a contact in the same session.",
                "items": _OBJECT,
            },
        ),
    }


def _json(description: str, name: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def specification(languages: list[str] | None = None) -> dict[str, Any]:
    """The description; with `languages`, `lang` is limited to this knowledge base's languages."""
    event_refs = [{"$ref": f"#/components/schemas/{kind}_event"} for kind in EVENT_SCHEMAS]
    lang_schema = {"type": "string", "enum": languages} if languages else {"type": "string"}
    event_schemas = {
        f"{kind}_event": {**schema, "properties": {**schema["properties"], "lang": lang_schema}}
        for kind, schema in EVENT_SCHEMAS.items()
    }
    batch = {
        **BATCH_SCHEMA,
        "properties": {"events": {**BATCH_SCHEMA["properties"]["events"], "items": {"oneOf": event_refs}}},
    }
    event_body = {"schema": {"oneOf": [*event_refs, {"$ref": "#/components/schemas/EventBatch"}]}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "kb service API",
            "version": __version__,
            "description": "Events from the help center and the agent wiki in; statistics and reports out.",
        },
        "paths": {
            **_paths([*_PERIOD, _query("lang", "Only this language.", lang_schema)], event_body),
            popular.PATH: popular.openapi_operation(lang_schema, _error, _query),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA, "EventBatch": batch, **event_schemas, **_report_schemas()},
        },
    }


def _paths(period: list[dict[str, Any]], event_body: dict[str, Any]) -> dict[str, Any]:
    return {
        "/api/v1/events": {
            "post": {
                "summary": "Record one event or a batch of up to 50",
                "description": "Public: the sites send page views, votes, searches, contact clicks and macro "
                "copies. Nothing from a request is stored unless every event in it is valid.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": event_body, "text/plain": event_body},
                },
                "responses": {
                    "202": {
                        "description": "Stored.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"accepted": {"type": "integer"}},
                                    "required": ["accepted"],
                                }
                            }
                        },
                    },
                    "400": _error("The body is not JSON, or nests arrays or objects more than 32 levels deep."),
                    "403": _error(
                        "An event says it comes from the agent wiki (site: internal) but the request is not signed in "
                        "(wiki session, bearer token or trusted header)."
                    ),
                    "413": _error("The body is over 64 KiB (with a Content-Length or chunked)."),
                    "415": _error("Not application/json or text/plain."),
                    "422": _error(
                        "Invalid events; `errors` lists every bad field of every event at once. A `lang` and "
                        "an `article` must be a language and a published page of this knowledge base (a "
                        "`macro_used` event's, a macro). A `query` or `comment` may not hold NUL or other "
                        "control characters (tab and line breaks are fine) or unpaired surrogates."
                    ),
                    "429": _error("Over the per-client rate limit."),
                    "503": _error("The event store is unavailable; nothing was stored: retry later."),
                },
            }
        },
        "/api/v1/health": {
            "get": {
                "summary": "Liveness check for load balancers",
                "responses": {
                    "200": {
                        "description": "The service is up.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"status": {"type": "string"}},
                                    "required": ["status"],
                                }
                            }
                        },
                    }
                },
            }
        },
        "/api/v1/search": {
            "get": {
                "summary": "Search the knowledge base (public content only without credentials)",
                "description": "Public: without credentials only public pages (no agent notes) come back. "
                "Signed-in agents (`Authorization: Bearer <token>`, the wiki's sign-in cookie or the trusted "
                "single-sign-on header) also search internal pages and agent notes, and macros come with their "
                "reply. `q` is plain words (no query syntax). Every query holding a word is logged as a search "
                "event, in the language of `lang`, else `site_lang`, else the default language, with the "
                "number of pages it finds before the type, category, tag and case-reason filters.",
                "security": [{}, {"bearer": []}],
                "parameters": [
                    {
                        **_query(
                            "q",
                            "What to search for: plain words; no control characters.",
                            {"type": "string", "minLength": 1, "maxLength": 200},
                        ),
                        "required": True,
                    },
                    period[-1],
                    _query(
                        "site_lang",
                        "Language of the page the search was made from; only used to log the search "
                        "(when `lang` is not given), never to filter.",
                        period[-1]["schema"],
                    ),
                    _query("type", "Only this content type.", {"type": "string"}),
                    _query("category", "Only this category.", {"type": "string"}),
                    _query("tag", "Only pages with this tag.", {"type": "string"}),
                    _query("case_reason", "Only this case reason (or reason).", {"type": "string"}),
                    _query("page", "Result page, from 1.", {"type": "integer", "minimum": 1, "maximum": 1000}),
                    _query("per_page", "Hits per page.", {"type": "integer", "minimum": 1, "maximum": 50}),
                    _query(
                        "session",
                        "The tab's random id, to tie the search to later events.",
                        {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
                    ),
                    _query(
                        "log",
                        "1 (default): log the search for the gap reports; 0: do not (the contact step's "
                        "suggestions: kb keeps nothing a customer types there).",
                        {"type": "integer", "minimum": 0, "maximum": 1},
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "Hits with highlighted snippets.",
                        "content": {"application/json": {"schema": _OBJECT}},
                    },
                    "422": _error("Invalid query parameters (an unknown one, a control character in `q`...)."),
                    "429": _error("Over the per-client rate limit."),
                    "503": _error("The search index is not built yet."),
                },
            }
        },
        "/api/v1/stats/articles": {
            "get": {
                "summary": "Per article and language: views, sessions, votes, helpful rate, contact rate",
                "description": "Pages with a view, a vote or a contact in the period, most viewed first, on the "
                "help center by default: the agent wiki's views, votes and contacts are left out unless "
                "`site` asks for them. Events and votes stored before they said their site count as the help "
                "center's.",
                "security": [{"bearer": []}],
                "parameters": [
                    *period,
                    _query(
                        "type",
                        "Only this content type.",
                        {"type": "string", "enum": ["article", "troubleshooting", "sop", "macro"]},
                    ),
                    _query(
                        "site",
                        "Count the help center (`public`, default), the agent wiki (`internal`) or both (`all`).",
                        {"type": "string", "enum": _SITES, "default": "public"},
                    ),
                ],
                "responses": {"200": _json("Statistics.", "ArticleStats"), **_AUTH_ERRORS},
            }
        },
        "/api/v1/stats/macros": {
            "get": {
                "summary": "Per macro and language: copies of its reply in the agent wiki",
                "description": "Macros copied in the period (`macro_used` events: an agent pressed Copy reply "
                "on the macro's page or in the wiki's search), with the number of copies and of agents' "
                "browser tabs (sessions) that copied it, most copied first.",
                "security": [{"bearer": []}],
                "parameters": period,
                "responses": {"200": _json("Copies.", "MacroStats"), **_AUTH_ERRORS},
            }
        },
        "/api/v1/reports/deflection": {
            "get": {
                "summary": "Help-center sessions, contact sessions, deflection rate and self-service score",
                "security": [{"bearer": []}],
                "parameters": [
                    *period,
                    _query("format", "json (default) or csv.", {"type": "string", "enum": ["json", "csv"]}),
                ],
                "responses": {
                    "200": {
                        "description": "By day and in total.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Deflection"}},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    **_AUTH_ERRORS,
                },
            }
        },
        "/api/v1/reports/gaps": {
            "get": {
                "summary": "Searches with no result (content or translation gaps) and searches followed by a contact",
                "security": [{"bearer": []}],
                "parameters": period,
                "responses": {"200": _json("Gaps.", "Gaps"), **_AUTH_ERRORS},
            }
        },
    }


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    return jsonify(specification(sorted(current_app.extensions["kb_catalog"].languages)))
