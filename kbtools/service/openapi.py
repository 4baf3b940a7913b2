"""The OpenAPI 3 description of the whole API, assembled from the same schemas the validator uses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from kbtools import __version__
from kbtools.service import autoreply, popular
from kbtools.service.bodies import AutoreplyRequest, OutcomeRequest
from kbtools.service.contract import component_schemas, query_parameters
from kbtools.service.queries import (
    ArticleStatsQuery,
    AutoreplyReportQuery,
    DeflectionQuery,
    GapsQuery,
    MacroStatsQuery,
    PopularQuery,
    QueryModel,
    SearchQuery,
)
from kbtools.service.responses import REPORTS, AutoreplyAnswer, OutcomeAnswer
from kbtools.service.schemas import BATCH_SCHEMA, ERROR_SCHEMA, EVENT_SCHEMAS

bp = Blueprint("openapi", __name__)


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_AUTH_ERRORS = {
    "401": _error("Not signed in."),
    "422": _error(
        "Invalid query parameters: an unknown parameter or language, a value not among those listed, a date "
        "that is not YYYY-MM-DD or is outside 1970-01-01 to 9999-12-30, 'from' after 'to'."
    ),
}
_OBJECT = {"type": "object", "additionalProperties": True}


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
            **_paths(languages, event_body),
            popular.PATH: popular.openapi_operation(query_parameters(PopularQuery, languages), _error),
            **autoreply.openapi_paths(query_parameters(AutoreplyReportQuery, languages), _error, _json),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR_SCHEMA,
                "EventBatch": batch,
                **event_schemas,
                **component_schemas(REPORTS),
                **component_schemas((AutoreplyRequest, OutcomeRequest, AutoreplyAnswer, OutcomeAnswer)),
            },
        },
    }


def _paths(languages: list[str] | None, event_body: dict[str, Any]) -> dict[str, Any]:
    def parameters(model: type[QueryModel]) -> list[dict[str, Any]]:
        return query_parameters(model, languages)

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
                "parameters": parameters(SearchQuery),
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
                "parameters": parameters(ArticleStatsQuery),
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
                "parameters": parameters(MacroStatsQuery),
                "responses": {"200": _json("Copies.", "MacroStats"), **_AUTH_ERRORS},
            }
        },
        "/api/v1/reports/deflection": {
            "get": {
                "summary": "Help-center sessions, contact sessions, deflection rate and self-service score",
                "security": [{"bearer": []}],
                "parameters": parameters(DeflectionQuery),
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
                "parameters": parameters(GapsQuery),
                "responses": {"200": _json("Gaps.", "Gaps"), **_AUTH_ERRORS},
            }
        },
    }


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    return jsonify(specification(sorted(current_app.extensions["kb_catalog"].languages)))
