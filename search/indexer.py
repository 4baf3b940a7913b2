"""Building the search index of a knowledge base: every published page of both audiences.

A generation holds two Whoosh indexes, each with its own meta.json and words.json: the internal one at its
top (every published page, agent notes in their own field) for signed-in agents, and `public/` for everyone
else, built from public documents only (public pages, agent-only text left out). Ranking statistics,
typo corrections and suggestions of a public search therefore come from public text alone: neither the
words of internal pages nor how many internal pages hold a word change what an anonymous reader sees.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh.index import create_in

from kbtools.model.content import ContentSet
from kbtools.model.history import ContentHistory, read_history
from kbtools.model.project import KnowledgeBase
from kbtools.model.synonyms import read_synonyms
from search.analysis import fold
from search.documents import PUBLIC, IndexRecord, records
from search.schema import Vocabulary, schema, whoosh_document
from search.store import default_index_dir, new_generation, publish, size_of
from search.whoosh_internals import shared_analysis

FORMAT = 6  # bump when the schema (its field classes included: Whoosh pickles them) or the analysis changes
META_FILE = "meta.json"
WORDS_FILE = "words.json"
SYNONYMS_FILE = "synonyms.json"  # lang -> folded customer word -> the folded words it also finds
PUBLIC_DIR = "public"  # the public index inside a generation
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
    synonyms = read_synonyms(kb.content_dir, list(taxonomy.language_codes))
    expansions = {
        lang: {fold(word): [fold(item) for item in found] for word, found in synonyms.expansions(lang).items()}
        for lang in languages
    }
    internal = _IndexWriter(generation, languages, expansions)
    public = _IndexWriter(generation / PUBLIC_DIR, languages, expansions)
    try:
        for record in records(content, taxonomy, history):
            labels = [taxonomy.tag_label(tag, record.lang) for tag in record.tags]
            with shared_analysis():  # a public page's text is analysed once for both indexes
                internal.add(record, labels)
                if record.is_public:
                    public.add(public_record(record), labels)
    except BaseException:
        internal.cancel()
        public.cancel()
        raise
    public.commit(content.default_language)
    return internal.commit(content.default_language)


def public_record(record: IndexRecord) -> IndexRecord:
    """What the public index holds of a public page: no agent-only text, shown on the public site only."""
    return dataclasses.replace(
        record,
        sections=[dataclasses.replace(section, agent="") for section in record.sections],
        shown_in={PUBLIC: record.shown_in[PUBLIC]},
    )


class _IndexWriter:
    """One Whoosh index being written into `folder`, with its vocabulary and metadata."""

    def __init__(self, folder: Path, languages: list[str], synonyms: dict[str, dict[str, list[str]]]):
        folder.mkdir(exist_ok=True)
        self.synonyms = synonyms
        self.folder = folder
        self.languages = languages
        self.writer = create_in(str(folder), schema(languages)).writer(limitmb=_WRITER_MEMORY_MB)
        self.vocabulary = Vocabulary()
        self.fallbacks = dict.fromkeys(languages, 0)
        self.count = 0

    def add(self, record: IndexRecord, labels: list[str]) -> None:
        self.writer.add_document(**whoosh_document(record, labels, self.vocabulary))
        _count_fallbacks(record, self.fallbacks)
        self.count += 1

    def cancel(self) -> None:
        self.writer.cancel()

    def commit(self, default_language: str) -> int:
        self.writer.commit()
        meta = {
            "format": FORMAT,
            "languages": self.languages,
            "default_language": default_language,
            "documents": self.count,
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "fallbacks": self.fallbacks,
        }
        (self.folder / META_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        words = json.dumps(self.vocabulary.display(), ensure_ascii=False)
        (self.folder / WORDS_FILE).write_text(words, encoding="utf-8")
        synonyms = json.dumps(self.synonyms, ensure_ascii=False)
        (self.folder / SYNONYMS_FILE).write_text(synonyms, encoding="utf-8")
        return self.count


def _count_fallbacks(record: IndexRecord, fallbacks: dict[str, int]) -> None:
    """Pages shown on another language's site before they are translated (searched in that language too)."""
    for sites in record.shown_in.values():
        for lang in sites:
            if lang != record.lang:
                fallbacks[lang] += 1
