"""spectree's description of the declared endpoints (`endpoints.py`) in OpenAPI 3.0 pieces: its query
parameters and component schemas. The models are the declaration; this only translates pydantic's JSON Schema
(2020-12) into OpenAPI 3.0's dialect (`nullable` instead of a null type, references inline in parameters, no
titles, a one-value enum for const) and lists this knowledge base's languages in language fields."""

from __future__ import annotations

from typing import Any

from kbtools.service.queries import LANGUAGES


def _openapi(schema: Any, definitions: dict[str, Any], inline: bool) -> Any:
    """`schema` in OpenAPI 3.0 terms; with `inline`, references are replaced by what they name."""
    if isinstance(schema, list):
        return [_openapi(item, definitions, inline) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if inline and "$ref" in schema:
        named = definitions[schema["$ref"].rsplit("/", 1)[-1]]
        beside = {key: value for key, value in schema.items() if key != "$ref"}  # the field's own description
        return _openapi({**named, "description": None, **beside}, definitions, inline)
    choices = schema.get("anyOf")
    if choices and {"type": "null"} in choices:
        others = [choice for choice in choices if choice != {"type": "null"}]
        rest = {key: value for key, value in schema.items() if key != "anyOf"}
        if len(others) > 1:  # a union of several types, or null
            return {
                "anyOf": _openapi(others, definitions, inline),
                **_openapi(rest, definitions, inline),
                "nullable": True,
            }
        (single,) = others
        return {**_openapi(single, definitions, inline), **_openapi(rest, definitions, inline), "nullable": True}
    if "const" in schema:  # OpenAPI 3.0 has no const: a one-value enumeration says the same
        schema = {**{key: value for key, value in schema.items() if key != "const"}, "enum": [schema["const"]]}
    converted = {
        key: _openapi(value, definitions, inline) if key not in ("properties", "$defs") else value
        for key, value in schema.items()
        if key != "title" and not (key in ("default", "description") and value is None)
    }
    if "properties" in schema:
        converted["properties"] = {
            name: _openapi(value, definitions, inline) for name, value in schema["properties"].items()
        }
    converted.pop("$defs", None)
    return converted


def _language_fields(schema: dict[str, Any], languages: list[str] | None) -> dict[str, Any]:
    """`schema` with each property marked as a language of this knowledge base listing `languages`."""
    properties = schema.get("properties")
    if not properties:
        return schema
    lang = {"type": "string", "enum": languages} if languages else {"type": "string"}
    marked = {name: lang if field.get(LANGUAGES) else field for name, field in properties.items()}
    return {**schema, "properties": marked}


def parameter(item: dict[str, Any], definitions: dict[str, Any], languages: list[str] | None) -> dict[str, Any]:
    """A query parameter of spectree's description in OpenAPI 3.0 terms: its schema inline, an absent
    parameter as the null (a sent one is never null), a language field listing `languages`."""
    schema = _openapi(item["schema"], definitions, inline=True)
    description = schema.pop("description", "")
    schema.pop("nullable", None)
    if schema.pop(LANGUAGES, False):
        schema = {"type": "string", "enum": languages} if languages else {"type": "string"}
    return {
        "name": item["name"],
        "in": "query",
        "required": item.get("required", False),
        "description": item.get("description") or description,
        "schema": schema,
    }


def component(schema: dict[str, Any], languages: list[str] | None) -> dict[str, Any]:
    """A component schema of spectree's description in OpenAPI 3.0 terms, its language fields listing
    `languages`; an object lists its required properties, if none."""
    converted = _language_fields(_openapi(schema, {}, inline=False), languages)
    if converted.get("type") == "object" and "properties" in converted:
        converted.setdefault("required", [])
    return converted
