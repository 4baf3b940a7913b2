"""GET /api/v1/openapi.json: spectree's description of the routes declared with `endpoints.endpoint`, in
OpenAPI 3.0's dialect (`contract.py`), each `lang` listing this knowledge base's languages, and with the
content types besides JSON that the declarations name. Nothing here is written per route."""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from kbtools.service.contract import component, parameter
from kbtools.service.endpoints import QUERY_MODELS, SPEC, media_of

bp = Blueprint("openapi", __name__)
PREFIX = "/api/v1/"  # the /internal/api/v1/ mirrors are the same routes: described once


def specification(languages: list[str] | None = None) -> dict[str, Any]:
    """The description (in an app context: spectree reads the app's routes); with `languages`, `lang` is
    limited to this knowledge base's languages."""
    generated = current_app.extensions.get("kb_spectree")
    if generated is None:
        # Generated per app, from the routes it has (spectree would cache one document for every app); the
        # generation moves nested models out of SPEC.models, so it runs on a copy
        models = copy.deepcopy(SPEC.models)
        try:
            generated = current_app.extensions["kb_spectree"] = SPEC._generate_spec()
        finally:
            SPEC.models = models
    spec = copy.deepcopy(generated)
    definitions = spec["components"]["schemas"]
    media = {
        rule.rule: found
        for rule in current_app.url_map.iter_rules()
        if (found := media_of(current_app.view_functions[rule.endpoint])) is not None
    }
    paths: dict[str, Any] = {}
    for path, operations in spec["paths"].items():
        if not path.startswith(PREFIX):
            continue
        body_types, answer_types = media.get(path, ((), ()))
        for operation in operations.values():
            operation.pop("tags", None)
            if not operation.get("description"):
                operation.pop("description", None)
            operation["parameters"] = [parameter(item, definitions, languages) for item in operation["parameters"]]
            if not operation["parameters"]:
                del operation["parameters"]
            body = operation.get("requestBody")
            if body is not None:
                body["required"] = True
                json_body = body["content"]["application/json"]
                body["content"].update({kind: json_body for kind in body_types})
            for status, answer in operation["responses"].items():
                if status.startswith("2"):
                    answer["content"].update({kind: {"schema": {"type": "string"}} for kind in answer_types})
        paths[path] = operations
    return {
        "openapi": "3.0.3",
        "info": spec["info"],
        "paths": paths,
        "components": {
            "securitySchemes": spec["components"]["securitySchemes"],
            "schemas": {
                name: component(schema, languages) for name, schema in definitions.items() if name not in QUERY_MODELS
            },
        },
    }


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    return jsonify(specification(sorted(current_app.extensions["kb_catalog"].languages)))
