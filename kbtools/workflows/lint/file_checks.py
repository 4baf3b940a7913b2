"""Checks of one file on its own: front-matter against the schema and taxonomy, placeholders, reviews."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kbtools.governance.reviews import review_due
from kbtools.model.agent_blocks import ambiguous_agent_markup
from kbtools.model.autoreplies import ARTICLES_PLACEHOLDER, AUTOREPLY_PLACEHOLDERS, is_autoreply
from kbtools.model.content import Document
from kbtools.model.findings import Finding
from kbtools.model.macros import BUILTIN_PLACEHOLDERS
from kbtools.model.raw_html import body_problems
from kbtools.model.schema import FIELDS, FIELDS_BY_NAME, CheckContext, did_you_mean
from kbtools.model.taxonomy import CONTENT_TYPES, Taxonomy
from kbtools.model.vocabulary import REPLY_TYPES, Audience
from kbtools.workflows.lint.rules import RULES
from kbtools.workflows.scaffold import PLACEHOLDER_LINES, TRANSLATION_MARKER


def finding(doc: Document, rule: str, message: str, line: int | None = None, key: str | None = None) -> Finding:
    return Finding(doc.path, line or 1, rule, message, RULES[rule].severity, key)


def check_file(doc: Document, taxonomy: Taxonomy, today: date) -> Iterator[Finding]:
    yield from _duplicate_keys(doc)
    yield from _front_matter(doc, taxonomy, today)
    yield from _category_audience(doc, taxonomy)
    if doc.type in REPLY_TYPES:
        yield from _placeholders(doc, taxonomy)
    if is_autoreply(doc):
        yield from _autoreply_articles(doc)
    yield from _review(doc, taxonomy, today)
    yield from _agent_block_shapes(doc)
    yield from _raw_html(doc)
    yield from _scaffold_text(doc)


def _duplicate_keys(doc: Document) -> Iterator[Finding]:
    for key_path, line in doc.front_matter.duplicate_keys:
        yield finding(doc, "duplicate-key", "this key is already set above", line, ".".join(key_path))


def _front_matter(doc: Document, taxonomy: Taxonomy, today: date) -> Iterator[Finding]:
    content_type = doc.meta.get("type") if doc.meta.get("type") in CONTENT_TYPES else None
    context = CheckContext(taxonomy, doc.lang, content_type, today)
    for key, value in doc.meta.items():
        field = FIELDS_BY_NAME.get(str(key))
        line = doc.line_of(str(key))
        if field is None:
            hint = did_you_mean(key, list(FIELDS_BY_NAME))
            yield finding(doc, "unknown-key", f"unknown key '{key}'{hint}", line, str(key))
            continue
        if content_type and content_type not in field.types:
            yield finding(doc, "unknown-key", f"'{key}' only applies to: {', '.join(field.types)}", line, str(key))
            continue
        for problem in field.check(value, context):
            sub_line = doc.line_of(str(key), problem.subkey) if problem.subkey else line
            key_name = f"{key}.{problem.subkey}" if problem.subkey else str(key)
            yield finding(doc, problem.rule, problem.message, sub_line, key_name)
    for field in FIELDS:
        if field.required and field.name not in doc.meta:
            yield finding(doc, "missing-key", f"missing required key '{field.name}' ({field.kind})", 1, field.name)


def _category_audience(doc: Document, taxonomy: Taxonomy) -> Iterator[Finding]:
    category = taxonomy.categories.get(doc.category)
    if category and category.audience == Audience.INTERNAL and doc.audience == Audience.PUBLIC:
        yield finding(
            doc,
            "audience",
            f"category '{category.id}' is internal-only, so its pages must be audience: internal",
            doc.line_of("audience"),
            "audience",
        )


def _placeholders(doc: Document, taxonomy: Taxonomy) -> Iterator[Finding]:
    known = {**BUILTIN_PLACEHOLDERS, **taxonomy.placeholders, **(AUTOREPLY_PLACEHOLDERS if is_autoreply(doc) else {})}
    for placeholder in doc.outline.placeholders:
        if placeholder.name not in known:
            hint = did_you_mean(placeholder.name, list(known))
            yield finding(
                doc,
                "unknown-placeholder",
                f"unknown placeholder {{{{{placeholder.name}}}}}{hint}",
                placeholder.line,
            )


def _autoreply_articles(doc: Document) -> Iterator[Finding]:
    if not any(placeholder.name == ARTICLES_PLACEHOLDER for placeholder in doc.outline.placeholders):
        lines = doc.body.split("\n")
        first_text = next((offset for offset, text in enumerate(lines) if text.strip()), 0)
        yield finding(
            doc,
            "autoreply-template",
            f"an auto-reply must list the suggested articles: add {{{{{ARTICLES_PLACEHOLDER}}}}} to the reply",
            doc.body_line + first_text,
        )


def _review(doc: Document, taxonomy: Taxonomy, today: date) -> Iterator[Finding]:
    if not doc.is_published:
        return
    due = review_due(doc, taxonomy)
    if due is not None and due < today:
        key = "review_by" if "review_by" in doc.meta else "reviewed"
        days = (today - due).days
        yield finding(
            doc,
            "review-overdue",
            f"review overdue since {due} ({days} days); review the page and update 'reviewed'",
            doc.line_of(key),
            key,
        )


def _agent_block_shapes(doc: Document) -> Iterator[Finding]:
    """Agent-only blocks a writer could misread: the site's reading (kbtools.model.agent_blocks) is the only one."""
    for problem in ambiguous_agent_markup(doc.body, doc.body_line):
        yield finding(doc, "agent-block-shape", problem.message, problem.line)


def _raw_html(doc: Document) -> Iterator[Finding]:
    """Raw HTML the build would remove from the body (kbtools.model.sanitize's allow-list)."""
    for problem in body_problems(doc.body, doc.body_line):
        if problem.script:
            yield finding(doc, "unsafe-html", f"{problem.what} is not published: it could run script", problem.line)
        else:
            yield finding(
                doc, "html-removed", f"{problem.what} is not in kb's allow-list: the build removes it", problem.line
            )


def _scaffold_text(doc: Document) -> Iterator[Finding]:
    """Placeholder lines of `kb new` still in a published page, outside code fences."""
    if not doc.is_published:
        return
    fence = ""
    for offset, line in enumerate(doc.body.split("\n")):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = "" if fence == marker else (fence or marker)
            continue
        if not fence and stripped == TRANSLATION_MARKER:
            yield finding(
                doc,
                "scaffold-text",
                "still marked for translation by `kb translations scaffold`: translate the page, then delete the "
                "marker line",
                doc.body_line + offset,
            )
        elif not fence and stripped in PLACEHOLDER_LINES:
            yield finding(
                doc, "scaffold-text", f"placeholder text from `kb new` left in: {stripped!r}", doc.body_line + offset
            )
