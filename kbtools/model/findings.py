"""A finding: one problem in one file, at one line, about one key."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    path: Path
    line: int
    rule: str
    message: str
    severity: Severity = Severity.ERROR
    key: str | None = None

    def as_dict(self, root: Path | None = None) -> dict[str, object]:
        data = asdict(self)
        data["path"] = display_path(self.path, root)
        data["severity"] = str(self.severity)
        return data


def display_path(path: Path, root: Path | None) -> str:
    """`path` relative to `root` when inside it, for short, clickable messages."""
    if root is not None:
        try:
            # the folder resolved, not the file: a symbolic link is named, not what it points to
            return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)
