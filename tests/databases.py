"""Event stores for tests: a fresh SQLite file, or the real PostgreSQL server of KB_TEST_DATABASE_URL.

The PostgreSQL variant fails (does not skip) when no server is configured: scripts/test and CI start one.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text

import kbtools.analytics.outbox  # noqa: F401  (its table joins `metadata`, so each test starts without it)
from kbtools.analytics.store import connect, metadata, schema_migrations

BACKENDS = ["sqlite", "postgresql"]


def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'events.sqlite3'}"
    url = os.environ.get("KB_TEST_DATABASE_URL")
    assert url, "KB_TEST_DATABASE_URL is not set: run the tests with scripts/test (it starts PostgreSQL)"
    engine = connect(url)
    with engine.begin() as connection:  # a clean schema for every test
        metadata.drop_all(connection)
        connection.execute(text(f"DROP TABLE IF EXISTS {schema_migrations.name}"))
    engine.dispose()
    return url
