"""Checking an events request: shape against the JSON Schemas, then what only this knowledge base knows."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jsonschema import Draft7Validator, ValidationError

from kbtools.service.catalog import Catalog
from kbtools.service.schemas import BATCH_SCHEMA, EVENT_SCHEMAS, MACRO_EVENTS, PAGE_FIELDS
from kbtools.vocabulary import EVENT_TYPES

_VALIDATORS = {kind: Draft7Validator(schema) for kind, schema in EVENT_SCHEMAS.items()}
_BATCH = Draft7Validator(BATCH_SCHEMA)
MAX_MESSAGE = 200  # characters of an error message or field name: values are not echoed in full


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


def _path(prefix: str, parts: Any) -> str:
    field = prefix
    for part in parts:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return field or "(body)"


def _message(error: ValidationError) -> str:
    """What is wrong, without repeating a long value back (a batch of 51 events, a 5,000-character comment)."""
    limit = error.validator_value
    if error.validator == "maxLength":
        return f"too long: at most {limit} characters"
    if error.validator == "minLength":
        return f"too short: at least {limit} characters"
    if error.validator == "maxItems":
        return f"too many: at most {limit} items"
    if error.validator == "minItems":
        return f"too few: at least {limit} items"
    message = error.message
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _schema_errors(validator: Draft7Validator, data: Any, prefix: str) -> list[FieldError]:
    found: list[FieldError] = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            found.extend(
                FieldError(_path(prefix, [*error.absolute_path, name])[:MAX_MESSAGE], "unknown field") for name in extra
            )
        else:
            found.append(FieldError(_path(prefix, error.absolute_path)[:MAX_MESSAGE], _message(error)))
    return found


# Characters free text may not hold: NUL and the other C0 controls but tab, line feed and carriage return
# (PostgreSQL refuses NUL in text; none belongs in a query or a comment), and unpaired UTF-16 surrogates,
# which JSON's \ud800 escapes can produce but no UTF-8 text can hold.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
FREE_TEXT_FIELDS = ("query", "comment")


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as free text (a query, a comment), or None."""
    match = _FORBIDDEN.search(text)
    if match is None:
        return None
    char = match.group(0)
    kind = "an unpaired surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    return f"contains {kind} (U+{ord(char):04X}) at position {match.start()}: not allowed in text"


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
    """The events of a request as rows to store; raises InvalidEvents listing every bad field.

    What a client learns about pages stays within what it may read: an anonymous client's events are checked
    against the help center's pages only, so an internal id is as unknown as a made-up one, and its wiki events
    (`site: internal`) raise AgentOnly before any page is looked up, whatever they name.
    """
    if isinstance(payload, dict) and "events" in payload:
        errors = _schema_errors(_BATCH, payload, "")
        if errors:
            raise InvalidEvents(errors)
        items = [(f"events[{index}]", item) for index, item in enumerate(payload["events"])]
    else:
        items = [("", payload)]
    if not signed_in and any(isinstance(item, dict) and item.get("site") == "internal" for _, item in items):
        # Anyone can reach the endpoint: without the wiki's sign-in, "agent feedback" and macro copies could be
        # made up by anybody. Refused on the site field alone, so the answer says nothing about the pages named.
        raise AgentOnly()
    errors = []
    rows = []
    now = datetime.now(UTC)
    for prefix, item in items:
        if not isinstance(item, dict):
            errors.append(FieldError(prefix or "(body)", "an event is a JSON object"))
            continue
        kind = item.get("type")
        if not isinstance(kind, str) or kind not in _VALIDATORS:
            errors.append(FieldError(_path(prefix, ["type"]), f"unknown event type; types: {', '.join(EVENT_TYPES)}"))
            continue
        # Every bad field of the event at once: the shape, then the text and the knowledge base's languages
        # and pages for the fields whose shape is right
        item_errors = _schema_errors(_VALIDATORS[kind], item, prefix)
        malformed = {error.field for error in item_errors}
        item_errors += _text_errors(item, prefix, malformed) + _known(item, catalog, prefix, malformed, signed_in)
        item_errors += _experiment_pair(item, prefix)
        errors.extend(item_errors)
        if not item_errors:
            rows.append({**item, "created_at": now})
    if errors:
        raise InvalidEvents(errors)
    return rows


def _experiment_pair(item: dict[str, Any], prefix: str) -> list[FieldError]:
    """An event names an experiment and its variant together, or neither (OpenAPI 3.0 cannot say so)."""
    given = [name for name in ("experiment", "variant") if name in item]
    if len(given) == 1:
        missing = "variant" if given[0] == "experiment" else "experiment"
        return [FieldError(_path(prefix, [missing]), f"an event with {given[0]} also gives its {missing}")]
    return []


def _text_errors(item: dict[str, Any], prefix: str, malformed: set[str]) -> list[FieldError]:
    found = []
    for name in FREE_TEXT_FIELDS:
        field = _path(prefix, [name])
        problem = text_problem(item[name]) if isinstance(item.get(name), str) and field not in malformed else None
        if problem:
            found.append(FieldError(field, problem))
    return found


def _known(
    item: dict[str, Any], catalog: Catalog, prefix: str, malformed: set[str], signed_in: bool
) -> list[FieldError]:
    """Errors of a well-formed `lang` and page fields this knowledge base does not have (for the event's site)."""
    lang_field = _path(prefix, ["lang"])
    lang = item.get("lang") if isinstance(item.get("lang"), str) and lang_field not in malformed else None
    found = []
    known_lang = lang is not None and lang in catalog.languages
    if lang is not None and not known_lang:
        found.append(FieldError(lang_field, f"not a language of this knowledge base: {sorted(catalog.languages)}"))
    # The help center's events name its pages; the wiki's (signed-in agents only: see parse_events) any page
    site = "internal" if item.get("site") == "internal" else "public"
    languages: list[str] = [lang] if lang is not None and known_lang else sorted(catalog.languages)
    where = f"in '{lang}'" if known_lang else "in any language"
    for name in PAGE_FIELDS[item["type"]]:
        field = _path(prefix, [name])
        page = item.get(name)
        if not isinstance(page, str) or field in malformed:
            continue
        found_in = [code for code in languages if catalog.has(code, page, site)]
        if not found_in:
            # Only a signed-in agent may learn that the page exists on the wiki
            if signed_in and any(catalog.has(code, page, "internal") for code in languages):
                message = f"'{page}' is an internal page: the help center's events (site: public) name its pages"
            else:
                message = f"no published page '{page}' {where}"
            found.append(FieldError(field, message))
        elif item["type"] in MACRO_EVENTS and known_lang and catalog.types.get((str(lang), page)) != "macro":
            found.append(FieldError(field, f"'{page}' is not a macro: only a macro's reply is copied"))
    return found
