"""The auto-reply report, in SQL over autoreply_tickets and autoreply_links.

Definitions (docs/operators.md repeats them):
- tickets: tickets the helpdesk sent to POST /api/v1/autoreply in the period (each request counts once);
- with suggestions: tickets kb suggested at least one article to (the others are content gaps);
- clicked: tickets with at least one suggested link opened; click-through: clicked / with suggestions;
- solved: tickets whose customer answered "Yes, this solved my request" on a suggested article;
  resolution rate: solved / with suggestions (Zendesk's definition for autoreplies with articles);
- per article: times suggested, links opened, solved answers, and the same rates per suggestion.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, case, func, select

from kbtools.analytics.periods import Period
from kbtools.analytics.store import autoreply_links, autoreply_tickets

DIMENSIONS = ("lang", "case_reason", "channel")  # NULL (not given) sorts last on both databases


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _filters(period: Period, lang: str | None, case_reason: str | None, channel: str | None) -> Any:
    t = autoreply_tickets.c
    conditions = [t.created_at >= period.start, t.created_at < period.end]
    for column, value in ((t.lang, lang), (t.case_reason, case_reason), (t.channel, channel)):
        if value is not None:
            conditions.append(column == value)
    return and_(*conditions)


def _ticket_facts(where: Any) -> Any:
    """One row per ticket: its dimensions, whether anything was suggested, opened and answered solved."""
    t, link = autoreply_tickets.c, autoreply_links.c
    clicked = func.max(case((link.clicks > 0, 1), else_=0))
    solved = func.max(case((link.outcome == "solved", 1), else_=0))
    return (
        select(
            t.id,
            t.lang,
            t.case_reason,
            t.channel,
            case((t.suggested > 0, 1), else_=0).label("suggested"),
            func.coalesce(clicked, 0).label("clicked"),
            func.coalesce(solved, 0).label("solved"),
        )
        .select_from(autoreply_tickets.outerjoin(autoreply_links, link.ticket == t.id))
        .where(where)
        .group_by(t.id, t.lang, t.case_reason, t.channel, t.suggested)
        .subquery()
    )


def _totals(tickets: int, suggested: int, clicked: int, solved: int) -> dict[str, Any]:
    return {
        "tickets": tickets,
        "with_suggestions": suggested,
        "clicked": clicked,
        "solved": solved,
        "click_through_rate": _rate(clicked, suggested),
        "resolution_rate": _rate(solved, suggested),
    }


def autoreply_report(
    engine: Engine,
    period: Period,
    lang: str | None = None,
    case_reason: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """Totals; the same by language, case reason and channel; per article; tickets with no suggestion."""
    facts = _ticket_facts(_filters(period, lang, case_reason, channel))
    sums = (
        func.count(),
        func.coalesce(func.sum(facts.c.suggested), 0),
        func.coalesce(func.sum(facts.c.clicked), 0),
        func.coalesce(func.sum(facts.c.solved), 0),
    )
    with engine.connect() as connection:
        total = _totals(*map(int, connection.execute(select(*sums)).one()))
        by: dict[str, list[dict[str, Any]]] = {}
        for name in DIMENSIONS:
            column = facts.c[name]
            rows = connection.execute(
                select(column, *sums).group_by(column).order_by(func.count().desc(), column.is_(None), column)
            )
            by[name] = [{**_totals(*map(int, row[1:])), name: row[0]} for row in rows]
        articles = _articles(connection, _filters(period, lang, case_reason, channel))
        gaps = _gaps(connection, _filters(period, lang, case_reason, channel))
    return {"total": total, "by_language": by["lang"], "by_case_reason": by["case_reason"],
            "by_channel": by["channel"], "articles": articles, "no_suggestion": gaps}  # fmt: skip


def _articles(connection: Any, where: Any) -> list[dict[str, Any]]:
    t, link = autoreply_tickets.c, autoreply_links.c
    suggested = func.count()
    clicked = func.sum(case((link.clicks > 0, 1), else_=0))
    solved = func.sum(case((link.outcome == "solved", 1), else_=0))
    not_solved = func.sum(case((link.outcome == "not_solved", 1), else_=0))
    rows = connection.execute(
        select(link.article, link.lang, suggested, clicked, solved, not_solved)
        .select_from(autoreply_links.join(autoreply_tickets, link.ticket == t.id))
        .where(where)
        .group_by(link.article, link.lang)
        .order_by(suggested.desc(), link.article, link.lang)
    )
    found = []
    for article, lang, times, opened, yes, no in rows:
        times, opened, yes, no = int(times), int(opened or 0), int(yes or 0), int(no or 0)
        found.append(
            {
                "article": article,
                "lang": lang,
                "suggested": times,
                "clicked": opened,
                "solved": yes,
                "not_solved": no,
                "click_through_rate": _rate(opened, times),
                "resolution_rate": _rate(yes, times),
            }
        )
    return found


def _gaps(connection: Any, where: Any) -> list[dict[str, Any]]:
    """Tickets kb found nothing confident to suggest for, by case reason and language: content to write."""
    t = autoreply_tickets.c
    rows = connection.execute(
        select(t.case_reason, t.lang, func.count())
        .where(where, t.suggested == 0)
        .group_by(t.case_reason, t.lang)
        .order_by(func.count().desc(), t.case_reason.is_(None), t.case_reason, t.lang)
    )
    return [{"case_reason": reason, "lang": lang, "tickets": int(count)} for reason, lang, count in rows]
