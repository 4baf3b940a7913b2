"""Published content chunked by heading, as JSON lines, for chatbot and AI-assistant ingestion.

A chunk is one section of one page: the text under a heading down to the next heading, with the page title
and the headings above it as its heading path. Its id is made of the page's language, id and the section's
anchor only (`en:card-payment-declined#steps`), so it stays the same when other pages, or other sections
of the same page, change; `version` (the page's last commit) and `checksum` tell an indexer what to
refresh. The public export never holds agent-only text: blocks are dropped before the page is cut.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kbtools.governance.translations import content_path
from kbtools.model.content import ContentSet, Document
from kbtools.model.errors import UsageError
from kbtools.model.files import write_atomically
from kbtools.model.history import ContentHistory
from kbtools.model.publishing import absolute_url, published, visible_lines, with_absolute_links
from kbtools.model.taxonomy import Taxonomy

MAX_CHARS = 2400  # longer sections are cut at paragraph breaks (~600 tokens a chunk)


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    lang: str
    title: str
    heading_path: list[str]
    anchor: str
    text: str
    url: str
    type: str
    audience: str
    category: str
    category_label: str
    tags: list[str]
    case_reason: str
    version: str  # the commit that last changed the page, or 'uncommitted'
    updated: str | None  # that commit's date
    checksum: str  # of `text`: changes exactly when the text does


@dataclass(frozen=True)
class _Section:
    path: list[str]
    anchor: str
    lines: list[str]


def chunks_of(
    doc: Document, content: ContentSet, taxonomy: Taxonomy, history: ContentHistory, audience: str, base_url: str
) -> list[Chunk]:
    default = content.default_language
    last = history.last_change(content_path(doc.lang, doc.rel))
    category = taxonomy.categories.get(doc.category)
    common: dict[str, Any] = {
        "article_id": doc.id,
        "lang": doc.lang,
        "title": doc.title,
        "type": doc.type,
        "audience": doc.audience,
        "category": doc.category,
        "category_label": taxonomy.label(category.labels, doc.lang) if category else doc.category,
        "tags": doc.tags,
        "case_reason": doc.case_reason,
        "version": history.version(content_path(doc.lang, doc.rel)),
        "updated": last.date.date().isoformat() if last else None,
    }
    lines = with_absolute_links(doc, visible_lines(doc, audience), content, taxonomy, base_url, audience)
    result = []
    for section in _sections(doc, lines):
        for part, text in enumerate(_split(section.lines), start=1):
            key = section.anchor + (f"~{part}" if part > 1 else "")
            result.append(
                Chunk(
                    id=f"{doc.lang}:{doc.id}" + (f"#{key}" if key else ""),
                    heading_path=section.path,
                    anchor=section.anchor,
                    text=text,
                    url=absolute_url(base_url, audience, doc, default, section.anchor),
                    checksum=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
                    **common,
                )
            )
    return result


def _sections(doc: Document, lines: list[tuple[int, str]]) -> Iterator[_Section]:
    """Cut the visible lines at each heading still visible; the text before the first is the intro."""
    kept = {number for number, _ in lines}
    headings = {h.line: h for h in doc.outline.headings if h.line in kept}
    stack: list[tuple[int, str]] = []  # (level, text) of the headings above
    current = _Section([doc.title], "", [])
    for number, text in lines:
        heading = headings.get(number)
        if heading is None:
            current.lines.append(text)
            continue
        yield current
        stack = [entry for entry in stack if entry[0] < heading.level] + [(heading.level, heading.text)]
        current = _Section([doc.title, *(t for _, t in stack)], heading.anchor, [])
    yield current


def _split(lines: list[str]) -> list[str]:
    """The section's text in parts of at most MAX_CHARS, cut at blank lines outside code fences."""
    paragraphs: list[str] = []
    block: list[str] = []
    fenced = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not line.strip() and not fenced:
            if block:
                paragraphs.append("\n".join(block))
            block = []
        else:
            block.append(line)
    if block:
        paragraphs.append("\n".join(block))
    parts: list[str] = []
    for paragraph in paragraphs:
        if parts and len(parts[-1]) + len(paragraph) + 2 <= MAX_CHARS:
            parts[-1] += "\n\n" + paragraph
        else:
            parts.append(paragraph)
    return [part.strip() for part in parts if part.strip()]


def export_chunks(
    content: ContentSet,
    taxonomy: Taxonomy,
    history: ContentHistory,
    audience: str,
    base_url: str,
    languages: list[str] | None = None,
) -> list[Chunk]:
    chunks: list[Chunk] = []
    for doc in published(content, taxonomy, audience):
        if languages is None or doc.lang in languages:
            chunks.extend(chunks_of(doc, content, taxonomy, history, audience, base_url))
    seen: set[str] = set()
    for chunk in chunks:
        if chunk.id in seen:
            raise UsageError(f"two chunks have the id {chunk.id}: two pages share an id (run 'kb lint')")
        seen.add(chunk.id)
    return chunks


def write_jsonl(chunks: list[Chunk], out: Path) -> None:
    text = "".join(json.dumps(asdict(chunk), ensure_ascii=False) + "\n" for chunk in chunks)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, text)
