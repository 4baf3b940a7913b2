"""Writing an import into a knowledge base: taxonomy entries, then pages, idempotently.

A manifest (`.kb-import/<source>.json` at the root) records, per source page, the file written and a hash of
its text. Importing again rewrites a file in place only when nobody edited it since (its text still has the
recorded hash); an edited file is left alone unless `force`, and named. A page keeps its path and id across
imports even when its title changes, so a re-import never duplicates.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kbtools.model.errors import UsageError
from kbtools.model.files import write_atomically
from kbtools.model.project import CONTENT_DIR, KnowledgeBase
from kbtools.model.vocabulary import Audience
from kbtools.model.yamlsource import read_yaml_file
from kbtools.workflows.importers.model import ImportedPage, ImportSet, Note

MANIFEST_DIR = ".kb-import"


@dataclass
class WriteResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)  # edited since the last import: left alone
    kept_existing: list[str] = field(default_factory=list)  # a file no import wrote is at that path
    categories_added: list[str] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)


def page_text(page: ImportedPage) -> str:
    front = yaml.safe_dump(page.meta, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
    return f"---\n{front}---\n\n{page.body.strip()}\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _manifest_path(kb: KnowledgeBase, kind: str) -> Path:
    return kb.root / MANIFEST_DIR / f"{kind}.json"


def read_manifest(kb: KnowledgeBase, kind: str) -> dict[str, dict[str, str]]:
    path = _manifest_path(kb, kind)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"{kb.relative(path)}: unreadable import record ({exc}); move it away to import anew"
        ) from None
    if not isinstance(data, dict):
        return {}
    # The record is a file of the repository, so a pull request may change it: only plain paths are reused
    return {
        key: record
        for key, record in data.items()
        if isinstance(record, dict) and is_plain_rel(str(record.get("rel", ""))) and isinstance(record.get("id"), str)
    }


def is_plain_rel(rel: str) -> bool:
    """A path inside a language folder: relative, normalised, no '..', ending in .md."""
    return (
        rel.endswith(".md")
        and not rel.startswith("/")
        and "\\" not in rel
        and posixpath.normpath(rel) == rel
        and ".." not in rel.split("/")
    )


def write_import(kb: KnowledgeBase, import_set: ImportSet, force: bool = False) -> WriteResult:
    result = WriteResult()
    manifest = read_manifest(kb, import_set.source_kind)
    _merge_taxonomy(kb, import_set, result)
    content = (kb.root / CONTENT_DIR).resolve()
    for page in import_set.pages:
        path = kb.root / CONTENT_DIR / page.lang / page.rel
        folder = path.parent.resolve()  # a linked folder resolves elsewhere and is refused too
        if not is_plain_rel(page.rel) or content / page.lang not in (folder, *folder.parents):
            result.kept_existing.append(f"{kb.relative(path)} (refused: not a path inside content/)")
            continue
        shown = kb.relative(path)
        text = page_text(page)
        record = manifest.get(page.key)
        if path.exists():
            current = path.read_text(encoding="utf-8", errors="replace")
            if current == text:
                result.unchanged.append(shown)
                manifest[page.key] = {"rel": page.rel, "id": str(page.meta["id"]), "sha256": _digest(text)}
                continue
            edited = record is None or _digest(current) != record.get("sha256")
            if edited and not force:
                (result.kept_existing if record is None else result.kept_edited).append(shown)
                continue
            result.updated.append(shown)
        else:
            result.created.append(shown)
        _write_atomically(path, text)
        manifest[page.key] = {"rel": page.rel, "id": str(page.meta["id"]), "sha256": _digest(text)}
    for source, rel in sorted(import_set.assets.items()):
        destination = kb.root / CONTENT_DIR / rel
        folder = destination.parent.resolve() if destination.parent.exists() else destination.parent
        if destination.is_symlink() or ".." in rel.parts or content not in (folder, *folder.parents):
            result.kept_existing.append(f"{kb.relative(destination)} (refused: not a file inside content/)")
            continue
        data = source.read_bytes()
        if destination.exists() and destination.read_bytes() != data and not force:
            result.kept_existing.append(kb.relative(destination))
        elif not destination.exists() or destination.read_bytes() != data:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
            result.created.append(kb.relative(destination))
    _write_atomically(_manifest_path(kb, import_set.source_kind), json.dumps(manifest, indent=1, sort_keys=True))
    return result


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)  # an import creates category folders
    write_atomically(path, text)


def _merge_taxonomy(kb: KnowledgeBase, import_set: ImportSet, result: WriteResult) -> None:
    """Add the import's categories and tags to taxonomy.yml (existing entries are kept as they are).

    The file is rewritten by YAML; its leading comment block is kept.
    """
    taxonomy = kb.taxonomy  # raises a clean error when it is invalid: nothing is written then
    languages = taxonomy.language_codes
    owner = taxonomy.platform_owner or next(iter(taxonomy.teams))
    data: dict[str, Any] = read_yaml_file(kb.taxonomy_path).data
    categories = data.setdefault("categories", {}) or {}
    data["categories"] = categories
    for entry in import_set.categories:
        if entry.id in categories:
            continue
        for lang in languages:
            if not entry.labels.get(lang):
                import_set.notes.append(
                    Note("label-missing", f"category '{entry.id}' has no {lang} name: its {languages[0]} label is used")
                )
        value: dict[str, Any] = {"label": _all_languages(entry.labels, languages)}
        if entry.descriptions:
            value["description"] = _all_languages(entry.descriptions, languages)
        value["owner"] = owner
        if entry.audience != Audience.PUBLIC:
            value["audience"] = entry.audience
        categories[entry.id] = value
        result.categories_added.append(entry.id)
    tags = data.get("tags") or {}
    data["tags"] = tags
    for tag, labels in import_set.tags.items():
        if tag not in tags:
            tags[tag] = _all_languages(labels, languages)
            result.tags_added.append(tag)
    if not (result.categories_added or result.tags_added):
        return
    original = kb.taxonomy_path.read_text(encoding="utf-8")
    comment_block = []
    for line in original.split("\n"):
        if not line.startswith("#"):
            break
        comment_block.append(line)
    header = "\n".join(comment_block) + "\n" if comment_block else ""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=None)
    _write_atomically(kb.taxonomy_path, header + body)
    kb.__dict__.pop("taxonomy", None)  # re-read on next use


def _all_languages(labels: dict[str, str], languages: list[str]) -> dict[str, str]:
    """A label in every declared language: the source language's text where the source has none."""
    fallback = labels.get(languages[0]) or next(iter(labels.values()), "")
    return {lang: labels.get(lang) or fallback for lang in languages}
