"""Page views recorded by the kb service, for ranking reviews (`kb review`).

The service stores reader events in its SQL database (see docs/operators.md; the CLI finds it as `kb serve`
does and passes its URL): one row
per page view in `events` (type 'view', article = the page id, lang, created_at). kb reads one aggregate,
the views per article and language over a recent window, with plain DB-API drivers (sqlite3, psycopg),
so this module does not depend on the service's web framework or ORM. With no database, `read_views`
returns None and reviews are ranked by days overdue alone.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

from kbtools.errors import KbError
from kbtools.reviews import ViewCounts

WINDOW_DAYS = 90  # views of the last quarter: recent reading, not all-time popularity
_QUERY = (
    "SELECT article, lang, COUNT(*) FROM events "
    "WHERE type = 'view' AND article IS NOT NULL AND created_at >= {mark} GROUP BY article, lang"
)


class ViewsUnavailableError(KbError):
    """A database is configured but its view counts cannot be read."""


def read_views(url: str | None, now: datetime | None = None, days: int = WINDOW_DAYS) -> ViewCounts | None:
    """{(article id, lang): views in the last `days` days} from the database at `url`; None without one."""
    if url is None:
        return None
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    if url.startswith("sqlite:///"):
        rows = _sqlite_rows(url.removeprefix("sqlite:///"), since)
    elif url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        rows = _postgresql_rows(url, since)
    else:
        scheme = url.split(":", 1)[0]
        raise ViewsUnavailableError(f"the service database is {scheme}; kb review reads SQLite and PostgreSQL")
    return {(str(article), str(lang)): int(views) for article, lang, views in rows}


def _sqlite_rows(path: str, since: datetime) -> list[Any]:
    # sqlite:////abs/path gives /abs/path, sqlite:///rel gives rel, as in SQLAlchemy URLs
    if not os.path.exists(path):
        raise ViewsUnavailableError(f"the service database {path} does not exist")
    # The service's SQLite timestamps are text, 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, so text order is time order.
    mark = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            return connection.execute(_QUERY.format(mark="?"), (mark,)).fetchall()
    except sqlite3.Error as exc:
        raise ViewsUnavailableError(f"cannot read view counts from {path}: {exc}") from None


def _postgresql_rows(url: str, since: datetime) -> list[Any]:
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        with psycopg.connect(conninfo, connect_timeout=5) as connection:
            return connection.execute(_QUERY.format(mark="%s"), (since,)).fetchall()
    except psycopg.Error as exc:
        raise ViewsUnavailableError(f"cannot read view counts from the PostgreSQL database: {exc}") from None
