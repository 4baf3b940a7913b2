"""GET /api/v1/reports/experiments: each declared experiment's per-variant counts, rates, intervals, the
difference from the control and the verdict (signed-in agents). The numbers come from kbtools.analytics."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from kbtools.analytics.experiments import report
from kbtools.service.auth import require_agent
from kbtools.service.endpoints import AGENT, endpoint
from kbtools.service.queries import ExperimentsQuery
from kbtools.service.reports import REPORT_ERRORS
from kbtools.service.responses import ExperimentsReport

bp = Blueprint("experiments", __name__)

PATH = "/api/v1/reports/experiments"


@bp.get(PATH)
@require_agent
@endpoint(
    query=ExperimentsQuery,
    answer=ExperimentsReport,
    answer_text="The experiments.",
    errors=REPORT_ERRORS,
    security=AGENT,
)
def experiments(query: ExperimentsQuery) -> Response:
    """Experiments: per variant exposures, conversions, rates with 95% intervals, and the verdict

    Every valid experiment declared in the content (or `id`): Wilson intervals per variant, Newcombe's
    interval of the difference from the control and a pooled two-proportion z test. The verdict is
    `collecting` until every variant has the declared min_sample (a fixed-horizon test: no verdict from
    peeking).
    """
    catalog = current_app.extensions["kb_catalog"]
    chosen = [
        e
        for e in catalog.experiments
        if (query.id is None or e.id == query.id) and (query.lang is None or e.lang == query.lang)
    ]
    engine = current_app.extensions["kb_engine"]
    body = ExperimentsReport.model_validate({"experiments": [report(engine, e).as_dict() for e in chosen]})
    return jsonify(body.model_dump(mode="json", by_alias=True))
