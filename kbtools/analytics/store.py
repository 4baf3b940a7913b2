"""The event store: SQLAlchemy Core over SQLite (default, WAL) or PostgreSQL, with versioned migrations.

Every statement kb runs is here, in `metrics.py` or in `outcomes.py` (the service, `kb report`, `kb review`);
nothing else talks to the database.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from kbtools.analytics.location import default_database_url

# What a failing statement raises, for callers that must not know the library
StoreError = SQLAlchemyError
__all__ = ["StoreError", "default_database_url"]  # with the functions below

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

# Page views, searches, contact clicks and macro copies. No IP address, user agent or cookie: the session
# is a random id the browser tab made up.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("type", String(16), nullable=False),
    Column("article", String(200)),
    Column("lang", String(16), nullable=False),
    Column("version", String(40)),
    Column("site", String(16)),  # public (help center) or internal (wiki); deflection counts the help center
    Column("session", String(64), nullable=False),
    Column("query", String(200)),
    Column("query_norm", String(200)),
    Column("results", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The experiment the page ran for this session and the variant it served (migration 8); NULL otherwise
    Column("experiment", String(64)),
    Column("variant", String(64)),
    Index("events_type_created", "type", "created_at"),
    Index("events_session", "session"),
)

# "Did this answer your question?": one row per session and article; a later vote replaces the earlier one.
# The site is not part of that key: only an agent's tab can vote on both the help center and the wiki (the wiki
# needs a sign-in), and its later answer replaces the earlier one and counts where it was cast. A key with the
# site in it would also let a session vote twice across the upgrade (NULL, the site of rows older than
# migration 3, never conflicts with 'public') and would mean rebuilding the table on SQLite.
votes = Table(
    "votes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session", String(64), nullable=False),
    Column("article", String(200), nullable=False),
    Column("lang", String(16), nullable=False),
    Column("version", String(40)),
    Column("helpful", Boolean, nullable=False),
    Column("reason", String(32)),
    Column("comment", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("site", String(16)),  # as events.site; NULL (votes stored before migration 3) is the help center
    Column("experiment", String(64)),  # as events.experiment (migration 8)
    Column("variant", String(64)),
    UniqueConstraint("session", "article", name="votes_one_per_session"),
    Index("votes_article", "article", "lang"),
)


# Wiki sign-ins, server-side so that sign-out and a removed token end them on every worker and instance. The
# cookie holds a random session id; the table only its SHA-256 (a copy of the table signs nobody in) and an
# HMAC of the token it was made with (never the token).
wiki_sessions = Table(
    "wiki_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("agent", String(200), nullable=False),
    Column("token_fingerprint", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Failed sign-ins in the current window, for the sign-in limit; the client is an HMAC of its address.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("sign_in_failures_client_at", "client", "at"),
)


# Macro outcomes from the ticket-solved webhooks (queries in outcomes.py): one row per solved ticket and macro
macro_outcomes = Table(
    "macro_outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("helpdesk", String(16), nullable=False),  # kb, zendesk, intercom: ticket ids are the helpdesk's
    Column("ticket_id", String(64), nullable=False),
    Column("macro", String(200), nullable=False),
    Column("lang", String(16), nullable=False),
    Column("version", String(40)),  # the macro's commit when the ticket arrived
    Column("case_reason", String(100)),
    Column("satisfied", Boolean),  # None: not rated
    Column("rating", String(8)),  # as the helpdesk gave it: good, bad, or a score 1 to 5
    Column("reopened", Boolean, nullable=False),
    Column("handle_seconds", Integer),
    Column("solved_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("helpdesk", "ticket_id", "macro", name="macro_outcomes_one_per_ticket"),
    Index("macro_outcomes_macro", "macro", "lang", "solved_at"),
)

# Deliveries already taken, for replay protection: a signed delivery seen before is refused
received_deliveries = Table(
    "received_deliveries",
    metadata,
    Column("key", String(200), primary_key=True),  # helpdesk:delivery id, or helpdesk:ticket@signed timestamp
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("received_deliveries_at", "received_at"),
)

# Auto-replies (autoreply_store.py has their statements). Ticket text may hold personal data: none of it is
# stored, only the helpdesk's ticket id, language, case reason, channel, template and how many articles were
# suggested; a link keeps the SHA-256 of its token (a copy of the table opens no link).
autoreply_tickets = Table(
    "autoreply_tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", String(100), nullable=False),  # the helpdesk's id
    Column("lang", String(16), nullable=False),
    Column("case_reason", String(100)),
    Column("channel", String(32)),
    Column("template", String(200)),  # id of the auto-reply template rendered; NULL when nothing was suggested
    Column("suggested", Integer, nullable=False),  # articles suggested (0: a content gap)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("experiment", String(64)),  # the experiment on the template and the variant sent (kbtools.model.experiments)
    Column("variant", String(64)),
    Index("autoreply_tickets_created", "created_at"),
)

autoreply_links = Table(
    "autoreply_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("ticket", Integer, nullable=False),  # autoreply_tickets.id
    Column("article", String(200), nullable=False),
    Column("lang", String(16), nullable=False),
    Column("rank", Integer, nullable=False),  # 1: the best match
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("clicks", Integer, nullable=False, default=0),
    Column("first_click_at", DateTime(timezone=True)),
    Column("outcome", String(16)),  # solved, not_solved; NULL until answered
    Column("outcome_at", DateTime(timezone=True)),
    Index("autoreply_links_ticket", "ticket"),
)


def _version_1(connection: Connection) -> None:
    """The first schema, spelled out: later migrations change it with explicit DDL."""
    v1 = MetaData()
    Table(
        "events",
        v1,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("type", String(16), nullable=False),
        Column("article", String(200)),
        Column("lang", String(16), nullable=False),
        Column("version", String(40)),
        Column("session", String(64), nullable=False),
        Column("query", String(200)),
        Column("query_norm", String(200)),
        Column("results", Integer),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("events_type_created", "type", "created_at"),
        Index("events_session", "session"),
    )
    Table(
        "votes",
        v1,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("session", String(64), nullable=False),
        Column("article", String(200), nullable=False),
        Column("lang", String(16), nullable=False),
        Column("version", String(40)),
        Column("helpful", Boolean, nullable=False),
        Column("reason", String(32)),
        Column("comment", Text),
        Column("created_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("session", "article", name="votes_one_per_session"),
        Index("votes_article", "article", "lang"),
    )
    v1.create_all(connection)


def _version_2(connection: Connection) -> None:
    """Events say which site sent them, so deflection can count the help center only."""
    connection.execute(text("ALTER TABLE events ADD COLUMN site VARCHAR(16)"))


def _version_3(connection: Connection) -> None:
    """Votes say which site they were cast on, so the help-center reports leave the wiki's out. Rows stored
    before keep NULL, read as the help center (as events.site)."""
    connection.execute(text("ALTER TABLE votes ADD COLUMN site VARCHAR(16)"))


def _version_4(connection: Connection) -> None:
    """Server-side wiki sessions and the sign-in limit's counters (new tables: their definitions are final)."""
    metadata.create_all(connection, tables=[wiki_sessions, sign_in_failures])


def _version_5(connection: Connection) -> None:
    """Auto-replies: the tickets answered and their tracking links (spelled out: version 9 adds columns)."""
    v5 = MetaData()
    Table(
        "autoreply_tickets",
        v5,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("ticket_id", String(100), nullable=False),
        Column("lang", String(16), nullable=False),
        Column("case_reason", String(100)),
        Column("channel", String(32)),
        Column("template", String(200)),
        Column("suggested", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("autoreply_tickets_created", "created_at"),
    )
    Table(
        "autoreply_links",
        v5,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("token_hash", String(64), nullable=False, unique=True),
        Column("ticket", Integer, nullable=False),
        Column("article", String(200), nullable=False),
        Column("lang", String(16), nullable=False),
        Column("rank", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Column("clicks", Integer, nullable=False, default=0),
        Column("first_click_at", DateTime(timezone=True)),
        Column("outcome", String(16)),
        Column("outcome_at", DateTime(timezone=True)),
        Index("autoreply_links_ticket", "ticket"),
    )
    v5.create_all(connection)


def _version_6(connection: Connection) -> None:
    """The helpdesk webhook's outbox (kbtools/analytics/outbox.py holds the live table and its queries; the DDL
    is spelled out here, as a released migration must not change when the live definition does)."""
    v6 = MetaData()
    Table(
        "webhook_deliveries",
        v6,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("delivery_id", String(36), nullable=False, unique=True),
        Column("event", String(64), nullable=False),
        Column("body", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", DateTime(timezone=True), nullable=False),
        Column("claimed_until", DateTime(timezone=True)),
        Column("claimed_by", String(32)),
        Column("last_status", Integer),
        Column("last_error", String(500)),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("delivered_at", DateTime(timezone=True)),
        Column("dead_lettered_at", DateTime(timezone=True)),
        Index("webhook_deliveries_due", "delivered_at", "dead_lettered_at", "next_attempt_at"),
    )
    v6.create_all(connection)


def _version_7(connection: Connection) -> None:
    """Macro outcomes from the ticket-solved webhook, and the deliveries taken (replay protection)."""
    metadata.create_all(connection, tables=[macro_outcomes, received_deliveries])


def _version_8(connection: Connection) -> None:
    """Events and votes say which experiment and variant the page served (issue 14); an index for the report."""
    for table in ("events", "votes"):
        connection.execute(text(f"ALTER TABLE {table} ADD COLUMN experiment VARCHAR(64)"))
        connection.execute(text(f"ALTER TABLE {table} ADD COLUMN variant VARCHAR(64)"))
    connection.execute(text("CREATE INDEX events_experiment ON events (experiment, variant)"))


def _version_9(connection: Connection) -> None:
    """Auto-reply tickets say which experiment and variant of the template they were sent (issue 14)."""
    connection.execute(text("ALTER TABLE autoreply_tickets ADD COLUMN experiment VARCHAR(64)"))
    connection.execute(text("ALTER TABLE autoreply_tickets ADD COLUMN variant VARCHAR(64)"))
    connection.execute(text("CREATE INDEX autoreply_tickets_experiment ON autoreply_tickets (experiment, variant)"))


# Versioned migrations, applied in order at start; append, never edit a released one. Each is applied once, in
# order of its number. The Table objects above describe the latest schema, for queries; migrations spell out
# their own DDL.
MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "events and votes", _version_1),
    (2, "events.site", _version_2),
    (3, "votes.site", _version_3),
    (4, "wiki sessions and sign-in failures", _version_4),
    (5, "auto-reply tickets and tracking links", _version_5),
    (6, "helpdesk webhook deliveries", _version_6),
    (7, "macro outcomes and received webhook deliveries", _version_7),
    (8, "events.experiment and variant, votes.experiment and variant", _version_8),
    (9, "autoreply_tickets.experiment and variant", _version_9),
)


def url_problem(url: str) -> str | None:
    """What makes `url` unusable as the event store's address (`{url}` stands for it), or None: an SQLAlchemy
    URL whose database driver is installed."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        dialect = make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        return "expected an SQLAlchemy URL such as sqlite:///var/kb.sqlite3, got {url}"
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        extra = " (install kb's postgres extra: pip install 'kb[postgres]')" if dialect.name == "postgresql" else ""
        return f"the database driver {exc.name or dialect.driver!r} is not installed{extra}"
    return None


def connect(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, NORMAL sync and a busy timeout (several worker processes write).

    The engine is safe to carry across a fork (gunicorn's workers): each child process starts with a pool of
    its own, see `_own_pool_after_fork`.
    """
    engine = _create_engine(url)
    _own_pool_after_fork(engine)
    return engine


def connect_reader(url: str) -> Engine:
    """An engine that only reads the store at `url` (`kb review`): it never creates a SQLite file, its
    directory or a table, and never migrates."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        # sqlite:////abs/path gives /abs/path, sqlite:///rel gives rel, as in SQLAlchemy URLs
        return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", connect_args={"timeout": 30})
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable against a process crash, fast
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _own_pool_after_fork(engine: Engine) -> None:
    """Give a forked child process an empty pool instead of its parent's connections.

    A pooled connection is a socket (PostgreSQL) or an open file (SQLite): after a fork, parent and children
    would share it, and two processes talking over one PostgreSQL connection garble each other's messages
    (protocol errors, a commit answered to the wrong process). `dispose(close=False)` drops the inherited
    pool without closing the parent's connections. The arbiter also empties its pool before forking
    (server.py), so nothing is inherited in the first place; this holds for any pre-fork server.
    """
    reference = weakref.ref(engine)  # engines that are gone need no fresh pool (and are not kept alive)

    def fresh_pool() -> None:
        alive = reference()
        if alive is not None:
            alive.dispose(close=False)

    os.register_at_fork(after_in_child=fresh_pool)


# One writing transaction at a time per process on SQLite, which has a single writer per database: threads of
# a worker queue here instead of meeting on the file lock, where SQLite's busy handler retries with sleeps of up
# to 100 ms (32 threads writing at once took the p99 of an event POST from about 50 to 300 ms). Re-entrant, so
# a thread that writes inside its own transaction cannot deadlock. PostgreSQL needs none.
_SQLITE_WRITES = threading.RLock()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction for writes (committed at the end, rolled back on an exception), as `engine.begin()`."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with _SQLITE_WRITES, engine.begin() as connection:
        yield connection


def migrate(engine: Engine) -> int:
    """Apply pending migrations; safe when several processes start at once. Returns the schema version."""
    with engine.begin() as connection:
        # One migrator at a time: an advisory lock on PostgreSQL (several service instances); on SQLite,
        # `kb serve` migrates once before starting its worker processes.
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(727101)"))
        metadata.create_all(connection, tables=[schema_migrations])
        applied = set(connection.execute(select(schema_migrations.c.version)).scalars())
        for version, name, step in MIGRATIONS:
            if version not in applied:
                step(connection)
                connection.execute(
                    insert(schema_migrations).values(version=version, name=name, applied_at=datetime.now(UTC))
                )
        return max(version for version, _, _ in MIGRATIONS)


def insert_events(connection: Connection, rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    if rows:
        connection.execute(insert(events), rows)


def upsert_votes(connection: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Insert votes; a session voting again on the same article replaces its earlier vote."""
    for row in rows:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(votes).values(**row)
        statement = statement.on_conflict_do_update(
            index_elements=[votes.c.session, votes.c.article],
            set_={
                key: statement.excluded[key]
                for key in (
                    "lang",
                    "version",
                    "helpful",
                    "reason",
                    "comment",
                    "site",
                    "created_at",
                    "experiment",
                    "variant",
                )
            },
        )
        connection.execute(statement)


def create_wiki_session(connection: Connection, row: dict[str, Any]) -> None:
    connection.execute(insert(wiki_sessions).values(**row))


def find_wiki_session(connection: Connection, id_hash: str, now: datetime) -> dict[str, Any] | None:
    """The session with this id hash, unless it has expired."""
    row = connection.execute(
        select(wiki_sessions).where(wiki_sessions.c.id_hash == id_hash, wiki_sessions.c.expires_at > now)
    ).first()
    return dict(row._mapping) if row is not None else None


def end_wiki_session(connection: Connection, id_hash: str) -> None:
    connection.execute(delete(wiki_sessions).where(wiki_sessions.c.id_hash == id_hash))


def end_expired_wiki_sessions(connection: Connection, now: datetime) -> None:
    connection.execute(delete(wiki_sessions).where(wiki_sessions.c.expires_at <= now))


def record_sign_in_failure(connection: Connection, client: str, at: datetime, window_start: datetime) -> None:
    """Count a failed sign-in; failures older than the window are dropped on the way."""
    connection.execute(delete(sign_in_failures).where(sign_in_failures.c.at < window_start))
    connection.execute(insert(sign_in_failures).values(client=client, at=at))


def sign_in_failures_since(connection: Connection, client: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failed sign-ins `client` made since `since`, and the oldest of them."""
    count, oldest = connection.execute(
        select(func.count(), func.min(sign_in_failures.c.at)).where(
            sign_in_failures.c.client == client, sign_in_failures.c.at >= since
        )
    ).one()
    return int(count), oldest
