"""`kb experiments stop ID --keep VARIANT`: end an experiment, leaving one file with the kept variant's body.

The canonical file stays where it is (its URL, votes and translations follow it); its front-matter loses the
`experiment` declaration and its body becomes the kept variant's; every variant file is deleted. Refused on a
tree with uncommitted changes to content/, so the change is one reviewable diff.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kbtools.model.content import ContentSet, Document
from kbtools.model.errors import UsageError
from kbtools.model.experiments import KEY, Experiment, find
from kbtools.model.files import write_atomically
from kbtools.model.project import CONTENT_DIR
from kbtools.model.vcs import require_repository


@dataclass(frozen=True)
class Stopped:
    experiment: Experiment
    kept: str
    written: Path
    deleted: list[Path]


def without_declaration(doc: Document) -> str:
    """The front-matter lines of `doc` without its top-level `experiment` key (and what nests under it)."""
    text = doc.path.read_text(encoding="utf-8")
    lines = text.split("\n")
    start = doc.line_of(KEY) - 1  # 0-based index of the key's line
    end = start + 1
    closing = doc.body_line - 2  # the '---' line that closes the front-matter
    while end < closing and (not lines[end].strip() or lines[end][:1] in (" ", "\t", "#")):
        end += 1
    return "\n".join(lines[:start] + lines[end : closing + 1]) + "\n"


def stop(root: Path, content: ContentSet, experiment_id: str, keep: str, lang: str | None = None) -> Stopped:
    found = [e for e in find(content, experiment_id) if lang is None or e.lang == lang]
    if not found:
        raise UsageError(f"no experiment {experiment_id!r} is declared (see 'kb experiments report')")
    if len(found) > 1:
        languages = ", ".join(e.lang for e in found)
        raise UsageError(f"experiment {experiment_id!r} runs in several languages ({languages}): name one with --lang")
    experiment = found[0]
    kept = experiment.variant(keep)
    if kept is None:
        raise UsageError(
            f"experiment {experiment_id!r} has no variant {keep!r}; its variants: {', '.join(experiment.names)}"
        )
    repository = require_repository(root, "kb experiments stop")
    dirty = sorted(repository.modified(CONTENT_DIR))
    if dirty:
        shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        raise UsageError(f"content/ has uncommitted changes ({shown}): commit or discard them first")
    canonical = experiment.canonical
    write_atomically(canonical.path, without_declaration(canonical) + kept.doc.body)
    deleted = []
    for variant in experiment.variants[1:]:
        variant.doc.path.unlink()
        deleted.append(variant.doc.path)
    return Stopped(experiment, keep, canonical.path, deleted)
