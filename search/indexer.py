"""Building the search index of a knowledge base: every published page of both audiences."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh.index import create_in

from kbtools.content import ContentSet
from kbtools.history import ContentHistory, read_history
from kbtools.project import KnowledgeBase
from search.documents import IndexRecord, records
from search.schema import Vocabulary, schema, whoosh_document
from search.store import default_index_dir, new_generation, publish, size_of

FORMAT = 1  # bump when the schema changes: readers refuse an index of another format
META_FILE = "meta.json"
WORDS_FILE = "words.json"
_WRITER_MEMORY_MB = 256


@dataclass(frozen=True)
class BuildReport:
    index_dir: Path
    generation: Path
    documents: int
    unreadable: int  # content files that could not be read (kb lint says why)
    seconds: float
    size: int  # bytes on disk

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def build_index(
    kb: KnowledgeBase,
    index_dir: Path | None = None,
    *,
    content: ContentSet | None = None,
    history: ContentHistory | None = None,
    jobs: int = 1,
) -> BuildReport:
    """Index every published page of `kb` into a new generation of `index_dir`, then switch to it.

    `content` and `history` may be passed by a caller that has read them already (kb build).
    Readers keep using the previous index until the new one is complete.
    """
    started = time.perf_counter()
    index_dir = index_dir or default_index_dir(kb)
    content = content if content is not None else kb.load(jobs=jobs)
    history = history if history is not None else read_history(kb.root)
    generation, count = write_generation(kb, index_dir, content, history)
    publish(index_dir, generation)
    return BuildReport(
        index_dir, generation, count, len(content.unreadable), time.perf_counter() - started, size_of(generation)
    )


def write_generation(
    kb: KnowledgeBase, index_dir: Path, content: ContentSet, history: ContentHistory
) -> tuple[Path, int]:
    """Write a complete index into a new generation folder, not yet live; returns it and its page count."""
    generation = new_generation(index_dir)
    try:
        return generation, _write(generation, kb, content, history)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise


def _write(generation: Path, kb: KnowledgeBase, content: ContentSet, history: ContentHistory) -> int:
    taxonomy = kb.taxonomy
    languages = content.languages
    index = create_in(str(generation), schema(languages))
    writer = index.writer(limitmb=_WRITER_MEMORY_MB)
    vocabulary = Vocabulary()
    fallbacks = dict.fromkeys(languages, 0)
    count = 0
    try:
        for record in records(content, taxonomy, history):
            labels = [taxonomy.tag_label(tag, record.lang) for tag in record.tags]
            writer.add_document(**whoosh_document(record, labels, vocabulary))
            _count_fallbacks(record, fallbacks)
            count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    meta = {
        "format": FORMAT,
        "languages": languages,
        "default_language": content.default_language,
        "documents": count,
        "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "fallbacks": fallbacks,
    }
    (generation / META_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    (generation / WORDS_FILE).write_text(json.dumps(vocabulary.display(), ensure_ascii=False), encoding="utf-8")
    return count


def _count_fallbacks(record: IndexRecord, fallbacks: dict[str, int]) -> None:
    """Pages shown on another language's site before they are translated (searched in that language too)."""
    for sites in record.shown_in.values():
        for lang in sites:
            if lang != record.lang:
                fallbacks[lang] += 1
