"""Imports the real Outlook troubleshooting corpus (DocFX Markdown) into a knowledge base, for benchmarks.

Until `kb import` lands (issue 15), this small converter makes an English-only knowledge base of the 334
articles in `<repo>/../shared/corpora/outlook-troubleshooting/` (or `$KB_SHARED_DIR/corpora/...`): each
article becomes `content/en/<category>/<id>.md` with kb front-matter (its title, its `description` as the
summary, a category per source folder: `client-calendaring`, `mac-calendars`...). DocFX syntax is turned
into plain Markdown: `[!INCLUDE]` snippets inlined, `> [!NOTE]` callout markers and `:::image:::` blocks
dropped, `<br>` as a space. The corpus is never copied into the repository: the knowledge base is written
to the folder given.

Run: python bench/outlook_import.py TARGET   (then `kb index` in TARGET, or bench/outlook_eval.py)
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS = "corpora/outlook-troubleshooting"

_INCLUDE = re.compile(r"\[!INCLUDE\s*\[[^\]]*\]\(([^)]+)\)\]", re.IGNORECASE)
_CALLOUT = re.compile(r"^(\s*>\s*)\[!(NOTE|TIP|IMPORTANT|CAUTION|WARNING)\]\s*$", re.MULTILINE | re.IGNORECASE)
_IMAGE = re.compile(r":::image.*?:::image-end:::|:::image[^\n]*?:::", re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_FIRST_HEADING = re.compile(r"\A\s*#\s+[^\n]*\n")
_SITE_LINK = re.compile(r"\[([^\]]*)\]\(/[^)]*\)")  # a link into learn.microsoft.com: its text stays
_SLUG = re.compile(r"[^a-z0-9]+")


def corpus_dir() -> Path | None:
    """The shared Outlook corpus, or None when this machine does not have it."""
    # <repo>/../shared; a worktree in <root>/wt/<name> finds <root>/shared.
    places = [os.environ.get("KB_SHARED_DIR"), REPO.parent / "shared", REPO.parent.parent / "shared"]
    folders = [Path(place) / CORPUS for place in places if place]
    return next((folder for folder in folders if (folder / "Outlook").is_dir()), None)


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def _split(text: str) -> tuple[dict[str, object], str]:
    if not text.startswith("---"):
        return {}, text
    _, front, body = text.split("---", 2)
    return yaml.safe_load(front) or {}, body


def _body(text: str, source: Path, corpus: Path) -> str:
    def include(match: re.Match[str]) -> str:
        target = (source.parent / match.group(1)).resolve()
        if not target.is_file():
            target = corpus / "includes" / Path(match.group(1)).name
        return _split(target.read_text(encoding="utf-8"))[1].strip() if target.is_file() else ""

    text = _INCLUDE.sub(include, text)
    text = _IMAGE.sub("", text)
    text = _CALLOUT.sub(r"\1", text)
    text = _BREAK.sub(" ", text)
    text = _SITE_LINK.sub(r"\1", text)
    return _FIRST_HEADING.sub("", text.lstrip()).strip() + "\n"


def import_outlook(corpus: Path, target: Path) -> dict[str, str]:
    """Writes the knowledge base into `target`; returns article id -> source path (relative to the corpus)."""
    sources = sorted(path for path in (corpus / "Outlook").rglob("*.md") if path.name.lower() != "index.md")
    categories: dict[str, str] = {}
    written: dict[str, str] = {}
    for source in sources:
        meta, body = _split(source.read_text(encoding="utf-8"))
        if not meta.get("title"):
            continue
        parts = source.relative_to(corpus / "Outlook").parts
        category = slug("-".join(parts[:-1]) or "general")
        categories[category] = " / ".join(parts[:-1]) or "General"
        article = slug(source.stem)
        if article in written:
            article = slug(f"{category}-{source.stem}")
        front = {
            "id": article,
            "title": str(meta["title"]).strip(),
            "type": "troubleshooting",
            "audience": "public",
            "status": "published",
            "category": category,
            "owner": "support",
            "reviewed": date(2026, 10, 1),
            "summary": " ".join(str(meta.get("description") or "").split()),
        }
        page = target / "content" / "en" / category / f"{article}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"
        page.write_text(text + _body(body, source, corpus), encoding="utf-8")
        written[article] = str(source.relative_to(corpus))
    taxonomy = {
        "languages": [{"code": "en", "name": "English"}],
        "teams": {"support": {"name": "Support", "handle": "@outlook/support"}},
        "queues": {"tier1": {"name": "Tier 1"}},
        "case_reasons": {},
        "tags": {},
        "categories": {key: {"label": {"en": label}, "owner": "support"} for key, label in sorted(categories.items())},
    }
    (target / "content" / "taxonomy.yml").write_text(yaml.safe_dump(taxonomy, sort_keys=False), encoding="utf-8")
    (target / "mkdocs.yml").write_text("site_name: Outlook troubleshooting\n", encoding="utf-8")
    return written


def main() -> None:
    corpus = corpus_dir()
    if corpus is None:
        sys.exit(f"no corpus at ../shared/{CORPUS} (set KB_SHARED_DIR)")
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "outlook-kb")
    print(f"{len(import_outlook(corpus, target))} articles written to {target}")


if __name__ == "__main__":
    main()
