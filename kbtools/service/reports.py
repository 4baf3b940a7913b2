"""Reports for support operations (signed-in agents): article and macro stats, deflection, content and
translation gaps. Each report's query string is a model of `queries.py`; its body a model of `responses.py`."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from kbtools.analytics import metrics, outcomes
from kbtools.analytics.gaps import classify_gaps
from kbtools.analytics.periods import Period, PeriodError
from kbtools.service.auth import require_agent
from kbtools.service.endpoints import AGENT, endpoint
from kbtools.service.queries import (
    ArticleStatsQuery,
    DeflectionQuery,
    GapsQuery,
    MacroOutcomesQuery,
    MacroStatsQuery,
    PeriodQuery,
    invalid_parameters,
)
from kbtools.service.responses import (
    ArticleStats,
    Deflection,
    DeflectionDay,
    Gaps,
    MacroOutcomes,
    MacroStats,
    csv_columns,
)

bp = Blueprint("reports", __name__)


# What every report's caller may get wrong
REPORT_ERRORS = {
    401: "Not signed in.",
    422: "Invalid query parameters: an unknown parameter or language, a value not among those listed, a date "
    "that is not YYYY-MM-DD or is outside 1970-01-01 to 9999-12-30, 'from' after 'to'.",
}


def _period(query: PeriodQuery) -> Period:
    try:
        return Period.of(query.first, query.last)
    except PeriodError as exc:
        raise invalid_parameters([{"field": exc.field, "message": str(exc)}]) from None


def _days(period: Period) -> dict[str, str]:
    return {"from": period.start.date().isoformat(), "to": (period.end - timedelta(days=1)).date().isoformat()}


@bp.get("/api/v1/stats/articles")
@require_agent
@endpoint(query=ArticleStatsQuery, answer=ArticleStats, answer_text="Statistics.", errors=REPORT_ERRORS, security=AGENT)
def article_stats(query: ArticleStatsQuery) -> Response:
    """Per article and language: views, sessions, votes, helpful rate, contact rate

    Pages with a view, a vote or a contact in the period, most viewed first, on the help center by default:
    the agent wiki's views, votes and contacts are left out unless `site` asks for them. Events and votes
    stored before they said their site count as the help center's.
    """
    period, lang, site = _period(query), query.lang, query.site.value
    engine = current_app.extensions["kb_engine"]
    catalog = current_app.extensions["kb_catalog"]
    rows = metrics.article_stats(engine, period, lang, site=site)
    versions = metrics.article_stats(engine, period, lang, by_version=True, site=site)
    if query.type:
        rows = [r for r in rows if catalog.types.get((r["lang"], r["article"])) == query.type]
        versions = [r for r in versions if catalog.types.get((r["lang"], r["article"])) == query.type]
    for row in rows:
        row["title"] = catalog.titles.get((row["lang"], row["article"]))
        row["versions"] = [
            {k: v for k, v in version.items() if k not in ("article", "lang")}
            for version in versions
            if (version["article"], version["lang"]) == (row["article"], row["lang"])
        ]
    return jsonify({**_days(period), "lang": lang, "site": site, "articles": rows})


@bp.get("/api/v1/stats/macros")
@require_agent
@endpoint(query=MacroStatsQuery, answer=MacroStats, answer_text="Copies.", errors=REPORT_ERRORS, security=AGENT)
def macro_stats(query: MacroStatsQuery) -> Response:
    """Per macro and language: copies of its reply in the agent wiki

    Macros copied in the period (`macro_used` events: an agent pressed Copy reply on the macro's page or in
    the wiki's search), with the number of copies and of agents' browser tabs (sessions) that copied it, most
    copied first.
    """
    period, lang = _period(query), query.lang
    catalog = current_app.extensions["kb_catalog"]
    rows = metrics.macro_copies(current_app.extensions["kb_engine"], period, lang)
    for row in rows:
        row["title"] = catalog.titles.get((row["lang"], row["article"]))
    return jsonify({**_days(period), "lang": lang, "macros": rows})


@bp.get("/api/v1/reports/deflection")
@require_agent
@endpoint(
    query=DeflectionQuery,
    answer=Deflection,
    answer_text="By day and in total.",
    answer_types=("text/csv",),
    errors=REPORT_ERRORS,
    security=AGENT,
)
def deflection(query: DeflectionQuery) -> Response:
    """Help-center sessions, contact sessions, deflection rate and self-service score"""
    period, lang = _period(query), query.lang
    report = metrics.deflection(current_app.extensions["kb_engine"], period, lang)
    if query.format == "json":
        return jsonify(report)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_columns(DeflectionDay), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(report["days"])
    writer.writerow({**report["total"], "day": "total"})
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=deflection.csv"}
    )


@bp.get("/api/v1/reports/gaps")
@require_agent
@endpoint(query=GapsQuery, answer=Gaps, answer_text="Gaps.", errors=REPORT_ERRORS, security=AGENT)
def gaps(query: GapsQuery) -> Response:
    """Searches with no result (content or translation gaps) and searches followed by a contact"""
    period, lang = _period(query), query.lang
    found: dict[str, Any] = metrics.search_gaps(current_app.extensions["kb_engine"], period, lang)
    found["no_results"] = classify_gaps(
        found["no_results"], current_app.extensions["kb"], current_app.config["KB"]["search_index"]
    )
    return jsonify({**_days(period), "lang": lang, **found})


@bp.get("/api/v1/reports/macro-outcomes")
@require_agent
@endpoint(query=MacroOutcomesQuery, answer=MacroOutcomes, answer_text="Outcomes.", errors=REPORT_ERRORS, security=AGENT)
def macro_outcomes(query: MacroOutcomesQuery) -> Response:
    """Per macro and language: solved tickets, satisfaction, reopens, handle time

    Tickets solved in the period with a kb macro applied, from the ticket-solved webhooks: uses, satisfaction
    rate and its Wilson 95% lower bound, reopen rate, median handle time, the same per week (Monday, UTC) and
    per version of the macro (the commit it was built from), most used first.
    """
    period, lang = _period(query), query.lang
    catalog = current_app.extensions["kb_catalog"]
    rows = outcomes.macro_outcome_report(current_app.extensions["kb_engine"], period, lang, query.macro)
    macros = [
        {"macro": r["macro"], "lang": r["lang"], "title": catalog.titles.get((r["lang"], r["macro"])), **r}
        for r in rows
    ]
    return jsonify({**_days(period), "lang": lang, "macros": macros})
