"""Macros for helpdesk import: Zendesk's macro JSON, or a CSV any helpdesk importer can map.

One file per language. A reply leaves the site, so its relative links become the published URLs and
agent-only blocks are dropped. Zendesk needs its own numeric ids for groups and custom fields: queues are
mapped with `group_ids`, the case reason goes to the custom field `case_reason_field`; an action that
cannot be mapped is left out and named in `notes`.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtools.model.content import ContentSet, Document
from kbtools.model.files import write_atomically
from kbtools.model.macros import macro_tag
from kbtools.model.markdown import parser
from kbtools.model.publishing import visible_lines, with_absolute_links
from kbtools.model.taxonomy import Taxonomy
from kbtools.model.vocabulary import Audience, ContentType, Status

FORMATS = ("zendesk", "csv")
ZENDESK_STATUS = {"open": "open", "pending": "pending", "on-hold": "hold", "solved": "solved"}
CSV_COLUMNS = (
    "id",
    "lang",
    "title",
    "category",
    "active",
    "description",
    "reply_markdown",
    "reply_html",
    "status",
    "priority",
    "group",
    "add_tags",
    "remove_tags",
    "case_reason",
    "public",
)


@dataclass(frozen=True)
class MacroOptions:
    base_url: str
    group_ids: dict[str, str] = field(default_factory=dict)  # taxonomy queue -> Zendesk group id
    case_reason_field: str | None = None  # Zendesk custom ticket field id holding the case reason


@dataclass
class MacroExport:
    files: list[Path] = field(default_factory=list)
    macros: int = 0
    notes: list[str] = field(default_factory=list)


def macros_of(content: ContentSet, lang: str) -> list[Document]:
    """Macros in `lang` worth importing (archived ones are not), by title."""
    found = [d for d in content.in_language(lang) if d.type == ContentType.MACRO and d.status != Status.ARCHIVED]
    return sorted(found, key=lambda d: (d.title.lower(), d.rel))


def reply_markdown(doc: Document, content: ContentSet, taxonomy: Taxonomy, base_url: str) -> str:
    """The reply as the customer reads it: no agent-only block, links to published pages."""
    lines = with_absolute_links(doc, visible_lines(doc, Audience.PUBLIC), content, taxonomy, base_url, Audience.PUBLIC)
    return "\n".join(text for _, text in lines).strip() + "\n"


def reply_html(markdown: str) -> str:
    return parser().render(markdown).strip()


def zendesk_title(doc: Document, taxonomy: Taxonomy) -> str:
    """'Category::Title': Zendesk shows `::` as folders in the agents' macro menu."""
    category = taxonomy.categories.get(doc.category)
    return f"{taxonomy.label(category.labels, doc.lang)}::{doc.title}" if category else doc.title


def zendesk_macro(
    doc: Document, content: ContentSet, taxonomy: Taxonomy, options: MacroOptions, left_out: Counter[tuple[str, str]]
) -> dict[str, Any]:
    """The macro object Zendesk's `POST /api/v2/macros` accepts (inside {"macro": ...}).

    Actions that cannot be mapped are counted in `left_out` as (what, how to map it).
    """
    comment = reply_html(reply_markdown(doc, content, taxonomy, options.base_url))
    actions: list[dict[str, str]] = [{"field": "comment_value_html", "value": comment}]
    actions.append({"field": "current_tags", "value": " ".join(applied_tags(doc))})
    for name, value in doc.actions.items():
        if name == "status":
            actions.append({"field": "status", "value": ZENDESK_STATUS.get(str(value), str(value))})
        elif name == "priority":
            actions.append({"field": "priority", "value": str(value)})
        elif name == "group":
            group_id = options.group_ids.get(str(value))
            if group_id is None:
                left_out[(f"group '{value}'", f"give its Zendesk group id: --group-id {value}=ID")] += 1
            else:
                actions.append({"field": "group_id", "value": group_id})
        elif name == "remove_tags":
            removed = " ".join(str(tag) for tag in value) if isinstance(value, list) else str(value)
            actions.append({"field": "remove_tags", "value": removed})
        elif name == "case_reason":
            if options.case_reason_field is None:
                left_out[("case_reason", "give the Zendesk custom field holding it: --case-reason-field ID")] += 1
            else:
                actions.append(
                    {"field": f"custom_fields_{options.case_reason_field}", "value": case_reason_tag(str(value))}
                )
        elif name == "public":
            actions.append({"field": "comment_mode_is_public", "value": "true" if value else "false"})
    return {
        "title": zendesk_title(doc, taxonomy),
        "active": doc.is_published,
        "description": doc.summary or None,
        "restriction": None,
        "actions": actions,
    }


def applied_tags(doc: Document) -> list[str]:
    """The tags applying the macro adds: its own `add_tags`, then the one saying it was applied, which the
    ticket-solved webhooks read back (`kbtools.model.macros.macro_tag`)."""
    added = doc.actions.get("add_tags")
    tags = [str(tag) for tag in added] if isinstance(added, list) else ([str(added)] if added else [])
    return [*tags, macro_tag(doc.id)]


def case_reason_tag(case_reason: str) -> str:
    """A case reason as a drop-down field value (a Zendesk tag): payment/refund-request -> payment__refund_request."""
    return case_reason.replace("/", "__").replace("-", "_")


def csv_row(doc: Document, content: ContentSet, taxonomy: Taxonomy, base_url: str) -> dict[str, str]:
    markdown = reply_markdown(doc, content, taxonomy, base_url)
    actions = doc.actions

    def action(name: str) -> str:
        value = actions.get(name)
        if value is None:
            return ""
        if isinstance(value, list):
            return " ".join(map(str, value))
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return {
        "id": doc.id,
        "lang": doc.lang,
        "title": doc.title,
        "category": doc.category,
        "active": "true" if doc.is_published else "false",
        "description": doc.summary,
        "reply_markdown": markdown,
        "reply_html": reply_html(markdown),
        **{name: action(name) for name in ("status", "priority", "group")},
        "add_tags": " ".join(applied_tags(doc)),
        **{name: action(name) for name in ("remove_tags", "case_reason")},
        "public": action("public"),
    }


def export_macros(
    content: ContentSet, taxonomy: Taxonomy, fmt: str, languages: list[str], out_dir: Path, options: MacroOptions
) -> MacroExport:
    """Write macros-<lang>.json (Zendesk) or macros-<lang>.csv into `out_dir`, one file per language."""
    result = MacroExport()
    left_out: Counter[tuple[str, str]] = Counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    for lang in languages:
        macros = macros_of(content, lang)
        if fmt == "zendesk":
            payload = {"macros": [zendesk_macro(doc, content, taxonomy, options, left_out) for doc in macros]}
            path = out_dir / f"macros-{lang}.json"
            write_atomically(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
            writer.writeheader()
            for doc in macros:
                writer.writerow(csv_row(doc, content, taxonomy, options.base_url))
            path = out_dir / f"macros-{lang}.csv"
            write_atomically(path, buffer.getvalue())
        result.files.append(path)
        result.macros += len(macros)
    for (what, how), count in sorted(left_out.items()):
        result.notes.append(f"{what} left out of {count} macro{'s' * (count != 1)}; {how}")
    return result
