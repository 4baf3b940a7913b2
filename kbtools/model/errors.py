"""Exceptions raised by kb's library code. The CLI turns them into one clean message and an exit code."""

from __future__ import annotations

from pathlib import Path


class KbError(Exception):
    """Base class of every error kb reports to a user (as opposed to a bug)."""


class RootNotFoundError(KbError):
    """No knowledge base (a folder with `mkdocs.yml` and `content/`) at or above the given folder."""


class ContentError(KbError):
    """A content or configuration file is wrong; names the file, line and key."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, key: str | None = None):
        self.path = Path(path)
        self.line = line
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) + (f":{self.line}" if self.line else "")
        key = f" [{self.key}]" if self.key else ""
        return f"{where}:{key} {self.message}"


class UsageError(KbError):
    """A command was asked for something impossible (a file exists already, an unknown category...)."""
