"""Checking an events request against the event models (`schemas.py`), and its 422 list in words that do not
depend on pydantic's: each bad field by its path (`events[2].article`), a length or count as a limit, a value
that is not valid repeated back only in part."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError

from kbtools.model.vocabulary import EVENT_TYPES, Site
from kbtools.service.catalog import Catalog
from kbtools.service.schemas import BATCH_SHAPE, EVENT, EVENT_MODELS, EXPERIMENT_PAIR
from kbtools.service.text import text_problem

__all__ = ["AgentOnly", "FieldError", "InvalidEvents", "normalise_query", "parse_events", "text_problem"]

MAX_MESSAGE = 200  # characters of an error message or field name: values are not echoed in full
FREE_TEXT_FIELDS = ("query", "comment")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InvalidEvents(Exception):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__(f"{len(errors)} invalid fields")


class AgentOnly(Exception):
    """Events from the agent wiki (`site: internal`) sent by a client that is not signed in."""


def _path(prefix: str, parts: Sequence[Any]) -> str:
    field = prefix
    for part in parts:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return (field or "(body)")[:MAX_MESSAGE]


_JSON_TYPES = {
    "string_type": "string",
    "bool_type": "boolean",
    "int_type": "integer",
    "list_type": "array",
    "model_type": "object",
    "model_attributes_type": "object",
    "dict_type": "object",
}
UNKNOWN_TYPE = f"unknown event type; types: {', '.join(EVENT_TYPES)}"


def _choices(model: type[BaseModel] | None, name: Any) -> list[str]:
    field = model.model_fields.get(str(name)) if model is not None else None
    for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())) if field else ():
        if isinstance(candidate, type) and issubclass(candidate, StrEnum):
            return [member.value for member in candidate]
    return []


def _message(error: Mapping[str, Any], model: type[BaseModel] | None) -> str:
    """What is wrong, without repeating a long value back (a batch of 51 events, a 5,000-character comment)."""
    kind, given, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "string_too_long":
        return f"too long: at most {ctx['max_length']} characters"
    if kind == "string_too_short":
        return f"too short: at least {ctx['min_length']} characters"
    if kind == "too_long":
        return f"too many: at most {ctx['max_length']} items"
    if kind == "too_short":
        return f"too few: at least {ctx['min_length']} items"
    if kind == "string_pattern_mismatch":
        message = f"{given!r} does not match {ctx['pattern']!r}"
    elif kind in _JSON_TYPES:
        message = f"{given!r} is not of type {_JSON_TYPES[kind]!r}"
    elif kind == "greater_than_equal":
        message = f"{given!r} is less than the minimum of {ctx['ge']}"
    elif kind == "less_than_equal":
        message = f"{given!r} is greater than the maximum of {ctx['le']}"
    elif kind == "string_unicode" and isinstance(given, str):  # an unpaired surrogate: said as of any free text
        message = text_problem(given) or str(error["msg"])
    elif kind == "enum":
        message = f"{given!r} is not one of {_choices(model, error['loc'][-1])!r}"
    else:
        message = str(error["msg"])
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def field_errors(exc: ValidationError, prefix: str, model: type[BaseModel] | None = None) -> list[FieldError]:
    """Every error of `exc` (a body, or the event at `prefix`) as the 422 list's fields and messages."""
    found = []
    for error in exc.errors():
        loc: tuple[Any, ...] = tuple(error["loc"])
        kind = error["type"]
        owner = model
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            found.append(FieldError(_path(prefix, [*loc, "type"]), UNKNOWN_TYPE))
            continue
        if loc and loc[0] in EVENT_MODELS and model is None:  # the event type the discriminator chose
            owner, loc = EVENT_MODELS[loc[0]], loc[1:]
        if kind == EXPERIMENT_PAIR:  # said of the event; named by the field it lacks
            found.append(FieldError(_path(prefix, [*loc, error["ctx"]["missing"]]), error["msg"]))
        elif kind == "extra_forbidden":
            found.append(FieldError(_path(prefix, loc), "unknown field"))
        elif kind == "missing":  # said of the object, as JSON Schema says it
            found.append(FieldError(_path(prefix, loc[:-1]), f"{loc[-1]!r} is a required property"))
        elif kind == "model_attributes_type" and not loc:
            found.append(FieldError(prefix or "(body)", "an event is a JSON object"))
        else:
            found.append(FieldError(_path(prefix, loc), _message(error, owner)))
    return found


def normalise_query(query: str) -> str:
    """How gaps are grouped: lower case, compatibility forms (ligatures) and accents folded, punctuation and
    repeated spaces dropped. Letters of any script are kept; a query of only marks or punctuation is ""."""
    decomposed = unicodedata.normalize("NFKD", query.casefold())
    # Only the Latin accents (U+0300-U+036F): other scripts' marks are part of their letters (ガ is not カ)
    folded = unicodedata.normalize("NFC", "".join(char for char in decomposed if not "\u0300" <= char <= "\u036f"))
    # Punctuation becomes a space; letters, digits, '-', '_' and the marks inside words (Devanagari's) stay
    kept = (c if c.isalnum() or c in "-_" or unicodedata.category(c).startswith("M") else " " for c in folded)
    words = "".join(kept).split()
    return " ".join(word for word in words if any(char.isalnum() for char in word))[:200]


def parse_events(payload: Any, catalog: Catalog, signed_in: bool) -> list[dict[str, Any]]:
    """The events of a request as rows to store; raises InvalidEvents listing every bad field of every event.

    What a client learns about pages stays within what it may read: its wiki events (`site: internal`) raise
    AgentOnly before any page is looked up, whatever they name, unless it is signed in; the models check an
    anonymous client's pages against the help center's only.
    """
    if isinstance(payload, dict) and "events" in payload:
        try:
            BATCH_SHAPE.model_validate(payload)
        except ValidationError as exc:
            raise InvalidEvents(field_errors(exc, "")) from None
        items = [(f"events[{index}]", item) for index, item in enumerate(payload["events"])]
    else:
        items = [("", payload)]
    if not signed_in and any(isinstance(item, dict) and item.get("site") == Site.INTERNAL for _, item in items):
        # Anyone can reach the endpoint: without the wiki's sign-in, "agent feedback" and macro copies could be
        # made up by anybody. Refused on the site field alone, so the answer says nothing about the pages named.
        raise AgentOnly()
    errors: list[FieldError] = []
    rows = []
    now = datetime.now(UTC)
    context = {"catalog": catalog, "signed_in": signed_in}
    for prefix, item in items:
        try:
            EVENT.validate_python(item, context=context)
        except ValidationError as exc:
            errors.extend(field_errors(exc, prefix))
        else:
            rows.append({**item, "created_at": now})
    if errors:
        raise InvalidEvents(errors)
    return rows
