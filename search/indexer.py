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
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.index import create_in, open_dir

from kbtools.model.content import ContentSet
from kbtools.model.history import ContentHistory, read_history
from kbtools.model.project import CONTENT_DIR, KnowledgeBase
from kbtools.model.synonyms import read_synonyms
from search.analysis import fold
from search.documents import PUBLIC, IndexRecord, published, record
from search.manifest import MANIFEST_FILE, Entry, Manifest, basis, fingerprint, read_manifest
from search.schema import Vocabulary, schema, whoosh_document
from search.semantic import (
    EMBEDDING_SIZE,
    VECTOR_KEYS_FILE,
    VECTORS_FILE,
    Model,
    VectorTable,
    default_cache_dir,
    find_model,
    page_text,
)
from search.semantic import page_vectors as compute_vectors
from search.store import COMPLETE, IndexNotFoundError, current, default_index_dir, new_generation, publish, size_of
from search.whoosh_internals import shared_analysis

FORMAT = 6  # bump when the schema (its field classes included: Whoosh pickles them) or the analysis changes
META_FILE = "meta.json"
WORDS_FILE = "words.json"
SYNONYMS_FILE = "synonyms.json"  # lang -> folded customer word -> the folded words it also finds
PUBLIC_DIR = "public"  # the public index inside a generation
_WRITER_MEMORY_MB = 256
_DELETED_SHARE = 0.25  # deleted page versions, as a share of the pages, beyond which a build starts afresh


@dataclass(frozen=True)
class BuildReport:
    index_dir: Path
    generation: Path
    documents: int
    unreadable: int  # content files that could not be read (kb lint says why)
    seconds: float
    size: int  # bytes on disk
    written: int = 0  # pages (re)indexed in the internal index: all of them unless the build was incremental
    removed: int = 0  # pages deleted from the internal index (incremental builds)
    incremental: bool = False  # the live index was copied and only changed pages rewritten
    semantic: str = ""  # the encoder whose page vectors re-rank results ("" when it is not installed)
    encoded: int = 0  # page vectors computed (not found in the vector cache or the live index)

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
    full: bool = False,
    semantic: bool = True,
    vector_cache: Path | None = None,
) -> BuildReport:
    """Index every published page of `kb` into a new generation of `index_dir`, then switch to it.

    The new generation starts from a copy of the live one and rewrites only the pages that changed
    (search.manifest), unless `full`, or the synonym list, taxonomy, languages or index format changed, or
    too many page versions were deleted since the last full build (their words still weigh in Whoosh's
    statistics): then every page is indexed again.
    With the encoder installed (search.semantic) and `semantic`, pages in its languages get a vector; vectors
    are reused from the live index and from `vector_cache` (default: the user's cache folder).
    `content` and `history` may be passed by a caller that has read them already (kb build).
    Readers keep using the previous index until the new one is complete.
    """
    started = time.perf_counter()
    index_dir = index_dir or default_index_dir(kb)
    if content is None:
        # An update reads front-matter only (parsing the Markdown of unchanged pages in workers is wasted).
        content = kb.load(jobs=jobs if full or not _updatable(index_dir) else 1)
    history = history if history is not None else read_history(kb.root)
    vectors = _Vectors.for_build(semantic, vector_cache)
    generation, written = _write_generation(kb, index_dir, content, history, full, vectors)
    publish(index_dir, generation)
    return BuildReport(
        index_dir,
        generation,
        written.documents,
        len(content.unreadable),
        time.perf_counter() - started,
        size_of(generation),
        written.written,
        written.removed,
        written.incremental,
        vectors.model.name if vectors.model else "",
        vectors.encoded,
    )


def write_generation(
    kb: KnowledgeBase, index_dir: Path, content: ContentSet, history: ContentHistory, full: bool = True
) -> tuple[Path, int]:
    """Write a complete index into a new generation folder, not yet live; returns it and its page count."""
    generation, written = _write_generation(kb, index_dir, content, history, full, _Vectors.for_build())
    return generation, written.documents


@dataclass(frozen=True)
class _Written:
    documents: int
    written: int
    removed: int
    incremental: bool


@dataclass
class _Vectors:
    """The encoder a build uses (None: none installed, or not wanted) and how many vectors it computed."""

    model: Model | None
    cache_dir: Path
    encoded: int = 0

    @classmethod
    def for_build(cls, semantic: bool = True, cache_dir: Path | None = None) -> _Vectors:
        return cls(find_model() if semantic else None, cache_dir or default_cache_dir())


def _write_generation(
    kb: KnowledgeBase, index_dir: Path, content: ContentSet, history: ContentHistory, full: bool, vectors: _Vectors
) -> tuple[Path, _Written]:
    live = None
    if not full:
        try:
            live = current(index_dir).path
        except IndexNotFoundError:
            live = None
    generation = new_generation(index_dir)
    try:
        return generation, _write(generation, live, kb, content, history, vectors)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise


def _write(
    generation: Path,
    live: Path | None,
    kb: KnowledgeBase,
    content: ContentSet,
    history: ContentHistory,
    vectors: _Vectors,
) -> _Written:
    taxonomy = kb.taxonomy
    languages = content.languages
    default = content.default_language
    synonyms = read_synonyms(kb.content_dir, list(taxonomy.language_codes))
    expansions = {
        lang: {fold(word): [fold(item) for item in found] for word, found in synonyms.expansions(lang).items()}
        for lang in languages
    }
    try:
        taxonomy_text = kb.taxonomy_path.read_text(encoding="utf-8")
    except OSError:
        taxonomy_text = ""
    encoder = vectors.model.fingerprint if vectors.model else ""
    built_on = basis(FORMAT, languages, default, synonyms=expansions, taxonomy=taxonomy_text, encoder=encoder)
    internal = _IndexWriter(generation, live, built_on, languages, expansions, vectors)
    public = _IndexWriter(
        generation / PUBLIC_DIR, live / PUBLIC_DIR if live else None, built_on, languages, expansions, vectors
    )
    try:
        for doc, where in published(content, taxonomy):
            version = history.version(f"{CONTENT_DIR}/{doc.lang}/{doc.rel}")
            key = f"{doc.lang}/{doc.rel}"
            mark = fingerprint(doc, where, version)
            in_public = bool(where.get(PUBLIC))
            if not internal.keep(key, mark) or (in_public and not public.keep(key, mark)):
                entry = record(doc, where, history, default)
                labels = [taxonomy.tag_label(tag, entry.lang) for tag in entry.tags]
                with shared_analysis():  # a public page's text is analysed once for both indexes
                    if not internal.keep(key, mark):
                        internal.add(entry, labels, mark)
                    if in_public and not public.keep(key, mark):
                        public.add(public_record(entry), labels, mark)
    except BaseException:
        internal.cancel()
        public.cancel()
        raise
    public.commit(default)
    count = internal.commit(default)
    return _Written(count, internal.written, internal.removed, internal.incremental)


def public_record(record: IndexRecord) -> IndexRecord:
    """What the public index holds of a public page: no agent-only text, shown on the public site only."""
    return dataclasses.replace(
        record,
        sections=[dataclasses.replace(section, agent="") for section in record.sections],
        shown_in={PUBLIC: record.shown_in[PUBLIC]},
    )


class _IndexWriter:
    """One Whoosh index being written into `folder`, with its vocabulary, manifest and metadata.

    Given the live index of the same basis (`previous`), it starts from a copy of it (hard links: Whoosh
    never changes a file it has written) and rewrites only pages whose fingerprint changed.
    """

    def __init__(
        self,
        folder: Path,
        previous: Path | None,
        built_on: str,
        languages: list[str],
        synonyms: dict[str, dict[str, list[str]]],
        vectors: _Vectors,
    ):
        folder.mkdir(exist_ok=True)
        self.vectors = vectors
        self.texts: dict[str, str] = {}  # key -> what its vector is computed from, for pages added
        self.old_vectors = VectorTable.read(previous) if vectors.model is not None and previous is not None else None
        self.synonyms = synonyms
        self.folder = folder
        self.languages = languages
        old = read_manifest(previous) if previous is not None else None
        self.incremental = old is not None and old.basis == built_on and _worth_reusing(old)
        if vectors.model is not None and (
            self.old_vectors is None or self.old_vectors.model != vectors.model.fingerprint
        ):
            self.incremental = False  # the live index's page vectors are missing or of another encoder
        if self.incremental and previous is not None and old is not None:
            _copy_index_files(previous, folder)
            self.writer = open_dir(str(folder)).writer(limitmb=_WRITER_MEMORY_MB)
            self.previous = old.entries
            self.vocabulary = Vocabulary.from_counts(old.vocabulary)
            self.deleted = old.deleted
        else:
            self.writer = create_in(str(folder), schema(languages)).writer(limitmb=_WRITER_MEMORY_MB)
            self.previous = {}
            self.vocabulary = Vocabulary()
            self.deleted = 0
        self.manifest = Manifest(built_on)
        self.written = 0
        self.removed = 0

    def keep(self, key: str, mark: str) -> bool:
        """Whether the page `key` is in the index as it is now (then it is kept as it is)."""
        if key in self.manifest.entries:
            return self.manifest.entries[key].fingerprint == mark
        entry = self.previous.get(key)
        if entry is None or entry.fingerprint != mark:
            return False
        self.manifest.entries[key] = entry
        return True

    def add(self, record: IndexRecord, labels: list[str], mark: str) -> None:
        page = Vocabulary()
        document = whoosh_document(record, labels, page)
        old = self.previous.get(record.key)
        if old is not None:
            self.writer.update_document(**document)
            self._forget(old)
            self.deleted += 1
        else:
            self.writer.add_document(**document)
        words = page.page_words()
        for audience, found in words.items():
            self.vocabulary.add(record.lang, set(found), public=audience == PUBLIC)
        fallbacks = sorted({lang for sites in record.shown_in.values() for lang in sites if lang != record.lang})
        self.manifest.entries[record.key] = Entry(mark, record.lang, words, fallbacks)
        self.written += 1
        model = self.vectors.model
        if model is not None and record.lang in model.languages:
            self.texts[record.key] = page_text(record.title, record.summary, record.body)

    def _forget(self, entry: Entry) -> None:
        for audience, found in entry.words.items():
            self.vocabulary.remove(entry.lang, found, audience)

    def cancel(self) -> None:
        self.writer.cancel()

    def commit(self, default_language: str) -> int:
        for key, entry in self.previous.items():
            if key not in self.manifest.entries:  # gone from the content, or from this index's audience
                self.writer.delete_by_term("key", key)
                self._forget(entry)
                self.deleted += 1
                self.removed += 1
        self.writer.commit()
        self.count = len(self.manifest.entries)
        self.manifest.vocabulary = self.vocabulary.counts()
        self.manifest.deleted = self.deleted
        self.manifest.write(self.folder)
        fallbacks = dict.fromkeys(self.languages, 0)
        for entry in self.manifest.entries.values():
            for lang in entry.fallbacks:
                fallbacks[lang] = fallbacks.get(lang, 0) + 1
        meta = {
            "format": FORMAT,
            "languages": self.languages,
            "default_language": default_language,
            "documents": self.count,
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "fallbacks": fallbacks,
        }
        (self.folder / META_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        words = json.dumps(self.vocabulary.display(), ensure_ascii=False)
        (self.folder / WORDS_FILE).write_text(words, encoding="utf-8")
        synonyms = json.dumps(self.synonyms, ensure_ascii=False)
        (self.folder / SYNONYMS_FILE).write_text(synonyms, encoding="utf-8")
        self._write_vectors()
        return self.count

    def _write_vectors(self) -> None:
        """Page vectors of this index's pages in the encoder's languages: kept ones from the live index."""
        model = self.vectors.model
        if model is None:
            return
        keys = [key for key, entry in self.manifest.entries.items() if entry.lang in model.languages]
        added = [key for key in keys if key in self.texts]
        computed, encoded = compute_vectors(model, [self.texts[key] for key in added], self.vectors.cache_dir)
        self.vectors.encoded += encoded
        found = dict(zip(added, computed, strict=True))
        table = np.zeros((len(keys), EMBEDDING_SIZE), np.float32)
        rows = {key: row for row, key in enumerate(keys)}
        for key, row in rows.items():
            kept = found.get(key)
            if kept is None and self.old_vectors is not None:  # an unchanged page: its vector as it was
                kept = self.old_vectors.get(key)
            if kept is not None:
                table[row] = kept
        VectorTable(model.fingerprint, rows, table).write(self.folder)


def _updatable(index_dir: Path) -> bool:
    """Whether the live index has a manifest, so a build may update it rather than start afresh."""
    try:
        return (current(index_dir).path / MANIFEST_FILE).is_file()
    except IndexNotFoundError:
        return False


def _worth_reusing(manifest: Manifest) -> bool:
    """Whether an index is still worth updating: Whoosh keeps deleted page versions in its statistics
    (document frequencies, field lengths) until segments merge, so past a share of them, rebuild."""
    return manifest.deleted <= max(_DELETED_SHARE * len(manifest.entries), 1)


def _copy_index_files(source: Path, target: Path) -> None:
    """Whoosh's files of `source` into `target`, hard linked where possible (Whoosh writes new files and never
    rewrites one); our own files (metadata, vocabulary, manifest) are written anew, never shared."""
    ours = {META_FILE, WORDS_FILE, SYNONYMS_FILE, MANIFEST_FILE, COMPLETE, VECTORS_FILE, VECTOR_KEYS_FILE}
    for item in source.iterdir():
        if not item.is_file() or item.name in ours or item.name.endswith(".lock") or "WRITELOCK" in item.name:
            continue
        try:
            os.link(item, target / item.name)
        except OSError:
            shutil.copy2(item, target / item.name)
