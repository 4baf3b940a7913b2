"""The content model: Markdown files with YAML front-matter under `content/<lang>/`.

A `Document` is one file, read once. A `ContentSet` is every file of a knowledge base, indexed by
language and path, and knows which file translates which: the same relative path in another language.
This module knows nothing of MkDocs, Whoosh or Flask.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from kbtools.model.errors import ContentError
from kbtools.model.markdown import Outline, body_tokens, outline
from kbtools.model.vocabulary import Audience, Status
from kbtools.model.yamlsource import YamlSource, load_yaml

_FENCES = ("---", "...")


@dataclass
class Document:
    path: Path
    lang: str
    rel: str  # path inside the language folder, with forward slashes: "cards/card-not-received.md"
    meta: dict[str, Any]
    front_matter: YamlSource
    body: str
    body_line: int  # file line of the body's first line

    def line_of(self, *key: str) -> int:
        return self.front_matter.line_of(*key)

    def _text(self, key: str, default: str = "") -> str:
        value = self.meta.get(key, default)
        return value if isinstance(value, str) else str(value)

    def _list(self, key: str) -> list[str]:
        value = self.meta.get(key)
        return [str(item) for item in value] if isinstance(value, list) else []

    @property
    def id(self) -> str:
        return self._text("id")

    @property
    def title(self) -> str:
        return self._text("title")

    @property
    def type(self) -> str:
        return self._text("type")

    @property
    def audience(self) -> str:
        return self._text("audience")

    @property
    def status(self) -> str:
        return self._text("status", Status.PUBLISHED.value)

    @property
    def category(self) -> str:
        return self._text("category")

    @property
    def owner(self) -> str:
        return self._text("owner")

    @property
    def case_reason(self) -> str:
        return self._text("case_reason")

    @property
    def summary(self) -> str:
        return self._text("summary")

    @property
    def tags(self) -> list[str]:
        return self._list("tags")

    @property
    def keywords(self) -> list[str]:
        return self._list("keywords")

    @property
    def related(self) -> list[str]:
        return self._list("related")

    @property
    def order(self) -> int | None:
        value = self.meta.get("order")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def aliases(self) -> list[str]:
        return self._list("aliases")

    @property
    def reviewed(self) -> date | None:
        value = self.meta.get("reviewed")
        return value if isinstance(value, date) else None

    @property
    def source_commit(self) -> str | None:
        value = self.meta.get("source_commit")
        return str(value) if value else None

    @property
    def actions(self) -> dict[str, Any]:
        value = self.meta.get("actions")
        return value if isinstance(value, dict) else {}

    @property
    def experiment_id(self) -> str | None:
        """The experiment this file takes part in (front-matter `experiment.id`), or None."""
        value = self.meta.get("experiment")
        return str(value["id"]) if isinstance(value, dict) and isinstance(value.get("id"), str) else None

    @property
    def is_variant(self) -> bool:
        """A variant file of an experiment: it names the experiment without declaring it (no `metric`), and is
        served inside its canonical page, never as a page of its own (see kbtools.model.experiments)."""
        value = self.meta.get("experiment")
        return self.experiment_id is not None and isinstance(value, dict) and "metric" not in value

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.PUBLIC

    @cached_property
    def outline(self) -> Outline:
        return outline(self.body, self.body_line)

    @property
    def outline_known(self) -> bool:
        """Whether the outline is computed already (by a worker of kb.load, or an earlier caller)."""
        return "outline" in self.__dict__

    def tokens(self) -> list[Token]:
        """The body's markdown-it tokens, not kept (they are large); the outline, if not known yet, is
        computed from the same parse, so a caller needing both parses the page once."""
        found = body_tokens(self.body)
        if not self.outline_known:
            self.__dict__["outline"] = outline(self.body, self.body_line, found)
        return found

    def __repr__(self) -> str:
        return f"Document({self.lang}/{self.rel})"


def split_front_matter(text: str, path: Path) -> tuple[str, int, str, int]:
    """(front-matter text, its first line, body, the body's first line); raises ContentError."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise ContentError(path, "no front-matter: the file must start with a '---' line", line=1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _FENCES:
            return "\n".join(lines[1:index]), 2, "\n".join(lines[index + 1 :]), index + 2
    raise ContentError(path, "the front-matter opened on line 1 is never closed with '---'", line=1)


def parse_document(text: str, path: Path, lang: str, rel: str) -> Document:
    front, front_line, body, body_line = split_front_matter(text, path)
    source = load_yaml(front, path, first_line=front_line)
    if not isinstance(source.data, dict):
        raise ContentError(path, "front-matter must be a mapping of key: value lines", line=front_line)
    return Document(path, lang, rel, source.data, source, body, body_line)


def read_document(path: Path, lang: str, rel: str) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_document(text, path, lang, rel)


@dataclass
class ContentSet:
    """Every content file of a knowledge base, read once."""

    languages: list[str]
    documents: list[Document] = field(default_factory=list)
    unreadable: list[ContentError] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_path: dict[tuple[str, str], Document] = {(d.lang, d.rel): d for d in self.documents}

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)

    def get(self, lang: str, rel: str) -> Document | None:
        return self._by_path.get((lang, rel))

    def in_language(self, lang: str) -> list[Document]:
        return [doc for doc in self.documents if doc.lang == lang]

    def source_of(self, doc: Document) -> Document | None:
        """The default-language file a translation was made from (None for a source file)."""
        if doc.lang == self.default_language:
            return None
        return self.get(self.default_language, doc.rel)

    def translation_of(self, doc: Document, lang: str) -> Document | None:
        return self.get(lang, doc.rel)

    def misplaced_counterpart(self, doc: Document, lang: str) -> Document | None:
        """The page in `lang` with `doc`'s id but another path: a source renamed without its translation.

        Translations pair by path, so after `git mv` of only one side both look unpaired; the shared id
        tells the writer where the other side went.
        """
        other = self.by_id.get((lang, doc.id))
        return other if other is not None and other.rel != doc.rel else None

    @cached_property
    def by_id(self) -> dict[tuple[str, str], Document]:
        """(lang, id) -> first document with that id (an experiment's variants share their page's id: the page
        comes first); other duplicates are a lint error."""
        found: dict[tuple[str, str], Document] = {}
        for doc in sorted(self.documents, key=lambda d: d.is_variant):  # stable: content order otherwise
            found.setdefault((doc.lang, doc.id), doc)
        return found

    def find(self, id_or_path: str, lang: str | None = None) -> Document | None:
        """A document by id or by path (relative to `content/<lang>/`, or `<lang>/...`)."""
        lang = lang or self.default_language
        found = self.by_id.get((lang, id_or_path)) or self.get(lang, id_or_path)
        if found is None and "/" in id_or_path:
            first, _, rest = id_or_path.partition("/")
            if first in self.languages:
                found = self.get(first, rest)
        return found
