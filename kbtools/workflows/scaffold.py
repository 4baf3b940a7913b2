"""Creating things: a new knowledge base (`kb init`) and a new content file (`kb new`)."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from string import Template

import yaml

from kbtools.governance.translations import RECORDED_SHA_LENGTH, content_path, market_content
from kbtools.model.content import ContentSet, Document
from kbtools.model.errors import UsageError
from kbtools.model.history import ContentHistory
from kbtools.model.markdown import slugify
from kbtools.model.project import CONTENT_DIR, KnowledgeBase
from kbtools.model.schema import INTERNAL_ONLY_TYPES
from kbtools.model.taxonomy import CONTENT_TYPES, LANGUAGE_CODE
from kbtools.model.vocabulary import Audience, ContentType, Status

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
    "autoreply": "Hi {{ticket.requester.first_name}},\n\nThank you for your message. While an agent looks into it, "
    "these articles may already answer it:\n\n{{autoreply.articles}}\n\n...\n",
}


LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "de": "Deutsch", "it": "Italiano",
                  "pt": "Português", "nl": "Nederlands"}  # fmt: skip
# Labels of the skeleton's taxonomy entries; a language not listed gets the English text to translate
_LABELS: dict[str, dict[str, str]] = {
    "label_getting_started": {"en": "Getting started", "fr": "Premiers pas", "es": "Primeros pasos"},
    "description_getting_started": {
        "en": "The basics of your account.",
        "fr": "Les bases de votre compte.",
        "es": "Lo básico de su cuenta.",
    },
    "label_account": {"en": "Account", "fr": "Compte", "es": "Cuenta"},
    "label_general": {"en": "General", "fr": "Général", "es": "General"},
    "label_question": {"en": "Question", "fr": "Question", "es": "Pregunta"},
}
_PAGES_FALLBACK = "en"  # the source language's pages when kb has none written in it


def parse_languages(text: str) -> list[str]:
    """'fr,en' -> ['fr', 'en']: the first is the source language; raises UsageError for a bad code."""
    codes = [code.strip() for code in text.split(",") if code.strip()]
    if not codes:
        raise UsageError("--languages needs at least one language code, e.g. --languages fr or fr,en")
    for code in codes:
        if not LANGUAGE_CODE.match(code):
            raise UsageError(f"'{code}' is not a language code such as en, fr or pt-BR")
    if len(set(codes)) != len(codes):
        raise UsageError("--languages lists a language twice")
    return codes


def _taxonomy_values(languages: list[str]) -> dict[str, str]:
    lines = [f"  - code: {code}\n    name: {LANGUAGE_NAMES.get(code.split('-')[0], code)}" for code in languages]
    values = {"languages": "\n".join(lines)}
    for key, labels in _LABELS.items():
        pairs = (f"{code}: {labels.get(code.split('-')[0], labels['en'])}" for code in languages)
        values[key] = "{" + ", ".join(pairs) + "}"
    return values


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
# The first body line of a draft `kb translations scaffold` writes: the text below is still the source's. An HTML
# comment, so a reviewer's preview shows the page as it will read; lint (scaffold-text) refuses it once published.
TRANSLATION_MARKER = "<!-- kb: translate the text below, then delete this line and set status: published -->"


def init_knowledge_base(
    target: Path, site_name: str = "Help Center", today: date | None = None, languages: list[str] | None = None
) -> list[Path]:
    """Write a lint-clean knowledge-base skeleton into `target` (which must be empty or absent).

    The first of `languages` (default: en, fr) is the source language; each language gets the example pages
    kb has written in it (the source language always gets a set, in English when kb has none in it).
    """
    languages = languages or ["en", "fr"]
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"{target} is not empty; kb init only writes into a new or empty folder")
    values = {"site_name": site_name, "today": (today or date.today()).isoformat(), **_taxonomy_values(languages)}
    template_root = resources.files("kbtools") / "templates" / "init"
    page_languages = {entry.name for entry in (template_root / "content").iterdir() if entry.is_dir()}
    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    for source, rel in _walk(template_root):
        parts = rel.split("/")
        if parts[0] == "content" and len(parts) > 2:  # content/<lang>/...: written per chosen language
            for lang in _languages_for(parts[1], languages, page_languages):
                destination = target / "content" / lang / "/".join(parts[2:])
                written.append(_write_template(source, destination, values))
            continue
        destination = target / rel
        written.append(_write_template(source, destination, values))
    return written


def _languages_for(template_lang: str, languages: list[str], page_languages: set[str]) -> list[str]:
    """The chosen languages that get the pages kb wrote in `template_lang`."""
    chosen = [lang for lang in languages if lang.split("-")[0] == template_lang]
    source = languages[0]
    if template_lang == _PAGES_FALLBACK and source.split("-")[0] not in page_languages and source not in chosen:
        chosen.insert(0, source)
    return chosen


def _write_template(source, destination: Path, values: dict[str, str]) -> Path:  # type: ignore[no-untyped-def]
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(Template(source.read_text(encoding="utf-8")).safe_substitute(values), encoding="utf-8")
    return destination


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
    if content_type in (ContentType.MACRO, ContentType.AUTOREPLY) and not slug.startswith(f"{content_type}-"):
        slug = f"{content_type}-{slug}"
    lang = taxonomy.default_language
    path = kb.root / CONTENT_DIR / lang / category / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{kb.relative(path)} already exists")
    if any(doc.id == slug for doc in kb.load().in_language(lang)):
        raise UsageError(f"id '{slug}' is already used in {lang}; choose another title")
    internal = content_type in INTERNAL_ONLY_TYPES or found.audience == Audience.INTERNAL
    meta: dict[str, object] = {
        "id": slug,
        "title": title,
        "type": content_type,
        "audience": Audience.INTERNAL.value if internal else Audience.PUBLIC.value,
        "status": Status.DRAFT.value,
        "category": category,
        "tags": [],
        "owner": found.owner,
        "reviewed": today or date.today(),
        "keywords": [],
    }
    if content_type == ContentType.MACRO:
        meta["actions"] = {"status": "pending", "public": True}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
    write_new(path, f"---\n{front}---\n\n{BODIES[content_type]}")
    return path


def write_new(path: Path, text: str) -> None:
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


# kb translations scaffold -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """An untranslated draft of `source` for `lang`: the work list a translation vendor gets."""

    source: Document
    lang: str
    path: Path
    source_commit: str | None  # the source file's last commit (None when it was never committed)

    @property
    def rel(self) -> str:
        return content_path(self.lang, self.source.rel)


def drafts_needed(content: ContentSet, history: ContentHistory, kb_root: Path, lang: str) -> list[Draft]:
    """A draft for every page markets need (market_content) that has no file in `lang` yet."""
    if lang == content.default_language:
        raise UsageError(f"{lang} is the source language; name the language to translate into (--lang)")
    drafts = []
    for source in market_content(content):
        path = kb_root / CONTENT_DIR / lang / source.rel
        if content.get(lang, source.rel) is not None or path.exists():
            continue  # never overwrite: a translation, a draft or an unreadable file is already there
        last = history.last_change(content_path(source.lang, source.rel))
        drafts.append(Draft(source, lang, path, last.sha[:RECORDED_SHA_LENGTH] if last else None))
    return drafts


_STATUS = re.compile(r"^status:.*$")
_SOURCE_COMMIT = re.compile(r"^source_commit:.*$")


def draft_text(draft: Draft) -> str:
    """The source file with `status: draft` and `source_commit`, and the marker before its body."""
    text = draft.source.path.read_text(encoding="utf-8")
    lines = text.split("\n")
    close = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    front = [line for line in lines[1:close] if not _SOURCE_COMMIT.match(line)]
    if any(_STATUS.match(line) for line in front):
        front = ["status: draft" if _STATUS.match(line) else line for line in front]
    else:
        front.append("status: draft")
    if draft.source_commit:
        front.append(f"source_commit: {draft.source_commit}")
    body = "\n".join(lines[close + 1 :]).lstrip("\n")
    return "\n".join(["---", *front, "---", "", TRANSLATION_MARKER, "", body])


def write_drafts(drafts: list[Draft]) -> list[Path]:
    """Write each draft; a file that appeared meanwhile is left as it is (never overwritten)."""
    written = []
    for draft in drafts:
        try:
            write_new(draft.path, draft_text(draft))
        except UsageError:  # it exists now
            continue
        written.append(draft.path)
    return written
