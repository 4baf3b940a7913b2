"""A knowledge-base repository on disk: where it is, its taxonomy and its content files."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kbtools.model.content import ContentSet, Document, read_document
from kbtools.model.errors import ContentError, RootNotFoundError
from kbtools.model.taxonomy import Taxonomy, load_taxonomy

CONTENT_DIR = "content"
TAXONOMY_FILE = "taxonomy.yml"
MKDOCS_FILE = "mkdocs.yml"


@dataclass(frozen=True)
class ContentFile:
    path: Path
    lang: str  # the first folder under content/, declared or not
    rel: str


class KnowledgeBase:
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.content_dir = self.root / CONTENT_DIR
        self.taxonomy_path = self.content_dir / TAXONOMY_FILE

    @classmethod
    def discover(cls, start: Path | None = None) -> KnowledgeBase:
        """The nearest folder at or above `start` holding both mkdocs.yml and content/."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / MKDOCS_FILE).is_file() and (folder / CONTENT_DIR).is_dir():
                return cls(folder)
        raise RootNotFoundError(
            f"no knowledge base at or above {here}: expected a folder with {MKDOCS_FILE} and {CONTENT_DIR}/ "
            "(use --root DIR, or create one with 'kb init DIR')"
        )

    @classmethod
    def at(cls, root: Path) -> KnowledgeBase:
        """The knowledge base whose root is exactly `root` (as given with --root)."""
        if not (root / CONTENT_DIR).is_dir():
            raise RootNotFoundError(f"{root} is not a knowledge base: it has no {CONTENT_DIR}/ folder")
        return cls(root)

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.taxonomy_path)

    def content_files(self) -> list[ContentFile]:
        """Every Markdown file under content/, sorted, whatever its language folder.

        Symbolic links are no content (kb lint reports each, see kbtools.model.symlinks): they are skipped, and so
        is everything in a linked folder, so no command ever reads what a link points to.
        """
        found: list[Path] = []
        if self.content_dir.is_symlink():
            return []
        for folder, _, names in os.walk(self.content_dir, followlinks=False):
            found.extend(Path(folder, name) for name in names if name.endswith(".md"))
        files = []
        for path in sorted(found):
            if path.is_symlink():
                continue
            parts = path.relative_to(self.content_dir).parts
            lang = parts[0] if len(parts) > 1 else ""
            files.append(ContentFile(path, lang, "/".join(parts[1:]) if lang else parts[0]))
        return files

    def load(self, jobs: int = 1, only: Iterable[str] | None = None) -> ContentSet:
        """Read every content file in a declared language (or in the languages `only`); unreadable files are
        listed, not raised.

        With `jobs` > 1 and a large tree, files are read and their Markdown parsed in that many processes
        (parsing is most of lint's time and is CPU-bound).
        """
        languages = self.taxonomy.language_codes
        wanted = set(only) if only is not None else set(languages)
        items = [item for item in self.content_files() if item.lang in languages and item.lang in wanted]
        if jobs > 1 and len(items) >= _PARALLEL_MINIMUM:
            chunk = max(1, len(items) // (jobs * 4))
            batches = [items[start : start + chunk] for start in range(0, len(items), chunk)]
            context = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "forkserver")
            with ProcessPoolExecutor(jobs, mp_context=context) as pool:
                results = [result for batch in pool.map(_read_batch, batches) for result in batch]
        else:
            results = [_read(item, parse_outline=False) for item in items]
        documents = [result for result in results if isinstance(result, Document)]
        unreadable = [result for result in results if isinstance(result, ContentError)]
        return ContentSet(languages, documents, unreadable)

    def relative(self, path: Path) -> str:
        """`path` relative to the root, for messages (a symbolic link is named, not what it points to)."""
        try:
            return (path.parent.resolve() / path.name).relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


_PARALLEL_MINIMUM = 400  # below this, starting worker processes costs more than it saves


def _read(item: ContentFile, parse_outline: bool) -> Document | ContentError:
    try:
        doc = read_document(item.path, item.lang, item.rel)
    except ContentError as exc:
        return exc
    if parse_outline:
        doc.outline  # noqa: B018 - computed here, in the worker, and sent back with the document
    return doc


def _read_batch(items: list[ContentFile]) -> list[Document | ContentError]:
    return [_read(item, parse_outline=True) for item in items]
