"""Where the event store is when nothing says otherwise (no database library imported: `kb review` asks this
before it knows whether there is a store to read)."""

from __future__ import annotations

from pathlib import Path


def default_database_url(root: Path) -> str:
    """The SQLite file `kb serve` creates under the knowledge base's var/ folder."""
    return f"sqlite:///{root / 'var' / 'kb.sqlite3'}"
