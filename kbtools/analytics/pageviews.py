"""Page views and macro outcomes from the service's event store, for ranking reviews (`kb review`).

The CLI finds the database as `kb serve` does and passes its URL. kb reads one aggregate, the views per
article and language over a recent window, through a reading engine (nothing is created or migrated). With no
database, `read_views` returns None and reviews are ranked by days overdue alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from kbtools.analytics.metrics import page_views
from kbtools.analytics.outcomes import macro_outcome_report
from kbtools.analytics.periods import Period
from kbtools.analytics.store import connect_reader
from kbtools.governance.reviews import ViewCounts
from kbtools.model.errors import KbError

WINDOW_DAYS = 90  # views of the last quarter: recent reading, not all-time popularity
_SCHEMES = ("sqlite:///", "postgresql://", "postgresql+psycopg://", "postgres://")


class ViewsUnavailableError(KbError):
    """A database is configured but its view counts cannot be read."""


def read_views(url: str | None, now: datetime | None = None, days: int = WINDOW_DAYS) -> ViewCounts | None:
    """{(article id, lang): views in the last `days` days} from the database at `url`; None without one."""
    if url is None:
        return None
    since = (now or datetime.now(UTC)).astimezone(UTC) - timedelta(days=days)
    return _read(url, "view counts", lambda engine: page_views(engine, since))


def read_macro_outcomes(url: str, now: datetime | None = None, days: int = WINDOW_DAYS) -> list[dict[str, Any]]:
    """The macro outcome figures (per macro and language) of tickets solved in the last `days` days."""
    end = (now or datetime.now(UTC)).astimezone(UTC)
    period = Period(end - timedelta(days=days), end)
    return _read(url, "macro outcomes", lambda engine: macro_outcome_report(engine, period))


T = TypeVar("T")


def _read(url: str, what: str, query: Callable[[Engine], T]) -> T:
    """`query` run on a reading engine for the database at `url`; ViewsUnavailableError when it cannot be read."""
    if not url.startswith(_SCHEMES):
        scheme = url.split(":", 1)[0]
        raise ViewsUnavailableError(f"the service database is {scheme}; kb review reads SQLite and PostgreSQL")
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    where = "the PostgreSQL database"
    if url.startswith("sqlite:///"):
        where = url.removeprefix("sqlite:///")
        if not os.path.exists(where):
            raise ViewsUnavailableError(f"the service database {where} does not exist")
    engine = connect_reader(url)
    try:
        return query(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ViewsUnavailableError(f"cannot read {what} from {where}: {reason}") from None
    finally:
        engine.dispose()
