"""Ticket outcomes of macros: what the helpdesk says when a ticket is solved, and the reports per macro.

A solved ticket arrives by webhook (`kbtools/service/ticket_solved.py`) with the macros applied to it; one row is
kept per ticket and macro. A later delivery for the same ticket (solved again after a reopen, a rating given
later) replaces the ticket's rows: a ticket counts once, with what is known last. Nothing of the ticket's text is
kept, only the facts the reports need.

Definitions (docs/operators.md repeats them):
- uses: tickets solved with the macro applied; rated: those with a satisfaction answer.
- satisfaction rate: satisfied / rated; the Wilson 95% lower bound ranks macros fairly whatever their count.
  Good/bad ratings map to yes/no; scores 1 to 5 to yes for 4 and 5 (the usual top-two-box CSAT), the raw
  score is kept.
- reopen rate: reopened / uses; median handle time: of the uses that gave one, in seconds.
- weeks start on Monday (UTC); a macro's version is the commit its file was last changed in, as the sites
  stamp it, known by the service when the ticket arrived.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from kbtools.analytics.metrics import wilson_lower_bound
from kbtools.analytics.periods import Period
from kbtools.analytics.store import macro_outcomes, received_deliveries

GOOD, BAD = "good", "bad"
SATISFIED_FROM = 4  # a score of 4 or 5 out of 5 is a satisfied customer


def satisfied_from(rating: str | None) -> bool | None:
    """Satisfied yes/no from a rating already normalised (good, bad, or '1' to '5'); None when not rated."""
    if rating is None:
        return None
    if rating in (GOOD, BAD):
        return rating == GOOD
    return int(rating) >= SATISFIED_FROM


@dataclass(frozen=True)
class SolvedTicket:
    """One ticket-solved delivery, checked: every macro is a published macro of the knowledge base."""

    helpdesk: str
    ticket_id: str
    macros: tuple[str, ...]
    lang: str
    case_reason: str | None
    rating: str | None
    reopened: bool
    handle_seconds: int | None


class AlreadyReceived(Exception):
    """The delivery was taken before: a replay, or a helpdesk retrying a delivery kb answered."""


def record_solved(
    connection: Connection,
    ticket: SolvedTicket,
    versions: dict[str, str | None],
    delivery_key: str,
    now: datetime,
    forget_before: datetime,
) -> int:
    """Store `ticket`'s outcome per macro (replacing what an earlier delivery said about the ticket) and its
    delivery key; AlreadyReceived when the key was seen. Keys older than `forget_before` are dropped on the way.
    Returns the rows stored. Run it in one transaction: a refused delivery stores nothing."""
    connection.execute(delete(received_deliveries).where(received_deliveries.c.received_at < forget_before))
    key = delivery_key[:200]
    seen = connection.execute(select(received_deliveries.c.key).where(received_deliveries.c.key == key)).first()
    if seen is not None:
        raise AlreadyReceived(delivery_key)
    try:  # two copies at once: the second insert fails, and its transaction (stored nothing yet) is rolled back
        connection.execute(insert(received_deliveries).values(key=key, received_at=now))
    except IntegrityError:
        raise AlreadyReceived(delivery_key) from None
    connection.execute(
        delete(macro_outcomes).where(
            macro_outcomes.c.helpdesk == ticket.helpdesk, macro_outcomes.c.ticket_id == ticket.ticket_id
        )
    )
    rows = [
        {
            "helpdesk": ticket.helpdesk,
            "ticket_id": ticket.ticket_id,
            "macro": macro,
            "lang": ticket.lang,
            "version": versions.get(macro),
            "case_reason": ticket.case_reason,
            "satisfied": satisfied_from(ticket.rating),
            "rating": ticket.rating,
            "reopened": ticket.reopened,
            "handle_seconds": ticket.handle_seconds,
            "solved_at": now,
        }
        for macro in ticket.macros
    ]
    if rows:
        connection.execute(insert(macro_outcomes), rows)
    return len(rows)


def outcome_count(engine: Engine) -> int:
    """Rows stored (tests and the operators' checks)."""
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(macro_outcomes)).scalar_one())


# Reports -------------------------------------------------------------------------------------------------


def week_of(moment: datetime) -> str:
    """The Monday (UTC) starting the week of `moment`, YYYY-MM-DD."""
    day = moment.date() if moment.tzinfo is None else moment.astimezone(UTC).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def figures(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """uses, rated, satisfied, satisfaction rate and its Wilson lower bound, reopened and its rate, median
    handle time, for the outcome rows given."""
    uses = len(rows)
    rated = [row["satisfied"] for row in rows if row["satisfied"] is not None]
    satisfied = sum(1 for value in rated if value)
    reopened = sum(1 for row in rows if row["reopened"])
    handle = [row["handle_seconds"] for row in rows if row["handle_seconds"] is not None]
    return {
        "uses": uses,
        "rated": len(rated),
        "satisfied": satisfied,
        "satisfaction_rate": satisfied / len(rated) if rated else None,
        "satisfaction_lower_bound": wilson_lower_bound(satisfied, len(rated)),
        "reopened": reopened,
        "reopen_rate": reopened / uses if uses else None,
        "median_handle_seconds": statistics.median(handle) if handle else None,
    }


def _rows(engine: Engine, period: Period | None, lang: str | None, macro: str | None) -> list[dict[str, Any]]:
    conditions = []
    if period is not None:
        conditions += [macro_outcomes.c.solved_at >= period.start, macro_outcomes.c.solved_at < period.end]
    if lang:
        conditions.append(macro_outcomes.c.lang == lang)
    if macro:
        conditions.append(macro_outcomes.c.macro == macro)
    query = select(
        macro_outcomes.c.macro,
        macro_outcomes.c.lang,
        macro_outcomes.c.version,
        macro_outcomes.c.satisfied,
        macro_outcomes.c.reopened,
        macro_outcomes.c.handle_seconds,
        macro_outcomes.c.solved_at,
    ).where(and_(*conditions))
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def _grouped(rows: Iterable[dict[str, Any]], key: str) -> list[tuple[Any, list[dict[str, Any]]]]:
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return sorted(groups.items(), key=lambda item: str(item[0]))


def macro_outcome_report(
    engine: Engine, period: Period | None = None, lang: str | None = None, macro: str | None = None
) -> list[dict[str, Any]]:
    """Per macro and language: the figures, then per week (oldest first) and per version (the versions in the
    order they were first used). Most used first."""
    rows = _rows(engine, period, lang, macro)
    for row in rows:
        row["week"] = week_of(row["solved_at"])
    per_macro: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        per_macro.setdefault((row["macro"], row["lang"]), []).append(row)
    report = []
    for (name, language), group in per_macro.items():
        first_used: dict[Any, datetime] = {}
        for row in sorted(group, key=lambda r: r["solved_at"]):
            first_used.setdefault(row["version"], row["solved_at"])
        versions = sorted(_grouped(group, "version"), key=lambda item: first_used[item[0]])
        report.append(
            {
                "macro": name,
                "lang": language,
                **figures(group),
                "weeks": [{"week": week, **figures(items)} for week, items in _grouped(group, "week")],
                "versions": [{"version": version, **figures(items)} for version, items in versions],
            }
        )
    return sorted(report, key=lambda entry: (-entry["uses"], entry["macro"], entry["lang"]))
