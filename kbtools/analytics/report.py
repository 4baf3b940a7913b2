"""The dashboard's data and page, for the service (/internal/dashboard) and `kb report` (one self-contained file).

One data model, `dashboard_data`, and one template, rendered with autoescaping: comments readers typed
are always shown as text. Everything but the macro copies counts the help center only (not the wiki).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import Engine

from kbtools.analytics import metrics, outbox, outcomes
from kbtools.analytics.autoreply_metrics import autoreply_report
from kbtools.analytics.experiments import report as experiment_report
from kbtools.analytics.gaps import classify_gaps
from kbtools.analytics.periods import Period
from kbtools.governance.reviews import review_due
from kbtools.governance.translations import State, translation_state
from kbtools.model.experiments import experiments
from kbtools.model.project import KnowledgeBase
from kbtools.model.vocabulary import Site

MAX_DAYS = 3660  # the longest period the dashboard (and `kb report`) shows: one chart point per day
STYLESHEET = "dashboard.css"  # in kbtools/analytics/templates/, inlined: `kb report` writes one file


def stylesheet() -> str:
    """The dashboard's stylesheet; the service's Content-Security-Policy allows its hash."""
    return resources.files("kbtools.analytics").joinpath("templates", STYLESHEET).read_text(encoding="utf-8")


def _inline_css(name: str) -> Markup:
    assert name == STYLESHEET, name
    return Markup(stylesheet())


_ENV = Environment(loader=PackageLoader("kbtools.analytics", "templates"), autoescape=select_autoescape(["html"]))
_ENV.globals["inline_css"] = _inline_css


def dashboard_data(
    engine: Engine, kb: KnowledgeBase, period: Period, min_votes: int, index_dir: str, today: date
) -> dict[str, Any]:
    from kbtools.model.history import read_history

    content = kb.load()
    titles = {(doc.lang, doc.id): doc.title for doc in content}
    stats = metrics.article_stats(engine, period, site=Site.PUBLIC)
    macros = metrics.macro_copies(engine, period, limit=10)
    for row in macros:
        row["title"] = titles.get((row["lang"], row["article"]), row["article"])
    macro_outcomes = outcomes.macro_outcome_report(engine, period)[:10]
    for row in macro_outcomes:
        row["title"] = titles.get((row["lang"], row["macro"]), row["macro"])
    for row in stats:
        row["title"] = titles.get((row["lang"], row["article"]), row["article"])
    voted = [row for row in stats if row["votes_up"] + row["votes_down"] >= min_votes]
    worst = sorted(voted, key=lambda row: (row["helpful_lower_bound"], -row["views"]))[:10]
    gaps = metrics.search_gaps(engine, period)
    no_results = classify_gaps(gaps["no_results"], kb, index_dir)
    history = read_history(kb.root)
    outdated = []
    for doc in content:
        if doc.lang != content.default_language and doc.is_published:
            state = translation_state(content, history, doc.rel, doc.lang)
            if state.state is State.OUTDATED:
                outdated.append(
                    {
                        "page": f"{doc.lang}/{doc.rel}",
                        "title": doc.title,
                        "commits_behind": state.commits_behind,
                        "days_behind": state.days_behind,
                    }
                )
    overdue = []
    for doc in content:
        due = review_due(doc, kb.taxonomy) if doc.is_published else None
        if due is not None and due < today:
            overdue.append(
                {
                    "page": f"{doc.lang}/{doc.rel}",
                    "title": doc.title,
                    "owner": doc.owner,
                    "due": due.isoformat(),
                    "days": (today - due).days,
                }
            )
    return {
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "from": period.start.date().isoformat(),
        "to": (period.end - timedelta(days=1)).date().isoformat(),
        "days": metrics.daily_activity(engine, period),
        "deflection": metrics.deflection(engine, period),
        "top": stats[:10],
        "worst": worst,
        "macros": macros,
        "macro_outcomes": macro_outcomes,
        "min_votes": min_votes,
        "content_gaps": [g for g in no_results if g["gap"] == "content"],
        "translation_gaps": [g for g in no_results if g["gap"] == "translation"],
        "followed_by_contact": gaps["followed_by_contact"],
        "outdated": sorted(outdated, key=lambda o: -o["commits_behind"]),
        "overdue": sorted(overdue, key=lambda o: -o["days"]),
        "comments": metrics.latest_comments(engine, period),
        # Agents read every article daily: what they say is wrong is worth as much as readers' votes
        "agent_comments": metrics.latest_comments(engine, period, site=Site.INTERNAL),
        # Not of the period: deliveries the helpdesk never accepted need an operator now
        "webhooks": outbox.counts(engine),
        # Each experiment over its own declared dates, whatever the dashboard's period
        "experiments": [experiment_report(engine, e).as_dict() for e in experiments(content)],
        "autoreplies": _autoreplies(engine, period, titles),
    }


def _autoreplies(engine: Engine, period: Period, titles: dict[tuple[str, str], str]) -> dict[str, Any]:
    found = autoreply_report(engine, period)
    for row in found["articles"]:
        row["title"] = titles.get((row["lang"], row["article"]), row["article"])
    found["articles"] = found["articles"][:10]
    return found


MARKER_RADIUS = 5.0  # at most; less when days are closer than two radii
CHART_PADDING = 6  # room for a marker on the chart's edges


def line_chart(
    days: list[str], values: list[float | None], height: int = 120, width: int = 640, percent: bool = False
) -> dict:
    """An SVG line chart of `values`, one a day of `days` (every chart of the dashboard gets the same days, so
    a day is at the same x everywhere): a marker per value, polylines joining the values of consecutive days
    only (None, a day without data, breaks the line), and the y-axis maximum."""
    assert len(days) == len(values)
    known = [v for v in values if v is not None]
    top = 1.0 if percent else max(known, default=0) or 1
    inner_width, inner_height = width - 2 * CHART_PADDING, height - 2 * CHART_PADDING
    step = inner_width / max(len(values) - 1, 1)
    points: list[dict[str, Any]] = []
    segments: list[list[str]] = [[]]
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        x = f"{CHART_PADDING + index * step:.1f}"
        y = f"{CHART_PADDING + inner_height - value / top * inner_height:.1f}"
        label = f"{day}: {value * 100:.0f}%" if percent else f"{day}: {value:g}"
        points.append({"x": x, "y": y, "day": day, "label": label})
        segments[-1].append(f"{x},{y}")
    return {
        "segments": [" ".join(s) for s in segments if len(s) > 1],  # a lone day is only its marker
        "points": points,
        "radius": f"{max(1.5, min(MARKER_RADIUS, step / 2)):.1f}",  # adjacent days' markers barely overlap
        "top": top,
        "width": width,
        "height": height,
    }


def render_dashboard(data: dict[str, Any], standalone: bool = False) -> str:
    days = [d["day"] for d in data["days"]]  # every day of the period
    deflection = {d["day"]: d["deflection_rate"] for d in data["deflection"]["days"]}  # days with sessions
    charts = {
        "views": line_chart(days, [d["views"] for d in data["days"]]),
        "helpful": line_chart(days, [d["helpful_rate"] for d in data["days"]], percent=True),
        "deflection": line_chart(days, [deflection.get(day) for day in days], percent=True),
    }
    return _ENV.get_template("dashboard.html").render(data=data, charts=charts, standalone=standalone)
