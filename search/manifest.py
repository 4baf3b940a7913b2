"""What an index holds, page by page, so that the next build rewrites only the pages that changed.

Each index of a generation keeps a manifest (`manifest.json`): the basis it was built on (index format,
languages, synonym list, taxonomy: anything that changes how every page is indexed) and, per page key, a
fingerprint of everything its index entry is made of (front-matter, body, the sites showing it, its version),
the words it adds to the correction vocabulary and the sites it is shown on. A build whose basis differs
rebuilds every page; otherwise it copies the live index and updates the pages whose fingerprint differs,
adds new pages and deletes the pages gone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtools.model.content import Document

MANIFEST_FILE = "manifest.json"


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def basis(index_format: int, languages: list[str], default_language: str, **inputs: Any) -> str:
    """The fingerprint of what every page's index entry depends on: when it changes, every page is rebuilt."""
    return _digest({"format": index_format, "languages": languages, "default": default_language, **inputs})


def fingerprint(doc: Document, where: dict[str, list[str]], version: str) -> str:
    """The fingerprint of everything a page's index entry is made of."""
    return _digest([doc.meta, doc.body, doc.body_line, where, version])


@dataclass
class Entry:
    """One page of an index: its fingerprint, the vocabulary words it added, the other sites showing it."""

    fingerprint: str
    lang: str
    words: dict[str, list[str]]  # audience -> the spellings this page added to that vocabulary
    fallbacks: list[str]  # languages other than its own whose site shows it

    def to_json(self) -> dict[str, Any]:
        return {"f": self.fingerprint, "lang": self.lang, "words": self.words, "fallbacks": self.fallbacks}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(data["f"], data["lang"], data["words"], data["fallbacks"])


@dataclass
class Manifest:
    basis: str
    entries: dict[str, Entry] = field(default_factory=dict)  # page key -> its entry
    vocabulary: dict[str, Any] = field(default_factory=dict)  # Vocabulary.counts() of every entry
    deleted: int = 0  # page versions deleted since the last full build (still in Whoosh's statistics)

    def write(self, folder: Path) -> None:
        data = {
            "basis": self.basis,
            "deleted": self.deleted,
            "vocabulary": self.vocabulary,
            "entries": {key: entry.to_json() for key, entry in self.entries.items()},
        }
        (folder / MANIFEST_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of an index folder; None when it has none or cannot be read (then rebuild everything)."""
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        entries = {key: Entry.from_json(value) for key, value in data["entries"].items()}
        return Manifest(data["basis"], entries, data["vocabulary"], int(data["deleted"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
