"""The helpdesk webhook's outbox: deliveries waiting to be sent, sent, or given up (dead-lettered).

A row is written in the transaction that decides to notify the helpdesk, so nothing waits for the network;
the sender (kbtools/service/outgoing.py) claims due rows, posts them and records the outcome here. Claiming
is one guarded UPDATE (`claimed_until` in the past), so any number of worker processes and instances can
send from the same table without sending a row twice at once. The body is stored as the exact bytes sent:
every attempt (and a retry asked for by an operator) sends the same body under the same delivery id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    case,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from kbtools.analytics.store import metadata, writing

CLAIM_SPARE = 10  # candidates read beyond those wanted: others may take some first
MAX_ERROR_CHARS = 500  # what an operator needs to see of a failure: the status and the start of the reply

# The live definition (queries use it); migration 6 in store.py spells out the DDL it was created with.
deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(36), nullable=False, unique=True),  # sent as X-KB-Delivery: the receiver dedupes
    Column("event", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True)),
    Column("claimed_by", String(32)),
    Column("last_status", Integer),
    Column("last_error", String(MAX_ERROR_CHARS)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Column("dead_lettered_at", DateTime(timezone=True)),
    Index("webhook_deliveries_due", "delivered_at", "dead_lettered_at", "next_attempt_at"),
)


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: every time stored here is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def at(seconds: float) -> datetime:
    """A Unix time as the aware UTC datetime the table stores."""
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class Delivery:
    """One row of the outbox."""

    id: int
    delivery_id: str
    event: str
    body: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    dead_lettered_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> Delivery:
        values = dict(row._mapping)
        return cls(
            id=values["id"],
            delivery_id=values["delivery_id"],
            event=values["event"],
            body=values["body"],
            attempts=values["attempts"],
            next_attempt_at=_aware(values["next_attempt_at"]),  # type: ignore[arg-type]
            last_status=values["last_status"],
            last_error=values["last_error"],
            created_at=_aware(values["created_at"]),  # type: ignore[arg-type]
            delivered_at=_aware(values["delivered_at"]),
            dead_lettered_at=_aware(values["dead_lettered_at"]),
        )

    @property
    def state(self) -> DeliveryState:
        if self.delivered_at is not None:
            return DeliveryState.DELIVERED
        if self.dead_lettered_at is not None:
            return DeliveryState.DEAD
        return DeliveryState.PENDING

    def as_dict(self) -> dict[str, Any]:
        def when(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment is not None else None

        return {
            "id": self.id,
            "delivery_id": self.delivery_id,
            "event": self.event,
            "state": str(self.state),
            "attempts": self.attempts,
            "next_attempt_at": when(self.next_attempt_at) if self.state is DeliveryState.PENDING else None,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "created_at": when(self.created_at),
            "delivered_at": when(self.delivered_at),
            "dead_lettered_at": when(self.dead_lettered_at),
            "payload": json.loads(self.body),
        }


def body_of(delivery_id: str, event: str, payload: dict[str, Any], created_at: datetime) -> str:
    """The JSON document the helpdesk receives (docs/operators.md describes it)."""
    document = {"id": delivery_id, "event": event, "created_at": created_at.isoformat(), "data": payload}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def add(connection: Connection, event: str, payload: dict[str, Any], now: datetime) -> str:
    """Queue `payload` as an `event` delivery, due at once; returns its delivery id. ValueError (TypeError) when
    the payload is not JSON."""
    delivery_id = str(uuid.uuid4())
    body = body_of(delivery_id, event, payload, now)
    connection.execute(
        insert(deliveries).values(
            delivery_id=delivery_id, event=event, body=body, attempts=0, next_attempt_at=now, created_at=now
        )
    )
    return delivery_id


_UNFINISHED = and_(deliveries.c.delivered_at.is_(None), deliveries.c.dead_lettered_at.is_(None))


def _claimable(now: datetime) -> Any:
    return and_(
        _UNFINISHED,
        deliveries.c.next_attempt_at <= now,
        or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
    )


def claim_due(engine: Engine, claimer: str, now: datetime, lease_until: datetime, limit: int) -> list[Delivery]:
    """Up to `limit` due deliveries nobody holds, now held by `claimer` until `lease_until`. Each row is taken by
    an UPDATE that re-checks the guard: of two senders that picked the same row, one updates it and the other
    updates nothing and goes on to the next candidate (PostgreSQL re-reads a row another transaction changed;
    SQLite has one writer at a time)."""
    with engine.connect() as connection:
        candidates = list(
            connection.execute(
                select(deliveries.c.id)
                .where(_claimable(now))
                .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
                .limit(limit + CLAIM_SPARE)
            ).scalars()
        )
    claimed: list[int] = []
    for delivery in candidates:
        with writing(engine) as connection:
            taken = connection.execute(
                sql_update(deliveries)
                .where(deliveries.c.id == delivery, _claimable(now))
                .values(claimed_by=claimer, claimed_until=lease_until)
            )
        if taken.rowcount == 1:
            claimed.append(delivery)
            if len(claimed) == limit:
                break
    if not claimed:
        return []
    with engine.connect() as connection:
        rows = connection.execute(select(deliveries).where(deliveries.c.id.in_(claimed)).order_by(deliveries.c.id))
        return [Delivery.of(row) for row in rows]


def _held_by(delivery: int, claimer: str) -> Any:
    # A sender whose lease ran out (and whose row another took) must not overwrite the newer outcome
    return and_(deliveries.c.id == delivery, deliveries.c.claimed_by == claimer, _UNFINISHED)


def record_delivered(engine: Engine, delivery: int, claimer: str, now: datetime, status: int) -> None:
    with writing(engine) as connection:
        connection.execute(
            sql_update(deliveries)
            .where(_held_by(delivery, claimer))
            .values(
                attempts=deliveries.c.attempts + 1,
                last_status=status,
                last_error=None,
                delivered_at=now,
                claimed_by=None,
                claimed_until=None,
            )
        )


def record_failure(
    engine: Engine,
    delivery: int,
    claimer: str,
    now: datetime,
    status: int | None,
    error: str,
    retry_at: datetime | None,
) -> None:
    """A failed attempt: tried again at `retry_at`, or dead-lettered now when it is None."""
    values: dict[str, Any] = {
        "attempts": deliveries.c.attempts + 1,
        "last_status": status,
        "last_error": error[:MAX_ERROR_CHARS],
        "claimed_by": None,
        "claimed_until": None,
    }
    if retry_at is None:
        values["dead_lettered_at"] = now
    else:
        values["next_attempt_at"] = retry_at
    with writing(engine) as connection:
        connection.execute(sql_update(deliveries).where(_held_by(delivery, claimer)).values(**values))


def next_due(engine: Engine) -> datetime | None:
    """When the earliest unfinished delivery can next be claimed (due, and its claim, if any, ran out), or None."""
    free_at = case(
        (deliveries.c.claimed_until > deliveries.c.next_attempt_at, deliveries.c.claimed_until),
        else_=deliveries.c.next_attempt_at,
    )
    with engine.connect() as connection:
        due = connection.execute(select(func.min(free_at)).where(_UNFINISHED)).scalar()
    if isinstance(due, str):  # SQLite returns the text of a CASE over datetimes
        due = datetime.fromisoformat(due)
    return _aware(due)


def purge_delivered(engine: Engine, before: datetime) -> int:
    """Remove deliveries delivered before `before` (dead letters stay until an operator retries them)."""
    with writing(engine) as connection:
        return connection.execute(sql_delete(deliveries).where(deliveries.c.delivered_at < before)).rowcount


def find(engine: Engine, ids: Iterable[int]) -> list[Delivery]:
    with engine.connect() as connection:
        rows = connection.execute(select(deliveries).where(deliveries.c.id.in_(list(ids))).order_by(deliveries.c.id))
        return [Delivery.of(row) for row in rows]


def list_deliveries(engine: Engine, states: Iterable[DeliveryState], limit: int) -> list[Delivery]:
    """The newest deliveries in `states`, newest first."""
    conditions = []
    for state in set(states):
        if state is DeliveryState.PENDING:
            conditions.append(_UNFINISHED)
        elif state is DeliveryState.DELIVERED:
            conditions.append(deliveries.c.delivered_at.is_not(None))
        else:
            conditions.append(deliveries.c.dead_lettered_at.is_not(None))
    with engine.connect() as connection:
        rows = connection.execute(
            select(deliveries).where(or_(*conditions)).order_by(deliveries.c.id.desc()).limit(limit)
        )
        return [Delivery.of(row) for row in rows]


def counts(engine: Engine) -> dict[str, int]:
    """Deliveries in each state (every state present, 0 when none)."""
    with engine.connect() as connection:
        delivered = connection.execute(select(func.count()).where(deliveries.c.delivered_at.is_not(None))).scalar_one()
        dead = connection.execute(select(func.count()).where(deliveries.c.dead_lettered_at.is_not(None))).scalar_one()
        pending = connection.execute(select(func.count()).where(_UNFINISHED)).scalar_one()
    return {str(DeliveryState.PENDING): pending, str(DeliveryState.DEAD): dead, str(DeliveryState.DELIVERED): delivered}


def retry(engine: Engine, now: datetime, ids: Iterable[int] = (), all_dead: bool = False) -> list[int]:
    """Dead-lettered deliveries sent again from the first attempt, due now; the ids put back. Delivered or
    pending ones are left as they are (the caller tells the operator which)."""
    ids = list(ids)
    condition: ColumnElement[bool] = deliveries.c.dead_lettered_at.is_not(None)
    if not all_dead:
        condition = and_(condition, deliveries.c.id.in_(ids))
    with writing(engine) as connection:
        chosen = list(connection.execute(select(deliveries.c.id).where(condition)).scalars())
        if chosen:
            connection.execute(
                sql_update(deliveries)
                .where(deliveries.c.id.in_(chosen))
                .values(dead_lettered_at=None, attempts=0, next_attempt_at=now, claimed_by=None, claimed_until=None)
            )
    return sorted(chosen)


@dataclass(frozen=True)
class DeliveryList:
    """`kb webhooks list`'s answer, as text or JSON."""

    deliveries: list[Delivery]
    counts: dict[str, int]

    def as_json(self) -> str:
        payload = {"counts": self.counts, "deliveries": [delivery.as_dict() for delivery in self.deliveries]}
        return json.dumps(payload, indent=2, ensure_ascii=False)

    def as_text(self) -> str:
        lines = []
        for delivery in self.deliveries:
            state = delivery.state
            if state is DeliveryState.PENDING:
                when = f"next attempt {delivery.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC"
            elif state is DeliveryState.DELIVERED:
                when = f"delivered {delivery.delivered_at:%Y-%m-%d %H:%M:%S} UTC"
            else:
                when = f"dead-lettered {delivery.dead_lettered_at:%Y-%m-%d %H:%M:%S} UTC"
            lines.append(f"{delivery.id:>6}  {state:<9}  {delivery.event}  {delivery.attempts} attempts  {when}")
            if delivery.last_error and state is not DeliveryState.DELIVERED:
                lines.append(f"        last error: {delivery.last_error}")
        if not self.deliveries:
            lines.append("No deliveries.")
        summary = ", ".join(f"{count} {state}" for state, count in self.counts.items())
        lines.append(f"Helpdesk webhook: {summary}.")
        if self.counts.get(str(DeliveryState.DEAD)):
            lines.append("Send dead-lettered deliveries again with `kb webhooks retry --all-dead` (or an id).")
        return "\n".join(lines)


@dataclass(frozen=True)
class RetryReport:
    """`kb webhooks retry`'s answer: the deliveries put back, and why others were not."""

    retried: list[int]
    problems: list[str]

    def as_json(self) -> str:
        return json.dumps({"retried": self.retried, "problems": self.problems}, indent=2, ensure_ascii=False)

    def as_text(self) -> str:
        lines = [f"Queued again: {', '.join(map(str, self.retried))}." if self.retried else "Nothing queued again."]
        lines.extend(self.problems)
        return "\n".join(lines)
