"""JSON Schemas of the API, written once: the validator checks requests against them and the OpenAPI
description (`openapi.py`) publishes them. They use the subset shared by JSON Schema draft 7 and OpenAPI 3.0.
"""

from __future__ import annotations

from typing import Any

from kbtools.vocabulary import FEEDBACK_REASONS, SITES, EventType

MAX_BATCH = 50
MAX_BODY_BYTES = 64 * 1024

_COMMON: dict[str, Any] = {
    "lang": {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", "description": "Page language."},
    "session": {
        "type": "string",
        "pattern": "^[A-Za-z0-9_-]{8,64}$",
        "description": "Random id the browser tab made up (no cookie).",
    },
    "site": {
        "type": "string",
        "enum": list(SITES),
        "description": "Which site sent it: the help center (default) or the agent wiki.",
    },
}
_ARTICLE = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 200, "description": "Page id."}
_VERSION = {
    "type": "string",
    "pattern": "^[A-Za-z0-9._-]{1,40}$",
    "description": "Commit the page was built from (its last change), or 'uncommitted'.",
}


def _event(kind: str, properties: dict[str, Any], required: list[str], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {"type": {"type": "string", "enum": [kind]}, **_COMMON, **properties},
        "required": ["type", "lang", "session", *required],
        "additionalProperties": False,
    }


_SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"
# The experiment a page ran for the session and the variant it served (kbtools.experiments); both or neither
_EXPERIMENT = {
    "experiment": {"type": "string", "pattern": _SLUG, "maxLength": 64, "description": "Experiment id."},
    "variant": {"type": "string", "pattern": _SLUG, "maxLength": 64, "description": "Variant served."},
}
_PAGE = {"article": _ARTICLE, "version": _VERSION, **_EXPERIMENT}

EVENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "view": _event("view", _PAGE, ["article"], "A reader opened a page."),
    "vote": _event(
        "vote",
        {
            **_PAGE,
            "helpful": {"type": "boolean"},
            "reason": {"type": "string", "enum": list(FEEDBACK_REASONS)},
            "comment": {"type": "string", "maxLength": 1000},
        },
        ["article", "helpful"],
        "An answer to 'Did this answer your question?'; a later vote of the same session replaces it.",
    ),
    "search": _event(
        "search",
        {
            "query": {"type": "string", "minLength": 1, "maxLength": 200},
            "results": {"type": "integer", "minimum": 0, "maximum": 1000000},
        },
        ["query", "results"],
        "A search typed in a site's search box, with the number of results shown.",
    ),
    "contact": _event(
        "contact",
        _PAGE,
        [],
        "A reader went on to contact support (the contact step's button); `article`: the page they came from.",
    ),
    "contact_step": _event(
        "contact_step",
        _PAGE,
        [],
        'A reader opened the contact step ("Contact support"); `article`: the page they came from, if any.',
    ),
    "contact_answer": _event(
        "contact_answer", _PAGE, ["article"], "A reader opened an article the contact step suggested."
    ),
    "macro_used": _event("macro_used", _PAGE, ["article"], "An agent copied a macro's reply in the wiki."),
}

# The fields of each event type that name a page (those declared with the page-id schema): the validator looks
# them up in the catalog, within what the client may see, so anonymous clients cannot probe internal ids.
PAGE_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(name for name, prop in schema["properties"].items() if prop is _ARTICLE)
    for kind, schema in EVENT_SCHEMAS.items()
}
# Event types whose page must be a macro (only a macro's reply is copied)
MACRO_EVENTS = (EventType.MACRO_USED.value,)

BATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"events": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": {"type": "object"}}},
    "required": ["events"],
    "additionalProperties": False,
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["error", "message"],
}
