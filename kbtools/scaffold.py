"""Creating things: a new knowledge base (`kb init`) and a new content file (`kb new`)."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from importlib import resources
from pathlib import Path
from string import Template

import yaml

from kbtools.errors import UsageError
from kbtools.markdown import slugify
from kbtools.project import CONTENT_DIR, KnowledgeBase
from kbtools.schema import INTERNAL_ONLY_TYPES
from kbtools.taxonomy import CONTENT_TYPES

_RENAMED = {"gitignore": ".gitignore"}  # dotfiles are not reliably shipped as package data

# The instructions `kb new` leaves for the writer; with the lines holding "..." they are its placeholder text
_INSTRUCTIONS = (
    "Say in one or two sentences what this page helps the reader do.",
    "Who can do this (role, plan).",
    "Describe the symptom as the customer sees it.",
)
BODIES: dict[str, str] = {
    "article": "Say in one or two sentences what this page helps the reader do.\n\n"
    "## Before you start\n\n- Who can do this (role, plan).\n\n"
    "## Steps\n\n1. Go to **Settings**.\n2. ...\n\n## What happens next\n\n...\n",
    "troubleshooting": "Describe the symptom as the customer sees it.\n\n## Symptoms\n\n- ...\n\n"
    "## Causes and fixes\n\n### Most common cause\n\n...\n\n## Still not working?\n\nContact support with ...\n",
    "sop": "## When to use this procedure\n\n...\n\n## Procedure\n\n1. ...\n\n## Escalation\n\n"
    "| Situation | Who decides | Queue |\n|---|---|---|\n| ... | ... | ... |\n",
    "macro": "Hi {{ticket.requester.first_name}},\n\n...\n\nBest regards,\n{{current_user.first_name}}\n",
}


def _placeholder_lines() -> frozenset[str]:
    lines = set()
    for body in BODIES.values():
        for line in body.splitlines():
            text = line.strip().lstrip("-").strip()
            if text in _INSTRUCTIONS or "..." in text:
                lines.add(line.strip())
    return frozenset(lines)


# Lines of `kb new`'s bodies a published page must not keep (kb lint: scaffold-text), as written there
PLACEHOLDER_LINES = _placeholder_lines()


def init_knowledge_base(target: Path, site_name: str = "Help Center", today: date | None = None) -> list[Path]:
    """Write a lint-clean knowledge-base skeleton into `target` (which must be empty or absent)."""
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"{target} is not empty; kb init only writes into a new or empty folder")
    values = {"site_name": site_name, "today": (today or date.today()).isoformat()}
    template_root = resources.files("kbtools") / "templates" / "init"
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    for source, rel in _walk(template_root):
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(Template(source.read_text(encoding="utf-8")).safe_substitute(values), encoding="utf-8")
        written.append(destination)
    return written


def _walk(folder, prefix: str = ""):  # type: ignore[no-untyped-def]  # importlib Traversable
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        rel = f"{prefix}{_RENAMED.get(entry.name, entry.name)}"
        if entry.is_dir():
            yield from _walk(entry, rel + "/")
        else:
            yield entry, rel


def new_document(kb: KnowledgeBase, content_type: str, category: str, title: str, today: date | None = None) -> Path:
    """Write `content/<default lang>/<category>/<slug>.md` as a draft with its front-matter filled in."""
    if content_type not in CONTENT_TYPES:
        raise UsageError(f"unknown type '{content_type}'; types: {', '.join(CONTENT_TYPES)}")
    taxonomy = kb.taxonomy
    found = taxonomy.categories.get(category)
    if found is None:
        raise UsageError(f"unknown category '{category}'; categories: {', '.join(taxonomy.categories)}")
    slug = slugify(title)
    if not slug:
        raise UsageError("the title must contain letters or digits")
    if content_type == "macro" and not slug.startswith("macro-"):
        slug = f"macro-{slug}"
    lang = taxonomy.default_language
    path = kb.root / CONTENT_DIR / lang / category / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{kb.relative(path)} already exists")
    if any(doc.id == slug for doc in kb.load().in_language(lang)):
        raise UsageError(f"id '{slug}' is already used in {lang}; choose another title")
    internal = content_type in INTERNAL_ONLY_TYPES or found.audience == "internal"
    meta: dict[str, object] = {
        "id": slug,
        "title": title,
        "type": content_type,
        "audience": "internal" if internal else "public",
        "status": "draft",
        "category": category,
        "tags": [],
        "owner": found.owner,
        "reviewed": today or date.today(),
        "keywords": [],
    }
    if content_type == "macro":
        meta["actions"] = {"status": "pending", "public": True}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
    _write_new(path, f"---\n{front}---\n\n{BODIES[content_type]}")
    return path


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet, atomically: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.link(temporary, path)  # fails if the path appeared meanwhile, unlike a rename
    except FileExistsError:
        raise UsageError(f"{path} already exists") from None
    finally:
        os.unlink(temporary)
