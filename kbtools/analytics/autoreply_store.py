"""The auto-replies' statements: tickets kb answered and the tracking links it sent (tables: store.py, migration 5).

Ticket text may hold personal data, so none of it is stored: a ticket row is the helpdesk's id, the language,
case reason and channel, the template used and how many articles were suggested; a link row is the article, its
rank, the SHA-256 of its token (a copy of the table opens no link), when it expires, its clicks and the answer
given on the article ("solved" or "not solved", once).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from kbtools.analytics.store import autoreply_links, autoreply_tickets, writing

SOLVED, NOT_SOLVED = "solved", "not_solved"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def record_ticket(engine: Engine, ticket: dict[str, Any], links: list[dict[str, Any]]) -> None:
    """Store a ticket and its links (each with its `token`, stored hashed) in one transaction."""
    with writing(engine) as connection:
        inserted = connection.execute(insert(autoreply_tickets).values(**ticket)).inserted_primary_key
        assert inserted is not None  # an INSERT of one row always has its key
        ticket_key = inserted[0]
        rows = [
            {**{k: v for k, v in link.items() if k != "token"}, "token_hash": token_hash(link["token"])}
            | {"ticket": ticket_key, "clicks": 0}
            for link in links
        ]
        if rows:
            connection.execute(insert(autoreply_links), rows)


def find_link(engine: Engine, token: str) -> dict[str, Any] | None:
    """The link of `token` with its ticket's facts, expired or not; None for a token kb never made."""
    statement = (
        select(
            autoreply_links,
            autoreply_tickets.c.ticket_id,
            autoreply_tickets.c.case_reason,
            autoreply_tickets.c.channel,
        )
        .select_from(autoreply_links.join(autoreply_tickets, autoreply_tickets.c.id == autoreply_links.c.ticket))
        .where(autoreply_links.c.token_hash == token_hash(token))
    )
    with engine.connect() as connection:
        row = connection.execute(statement).first()
    return dict(row._mapping) if row is not None else None


def record_click(engine: Engine, link_id: int, now: datetime) -> None:
    with writing(engine) as connection:
        connection.execute(
            update(autoreply_links).where(autoreply_links.c.id == link_id).values(clicks=autoreply_links.c.clicks + 1)
        )
        connection.execute(
            update(autoreply_links)
            .where(autoreply_links.c.id == link_id, autoreply_links.c.first_click_at.is_(None))
            .values(first_click_at=now)
        )


def record_outcome(engine: Engine, link_id: int, outcome: str, now: datetime) -> bool:
    """Record the answer of a link; False when it was already answered (the first answer stays)."""
    with writing(engine) as connection:
        result = connection.execute(
            update(autoreply_links)
            .where(autoreply_links.c.id == link_id, autoreply_links.c.outcome.is_(None))
            .values(outcome=outcome, outcome_at=now)
        )
    return result.rowcount == 1


def purge_before(engine: Engine, cutoff: datetime) -> int:
    """Delete tickets received before `cutoff` and their links (the retention setting); returns tickets deleted."""
    with writing(engine) as connection:
        old = select(autoreply_tickets.c.id).where(autoreply_tickets.c.created_at < cutoff)
        connection.execute(delete(autoreply_links).where(autoreply_links.c.ticket.in_(old)))
        result = connection.execute(delete(autoreply_tickets).where(autoreply_tickets.c.created_at < cutoff))
    return int(result.rowcount or 0)
