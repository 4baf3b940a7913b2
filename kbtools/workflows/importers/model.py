"""What a reader makes of a source: pages (one file each, in one language) and taxonomy entries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtools.model.vocabulary import Audience


@dataclass
class Note:
    """Something in one imported page that needs a person's eye."""

    kind: str  # e.g. unresolved-link, outdated-translation, missing-image, title-shortened
    message: str


@dataclass
class ImportedPage:
    key: str  # stable identity in the source ("zendesk:360001:fr", "markdown:docs/a.md"), for re-imports
    lang: str
    rel: str  # path inside content/<lang>/
    meta: dict[str, Any]
    body: str
    source: str  # where it came from, for the report (a URL or a source path)
    notes: list[Note] = field(default_factory=list)

    def note(self, kind: str, message: str) -> None:
        self.notes.append(Note(kind, message))


@dataclass
class CategoryEntry:
    id: str
    labels: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    audience: str = Audience.PUBLIC.value


@dataclass
class ImportSet:
    """Everything one import writes, plus the counts the summary reports."""

    source_kind: str  # "zendesk" or "markdown"
    pages: list[ImportedPage] = field(default_factory=list)
    categories: list[CategoryEntry] = field(default_factory=list)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # tag id -> labels
    counts: Counter[str] = field(default_factory=Counter)  # converted callouts, images, includes...
    notes: list[Note] = field(default_factory=list)  # about the source as a whole
    assets: dict[Path, Path] = field(default_factory=dict)  # source file -> path under content/ (images...)

    def note_counts(self) -> Counter[str]:
        return Counter(note.kind for page in self.pages for note in page.notes) + Counter(
            note.kind for note in self.notes
        )
