"""GET /api/v1/reports/experiments: each declared experiment's per-variant counts, rates, intervals, the
difference from the control and the verdict (signed-in agents). The numbers come from kbtools.analytics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from kbtools.analytics.experiments import report
from kbtools.service.auth import require_agent
from kbtools.service.queries import ExperimentsQuery, parse_query
from kbtools.service.responses import ExperimentsReport

bp = Blueprint("experiments", __name__)

PATH = "/api/v1/reports/experiments"


@bp.get(PATH)
@require_agent
def experiments() -> Response:
    catalog = current_app.extensions["kb_catalog"]
    query = parse_query(ExperimentsQuery, request.args, catalog.languages)
    chosen = [
        e
        for e in catalog.experiments
        if (query.id is None or e.id == query.id) and (query.lang is None or e.lang == query.lang)
    ]
    engine = current_app.extensions["kb_engine"]
    body = ExperimentsReport.model_validate({"experiments": [report(engine, e).as_dict() for e in chosen]})
    return jsonify(body.model_dump(mode="json", by_alias=True))


def openapi_operation(parameters: list[dict[str, Any]], responses: dict[str, Any]) -> dict[str, Any]:
    """This route in the OpenAPI document: `parameters` from ExperimentsQuery, `responses` the auth errors."""
    return {
        "get": {
            "summary": "Experiments: per variant exposures, conversions, rates with 95% intervals, and the verdict",
            "description": "Every valid experiment declared in the content (or `id`): Wilson intervals per variant, "
            "Newcombe's interval of the difference from the control and a pooled two-proportion z test. The "
            "verdict is `collecting` until every variant has the declared min_sample (a fixed-horizon test: "
            "no verdict from peeking).",
            "security": [{"bearer": []}],
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "The experiments.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExperimentsReport"}}},
                },
                **responses,
            },
        }
    }
