"""The dashboard page of the service (/internal/dashboard): `kbtools.analytics.report` makes it."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, request
from werkzeug.exceptions import BadRequest

from kbtools.analytics.periods import Period, PeriodError
from kbtools.analytics.report import MAX_DAYS, dashboard_data, render_dashboard
from kbtools.service.auth import require_agent_page

bp = Blueprint("dashboard", __name__)


def _date_arg(name: str) -> date | None:
    value = request.args.get(name)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/internal/dashboard")
@require_agent_page
def dashboard() -> str:
    settings = current_app.config["KB"]
    try:
        period = Period.of(_date_arg("from"), _date_arg("to"), max_days=MAX_DAYS)
    except PeriodError as exc:
        raise BadRequest(str(exc)) from None  # the normal HTML error page, with what was wrong
    data = dashboard_data(
        current_app.extensions["kb_engine"],
        current_app.extensions["kb"],
        period,
        settings["min_votes"],
        settings["search_index"],
        date.today(),
    )
    return render_dashboard(data)
