"""Reports for support operations (signed-in agents): article and macro stats, deflection, content and
translation gaps."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from kbtools.analytics import metrics
from kbtools.analytics.gaps import classify_gaps
from kbtools.analytics.periods import Period, PeriodError
from kbtools.service.auth import require_agent
from kbtools.service.errors import ApiError

bp = Blueprint("reports", __name__)


def _date(name: str) -> date | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            422,
            "invalid_parameters",
            "bad query parameters",
            [{"field": name, "message": f"expected a date YYYY-MM-DD, got {value!r}"}],
        ) from None


def _only(*names: str) -> None:
    unknown = sorted(set(request.args) - set(names))
    if unknown:
        raise ApiError(
            422,
            "invalid_parameters",
            "bad query parameters",
            [{"field": name, "message": f"unknown parameter; expected {', '.join(names)}"} for name in unknown],
        )


def _period() -> Period:
    first, last = _date("from"), _date("to")
    try:
        return Period.of(first, last)
    except PeriodError as exc:
        raise ApiError(
            422, "invalid_parameters", "bad query parameters", [{"field": exc.field, "message": str(exc)}]
        ) from None


def _lang() -> str | None:
    lang = request.args.get("lang")
    if lang is not None and lang not in current_app.extensions["kb_catalog"].languages:
        raise ApiError(
            422,
            "invalid_parameters",
            "bad query parameters",
            [{"field": "lang", "message": f"not a language of this knowledge base: {lang!r}"}],
        )
    return lang


def _choice(name: str, choices: tuple[str, ...], default: str | None) -> str | None:
    value = request.args.get(name, default)
    if value is not None and value not in choices:
        raise ApiError(
            422,
            "invalid_parameters",
            "bad query parameters",
            [{"field": name, "message": f"expected one of {', '.join(choices)}"}],
        )
    return value


def _days(period: Period) -> dict[str, str]:
    return {"from": period.start.date().isoformat(), "to": (period.end - timedelta(days=1)).date().isoformat()}


@bp.get("/api/v1/stats/articles")
@require_agent
def article_stats() -> Response:
    _only("from", "to", "lang", "type", "site")
    period, lang = _period(), _lang()
    content_type = _choice("type", ("article", "troubleshooting", "sop", "macro"), None)
    site = _choice("site", metrics.SITES, "public") or "public"
    engine = current_app.extensions["kb_engine"]
    catalog = current_app.extensions["kb_catalog"]
    rows = metrics.article_stats(engine, period, lang, site=site)
    versions = metrics.article_stats(engine, period, lang, by_version=True, site=site)
    if content_type:
        rows = [r for r in rows if catalog.types.get((r["lang"], r["article"])) == content_type]
        versions = [r for r in versions if catalog.types.get((r["lang"], r["article"])) == content_type]
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
    _only("from", "to", "lang")
    period, lang = _period(), _lang()
    catalog = current_app.extensions["kb_catalog"]
    rows = metrics.macro_copies(current_app.extensions["kb_engine"], period, lang)
    for row in rows:
        row["title"] = catalog.titles.get((row["lang"], row["article"]))
    return jsonify({**_days(period), "lang": lang, "macros": rows})


@bp.get("/api/v1/reports/deflection")
@require_agent
def deflection() -> Response:
    _only("from", "to", "lang", "format")
    period, lang = _period(), _lang()
    fmt = _choice("format", ("json", "csv"), "json")
    report = metrics.deflection(current_app.extensions["kb_engine"], period, lang)
    if fmt == "json":
        return jsonify(report)
    out = io.StringIO()
    columns = ["day", "sessions", "view_sessions", "contact_sessions", "deflection_rate", "self_service_score"]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(report["days"])
    writer.writerow({**report["total"], "day": "total"})
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=deflection.csv"}
    )


@bp.get("/api/v1/reports/gaps")
@require_agent
def gaps() -> Response:
    _only("from", "to", "lang")
    period, lang = _period(), _lang()
    found: dict[str, Any] = metrics.search_gaps(current_app.extensions["kb_engine"], period, lang)
    found["no_results"] = classify_gaps(
        found["no_results"], current_app.extensions["kb"], current_app.config["KB"]["search_index"]
    )
    return jsonify({**_days(period), "lang": lang, **found})
