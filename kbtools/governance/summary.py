"""`kb summary`: what the knowledge base holds, what is missing and what is due for review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from kbtools.governance.reviews import review_due
from kbtools.model.content import ContentSet
from kbtools.model.taxonomy import CONTENT_TYPES, Taxonomy


@dataclass
class CategoryRow:
    id: str
    label: str
    audience: str
    counts: dict[str, int]  # per content type, default language, published


@dataclass
class Summary:
    files: int
    by_language: dict[str, int]
    by_type: dict[str, int]
    by_status: dict[str, int]
    public_sources: int
    translated: dict[str, int]  # lang -> public sources translated
    categories: list[CategoryRow] = field(default_factory=list)
    overdue: list[tuple[str, date]] = field(default_factory=list)
    due_soon: list[tuple[str, date]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "by_language": self.by_language,
            "by_type": self.by_type,
            "by_status": self.by_status,
            "public_sources": self.public_sources,
            "translated": self.translated,
            "categories": [row.__dict__ for row in self.categories],
            "overdue": [{"page": page, "due": due.isoformat()} for page, due in self.overdue],
            "due_soon": [{"page": page, "due": due.isoformat()} for page, due in self.due_soon],
        }


def summarize(content: ContentSet, taxonomy: Taxonomy, today: date, soon_days: int = 30) -> Summary:
    default = taxonomy.default_language
    sources = [doc for doc in content.in_language(default) if doc.is_published]
    public_sources = [doc for doc in sources if doc.is_public]
    translated = {
        lang: sum(1 for doc in public_sources if content.get(lang, doc.rel) is not None)
        for lang in taxonomy.language_codes[1:]
    }
    categories = []
    for category in taxonomy.categories.values():
        counts = Counter(doc.type for doc in sources if doc.category == category.id)
        categories.append(
            CategoryRow(
                category.id,
                taxonomy.label(category.labels, default),
                category.audience,
                {t: counts.get(t, 0) for t in CONTENT_TYPES},
            )
        )
    overdue, due_soon = [], []
    for doc in content:
        due = review_due(doc, taxonomy) if doc.is_published else None
        if due is None:
            continue
        if due < today:
            overdue.append((f"{doc.lang}/{doc.rel}", due))
        elif due <= today + timedelta(days=soon_days):
            due_soon.append((f"{doc.lang}/{doc.rel}", due))
    return Summary(
        files=len(content),
        by_language=dict(Counter(doc.lang for doc in content)),
        by_type={t: sum(1 for doc in content if doc.type == t) for t in CONTENT_TYPES},
        by_status=dict(Counter(doc.status for doc in content)),
        public_sources=len(public_sources),
        translated=translated,
        categories=categories,
        overdue=sorted(overdue, key=lambda item: item[1]),
        due_soon=sorted(due_soon, key=lambda item: item[1]),
    )


def render_text(summary: Summary, taxonomy: Taxonomy) -> str:
    languages = ", ".join(f"{lang} {count}" for lang, count in summary.by_language.items())
    lines = [
        f"{summary.files} content files ({languages})",
        "Types: " + ", ".join(f"{count} {t}" for t, count in summary.by_type.items()),
        "Status: " + ", ".join(f"{count} {s}" for s, count in sorted(summary.by_status.items())),
    ]
    for lang, count in summary.translated.items():
        share = count / summary.public_sources if summary.public_sources else 1.0
        lines.append(f"Translated to {lang}: {count} of {summary.public_sources} public pages ({share:.0%})")
    lines.append("")
    header = f"{'Category':<34}{'audience':<10}" + "".join(f"{t:>17}" for t in CONTENT_TYPES)
    lines.append(header)
    for row in summary.categories:
        counts = "".join(f"{row.counts[t]:>17}" for t in CONTENT_TYPES)
        lines.append(f"{row.label[:33]:<34}{row.audience:<10}{counts}")
    lines.append("")
    lines.append(f"Reviews overdue: {len(summary.overdue)}; due within 30 days: {len(summary.due_soon)}")
    for page, due in summary.overdue[:10]:
        lines.append(f"  overdue since {due}: {page}")
    return "\n".join(lines)
