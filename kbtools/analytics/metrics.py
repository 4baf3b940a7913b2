"""The numbers support operations steer by, computed in SQL over the event store.

Definitions (docs/operators.md repeats them for readers of the reports):
- views: view events; sessions: distinct sessions with a view of the page.
- helpful rate: yes votes / all votes; Wilson 95% lower bound ranks pages fairly whatever their vote count.
- contact rate: sessions that viewed the page and clicked "Contact support" on it / sessions that viewed it.
- deflection rate: 1 - sessions that contacted support / sessions with a view (help center only).
- self-service score: help-center sessions / sessions that contacted support.
- contact-step deflection: of the sessions that opened the contact step (the page "Contact support" leads
  to), those that opened one of its suggested articles and did not contact support afterwards.
- copies: macro_used events (an agent copied a macro's reply in the wiki); sessions: distinct agents' tabs.

Views, votes and contacts are counted on the help center unless a report asks for the wiki (`site`): events
and votes stored before they said where they came from (site NULL) count as the help center.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, case, distinct, func, literal, select, true

from kbtools.analytics.periods import Period
from kbtools.analytics.store import events, votes
from kbtools.model.vocabulary import REPORT_SITES, EventType, Site

Z_95 = 1.959963984540054


def wilson_lower_bound(positive: int, total: int, z: float = Z_95) -> float | None:
    """Lower bound of the Wilson score interval for a proportion; None without votes."""
    if total == 0:
        return None
    p = positive / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt((p * (1 - p) + z * z / (4 * total)) / total)
    return (centre - margin) / (1 + z * z / total)


def _in(table: Any, period: Period, lang: str | None) -> Any:
    condition = and_(table.c.created_at >= period.start, table.c.created_at < period.end)
    return and_(condition, table.c.lang == lang) if lang else condition


SITES = REPORT_SITES  # which site a report counts: the help center (default), the agent wiki, or both


def _on(table: Any, site: str) -> Any:
    """Rows of `table` (events or votes) from `site`; a NULL site (rows older than the column) is public."""
    if site not in SITES:
        raise ValueError(f"site must be one of {', '.join(SITES)}, not {site!r}")
    if site == "all":
        return true()
    return func.coalesce(table.c.site, Site.PUBLIC.value) == site


def article_stats(
    engine: Engine, period: Period, lang: str | None = None, by_version: bool = False, site: str = Site.PUBLIC.value
) -> list[dict]:
    keys = [events.c.article, events.c.lang] + ([events.c.version] if by_version else [])
    view_rows = (
        select(
            *keys,
            func.count().label("views"),
            func.count(distinct(events.c.session)).label("sessions"),
        )
        .where(events.c.type == "view", _in(events, period, lang), _on(events, site))
        .group_by(*keys)
    )
    viewers = (
        select(events.c.article, events.c.lang, events.c.session, *([events.c.version] if by_version else []))
        .where(events.c.type == "view", _in(events, period, lang), _on(events, site))
        .distinct()
        .subquery()
    )
    contacts = (
        select(events.c.article, events.c.lang, events.c.session)
        .where(events.c.type == "contact", _in(events, period, lang), _on(events, site))
        .distinct()
        .subquery()
    )
    contact_keys = [viewers.c.article, viewers.c.lang] + ([viewers.c.version] if by_version else [])
    contact_rows = (
        select(*contact_keys, func.count().label("contact_sessions"))
        .select_from(
            viewers.join(
                contacts,
                and_(
                    viewers.c.article == contacts.c.article,
                    viewers.c.lang == contacts.c.lang,
                    viewers.c.session == contacts.c.session,
                ),
            )
        )
        .group_by(*contact_keys)
    )
    vote_keys = [votes.c.article, votes.c.lang] + ([votes.c.version] if by_version else [])
    vote_rows = (
        select(
            *vote_keys,
            func.sum(case((votes.c.helpful, 1), else_=0)).label("up"),
            func.sum(case((votes.c.helpful, 0), else_=1)).label("down"),
        )
        .where(_in(votes, period, lang), _on(votes, site))
        .group_by(*vote_keys)
    )
    with engine.connect() as connection:
        table: dict[tuple, dict[str, Any]] = {}

        def row_for(key: tuple) -> dict[str, Any]:
            names = ["article", "lang"] + (["version"] if by_version else [])
            return table.setdefault(
                key,
                {
                    **dict(zip(names, key, strict=True)),
                    "views": 0,
                    "sessions": 0,
                    "votes_up": 0,
                    "votes_down": 0,
                    "contact_sessions": 0,
                },
            )

        width = len(keys)
        for row in connection.execute(view_rows):
            entry = row_for(tuple(row[:width]))
            entry["views"], entry["sessions"] = row.views, row.sessions
        for row in connection.execute(contact_rows):
            row_for(tuple(row[:width]))["contact_sessions"] = row.contact_sessions
        for row in connection.execute(vote_rows):
            entry = row_for(tuple(row[:width]))
            entry["votes_up"], entry["votes_down"] = int(row.up or 0), int(row.down or 0)
    results = []
    for entry in table.values():
        total = entry["votes_up"] + entry["votes_down"]
        entry["helpful_rate"] = entry["votes_up"] / total if total else None
        entry["helpful_lower_bound"] = wilson_lower_bound(entry["votes_up"], total)
        entry["contact_rate"] = entry["contact_sessions"] / entry["sessions"] if entry["sessions"] else None
        results.append(entry)
    return sorted(results, key=lambda e: (-e["views"], e["article"], e["lang"], str(e.get("version"))))


def deflection(engine: Engine, period: Period, lang: str | None = None) -> dict[str, Any]:
    day = _day_column(engine, events.c.created_at)
    public = and_(_in(events, period, lang), _on(events, Site.PUBLIC.value))
    per_day = (
        select(
            day.label("day"),
            func.count(distinct(events.c.session)).label("sessions"),
            func.count(distinct(case((events.c.type == "view", events.c.session)))).label("view_sessions"),
            func.count(distinct(case((events.c.type == "contact", events.c.session)))).label("contact_sessions"),
        )
        .where(public)
        .group_by(day)
        .order_by(day)
    )
    totals = select(
        func.count(distinct(events.c.session)).label("sessions"),
        func.count(distinct(case((events.c.type == "view", events.c.session)))).label("view_sessions"),
        func.count(distinct(case((events.c.type == "contact", events.c.session)))).label("contact_sessions"),
    ).where(public)
    step_days, step_total = _contact_step(engine, public)
    with engine.connect() as connection:
        days = [_deflection_row(dict(row._mapping)) for row in connection.execute(per_day)]
        total = _deflection_row(dict(connection.execute(totals).one()._mapping))
        for row in days:
            row.update(_step_row(step_days.get(row["day"])))
        total.update(_step_row(step_total))
    return {
        "from": period.start.date().isoformat(),
        "to": (period.end - timedelta(days=1)).date().isoformat(),
        "lang": lang,
        "days": days,
        "total": total,
    }


_STEP_EVENTS = ("contact_step", "contact_answer", "contact")


def _contact_step(engine: Engine, public: Any) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Contact-step sessions, those that opened a suggestion, and those of them that did not contact support
    after the first suggestion they opened: per day of their first contact step, and in total."""
    per_session = (
        select(
            events.c.session,
            func.min(case((events.c.type == "contact_step", events.c.created_at))).label("step_at"),
            func.min(case((events.c.type == "contact_answer", events.c.created_at))).label("answer_at"),
            func.max(case((events.c.type == "contact", events.c.created_at))).label("contact_at"),
        )
        .where(public, events.c.type.in_(_STEP_EVENTS))
        .group_by(events.c.session)
        .subquery()
    )
    answered = per_session.c.answer_at.is_not(None)
    deflected = and_(
        answered, (per_session.c.contact_at.is_(None)) | (per_session.c.contact_at < per_session.c.answer_at)
    )
    counts = (
        func.count().label("contact_step_sessions"),
        func.count(per_session.c.answer_at).label("contact_step_answer_sessions"),
        func.coalesce(func.sum(case((deflected, 1), else_=0)), 0).label("contact_step_deflected_sessions"),
    )
    day = _day_column(engine, per_session.c.step_at)
    opened = per_session.c.step_at.is_not(None)
    with engine.connect() as connection:
        by_day = {
            row.day: dict(row._mapping)
            for row in connection.execute(select(day.label("day"), *counts).where(opened).group_by(day))
        }
        total = dict(connection.execute(select(*counts).where(opened)).one()._mapping)
    return by_day, total


def _step_row(counts: dict[str, Any] | None) -> dict[str, Any]:
    counts = counts or {}
    row: dict[str, Any] = {
        name: int(counts.get(name) or 0)
        for name in ("contact_step_sessions", "contact_step_answer_sessions", "contact_step_deflected_sessions")
    }
    opened = row["contact_step_sessions"]
    row["contact_step_deflection_rate"] = row["contact_step_deflected_sessions"] / opened if opened else None
    return row


def _deflection_row(row: dict[str, Any]) -> dict[str, Any]:
    views, contacts, sessions = row["view_sessions"], row["contact_sessions"], row["sessions"]
    row["deflection_rate"] = 1 - contacts / views if views else None
    row["self_service_score"] = sessions / contacts if contacts else None
    return row


def search_gaps(engine: Engine, period: Period, lang: str | None = None, limit: int = 100) -> dict[str, list[dict]]:
    """Searches with no results, and searches followed by a contact in the same session."""
    searches = and_(events.c.type == "search", _in(events, period, lang))
    no_results = (
        select(
            events.c.query_norm.label("query"),
            events.c.lang,
            func.count().label("searches"),
            func.count(distinct(events.c.session)).label("sessions"),
            func.max(events.c.created_at).label("last_seen"),
        )
        .where(searches, events.c.results == 0, events.c.query_norm != "")
        .group_by(events.c.query_norm, events.c.lang)
        .order_by(func.count().desc(), events.c.query_norm)
        .limit(limit)
    )
    search_events = (
        select(events.c.session, events.c.query_norm, events.c.lang, events.c.created_at)
        .where(searches, events.c.query_norm != "")
        .subquery()
    )
    contact_events = (
        select(events.c.session, events.c.created_at)
        .where(events.c.type == "contact", _in(events, period, lang))
        .subquery()
    )
    followed = (
        select(
            search_events.c.query_norm.label("query"),
            search_events.c.lang,
            func.count(distinct(search_events.c.session)).label("sessions"),
        )
        .select_from(
            search_events.join(
                contact_events,
                and_(
                    search_events.c.session == contact_events.c.session,
                    contact_events.c.created_at >= search_events.c.created_at,
                ),
            )
        )
        .group_by(search_events.c.query_norm, search_events.c.lang)
        .order_by(func.count(distinct(search_events.c.session)).desc(), search_events.c.query_norm)
        .limit(limit)
    )
    with engine.connect() as connection:
        empty = [
            dict(row._mapping) | {"last_seen": row.last_seen.isoformat()} for row in connection.execute(no_results)
        ]
        then_contact = [dict(row._mapping) for row in connection.execute(followed)]
    return {"no_results": empty, "followed_by_contact": then_contact}


def _day_column(engine: Engine, column: Any) -> Any:
    if engine.dialect.name == "sqlite":
        return func.date(column)
    # Days are UTC days whatever the server's or the session's time zone (to_char uses the session's)
    return func.to_char(func.timezone(literal("UTC"), column), literal("YYYY-MM-DD"))


def daily_activity(engine: Engine, period: Period, lang: str | None = None) -> list[dict[str, Any]]:
    """Per day: help-center page views and votes."""
    view_day = _day_column(engine, events.c.created_at)
    vote_day = _day_column(engine, votes.c.created_at)
    views_q = (
        select(view_day.label("day"), func.count().label("views"))
        .where(events.c.type == "view", _in(events, period, lang), _on(events, Site.PUBLIC.value))
        .group_by(view_day)
    )
    votes_q = (
        select(
            vote_day.label("day"),
            func.sum(case((votes.c.helpful, 1), else_=0)).label("up"),
            func.count().label("total"),
        )
        .where(_in(votes, period, lang), _on(votes, Site.PUBLIC.value))
        .group_by(vote_day)
    )
    days: dict[str, dict[str, Any]] = {}
    current = period.start.date()
    while current < period.end.date():
        days[current.isoformat()] = {"day": current.isoformat(), "views": 0, "votes_up": 0, "votes": 0}
        current += timedelta(days=1)
    with engine.connect() as connection:
        for row in connection.execute(views_q):
            days.setdefault(str(row.day), {"day": str(row.day), "views": 0, "votes_up": 0, "votes": 0})["views"] = (
                row.views
            )
        for row in connection.execute(votes_q):
            entry = days.setdefault(str(row.day), {"day": str(row.day), "views": 0, "votes_up": 0, "votes": 0})
            entry["votes_up"], entry["votes"] = int(row.up or 0), int(row.total)
    for entry in days.values():
        entry["helpful_rate"] = entry["votes_up"] / entry["votes"] if entry["votes"] else None
    return [days[key] for key in sorted(days)]


def latest_comments(
    engine: Engine, period: Period, limit: int = 20, site: str = Site.PUBLIC.value
) -> list[dict[str, Any]]:
    """The latest vote comments on one site: readers' on the help center, agents' on the wiki."""
    query = (
        select(votes.c.article, votes.c.lang, votes.c.helpful, votes.c.reason, votes.c.comment, votes.c.created_at)
        .where(_in(votes, period, None), _on(votes, site), votes.c.comment.is_not(None))
        .order_by(votes.c.created_at.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def macro_copies(engine: Engine, period: Period, lang: str | None = None, limit: int | None = None) -> list[dict]:
    """Per macro and language: copies of its reply (macro_used events, from the wiki) and the agents' sessions
    that copied it, most copied first."""
    copies = func.count().label("copies")
    query = (
        select(
            events.c.article,
            events.c.lang,
            copies,
            func.count(distinct(events.c.session)).label("sessions"),
        )
        .where(events.c.type == "macro_used", _in(events, period, lang))
        .group_by(events.c.article, events.c.lang)
        .order_by(copies.desc(), events.c.article, events.c.lang)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def page_views(engine: Engine, since: datetime) -> dict[tuple[str, str], int]:
    """{(article id, lang): view events since `since`} on both sites: what agents read counts too."""
    query = (
        select(events.c.article, events.c.lang, func.count())
        .where(events.c.type == EventType.VIEW, events.c.article.is_not(None), events.c.created_at >= since)
        .group_by(events.c.article, events.c.lang)
    )
    with engine.connect() as connection:
        return {(str(article), str(lang)): int(views) for article, lang, views in connection.execute(query)}


def most_viewed_public(engine: Engine, lang: str, since: datetime) -> list[tuple[str, int]]:
    """[(article id, views)] of the help center (public site) in `lang` since `since`, most viewed first
    (ties by id): the home page's popular articles, before the caller keeps those it still publishes."""
    views = func.count().label("views")
    query = (
        select(events.c.article, views)
        .where(
            events.c.type == EventType.VIEW,
            events.c.lang == lang,
            _on(events, Site.PUBLIC.value),
            events.c.created_at >= since,
        )
        .group_by(events.c.article)
        .order_by(views.desc(), events.c.article)
    )
    with engine.connect() as connection:
        return [(str(article), int(count)) for article, count in connection.execute(query)]
