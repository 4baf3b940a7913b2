"""Checking an events request: shape against the JSON Schemas, then what only this knowledge base knows."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jsonschema import Draft7Validator

from kbtools.service.catalog import Catalog
from kbtools.service.schemas import BATCH_SCHEMA, EVENT_SCHEMAS, EVENT_TYPES

_VALIDATORS = {kind: Draft7Validator(schema) for kind, schema in EVENT_SCHEMAS.items()}
_BATCH = Draft7Validator(BATCH_SCHEMA)


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InvalidEvents(Exception):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__(f"{len(errors)} invalid fields")


def _path(prefix: str, parts: Any) -> str:
    field = prefix
    for part in parts:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return field or "(body)"


def _schema_errors(validator: Draft7Validator, data: Any, prefix: str) -> list[FieldError]:
    found = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            found.extend(FieldError(_path(prefix, [*error.absolute_path, name]), "unknown field") for name in extra)
        else:
            found.append(FieldError(_path(prefix, error.absolute_path), error.message))
    return found


def normalise_query(query: str) -> str:
    """Lower case, accents folded, punctuation and repeated spaces dropped: how gaps are grouped."""
    folded = unicodedata.normalize("NFKD", query.casefold()).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^\w\s-]", " ", folded).split())[:200]


def parse_events(payload: Any, catalog: Catalog) -> list[dict[str, Any]]:
    """The events of a request as rows to store; raises InvalidEvents listing every bad field."""
    if isinstance(payload, dict) and "events" in payload:
        errors = _schema_errors(_BATCH, payload, "")
        if errors:
            raise InvalidEvents(errors)
        items = [(f"events[{index}]", item) for index, item in enumerate(payload["events"])]
    else:
        items = [("", payload)]
    errors: list[FieldError] = []
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
        item_errors = _schema_errors(_VALIDATORS[kind], item, prefix)
        if not item_errors:
            item_errors = _known(item, catalog, prefix)
        errors.extend(item_errors)
        if not item_errors:
            rows.append({**item, "created_at": now})
    if errors:
        raise InvalidEvents(errors)
    return rows


def _known(item: dict[str, Any], catalog: Catalog, prefix: str) -> list[FieldError]:
    if item["lang"] not in catalog.languages:
        return [
            FieldError(_path(prefix, ["lang"]), f"not a language of this knowledge base: {sorted(catalog.languages)}")
        ]
    if "article" in item and not catalog.has(item["lang"], item["article"]):
        return [FieldError(_path(prefix, ["article"]), f"no published page '{item['article']}' in '{item['lang']}'")]
    return []
