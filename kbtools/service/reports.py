"""Reports for support operations (signed-in agents): article and macro stats, deflection, content and
translation gaps. Each report's query string is a model of `queries.py`; its body a model of `responses.py`."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from kbtools.analytics import metrics, outcomes
from kbtools.analytics.gaps import classify_gaps
from kbtools.analytics.periods import Period, PeriodError
from kbtools.service.auth import require_agent
from kbtools.service.queries import (
    ArticleStatsQuery,
    DeflectionQuery,
    GapsQuery,
    MacroOutcomesQuery,
    MacroStatsQuery,
    PeriodQuery,
    Q,
    invalid_parameters,
    parse_query,
)
from kbtools.service.responses import DeflectionDay, csv_columns

bp = Blueprint("reports", __name__)


def _query(model: type[Q]) -> Q:
    return parse_query(model, request.args, current_app.extensions["kb_catalog"].languages)


def _period(query: PeriodQuery) -> Period:
    try:
        return Period.of(query.first, query.last)
    except PeriodError as exc:
        raise invalid_parameters([{"field": exc.field, "message": str(exc)}]) from None


def _days(period: Period) -> dict[str, str]:
    return {"from": period.start.date().isoformat(), "to": (period.end - timedelta(days=1)).date().isoformat()}


@bp.get("/api/v1/stats/articles")
@require_agent
def article_stats() -> Response:
    query = _query(ArticleStatsQuery)
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
def macro_stats() -> Response:
    query = _query(MacroStatsQuery)
    period, lang = _period(query), query.lang
    catalog = current_app.extensions["kb_catalog"]
    rows = metrics.macro_copies(current_app.extensions["kb_engine"], period, lang)
    for row in rows:
        row["title"] = catalog.titles.get((row["lang"], row["article"]))
    return jsonify({**_days(period), "lang": lang, "macros": rows})


@bp.get("/api/v1/reports/deflection")
@require_agent
def deflection() -> Response:
    query = _query(DeflectionQuery)
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
def gaps() -> Response:
    query = _query(GapsQuery)
    period, lang = _period(query), query.lang
    found: dict[str, Any] = metrics.search_gaps(current_app.extensions["kb_engine"], period, lang)
    found["no_results"] = classify_gaps(
        found["no_results"], current_app.extensions["kb"], current_app.config["KB"]["search_index"]
    )
    return jsonify({**_days(period), "lang": lang, **found})


@bp.get("/api/v1/reports/macro-outcomes")
@require_agent
def macro_outcomes() -> Response:
    query = _query(MacroOutcomesQuery)
    period, lang = _period(query), query.lang
    catalog = current_app.extensions["kb_catalog"]
    rows = outcomes.macro_outcome_report(current_app.extensions["kb_engine"], period, lang, query.macro)
    macros = [
        {"macro": r["macro"], "lang": r["lang"], "title": catalog.titles.get((r["lang"], r["macro"])), **r}
        for r in rows
    ]
    return jsonify({**_days(period), "lang": lang, "macros": macros})
