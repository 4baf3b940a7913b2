"""Auto-reply templates: the reply kb renders when a ticket arrives, with the articles it suggests.

A template is a content file of `type: autoreply` (internal: the wiki shows it like a macro, the help center
never). Its `case_reason` says which tickets it answers; the template of a language without one is the
default. The body may use the helpdesk's placeholders (kbtools.model.macros) and the auto-reply's own, filled by kb.
Selection and rendering live here, below the service, so lint and the endpoint read templates the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kbtools.model.content import Document
from kbtools.model.markdown import PLACEHOLDER
from kbtools.model.vocabulary import ContentType

ARTICLES_PLACEHOLDER = "autoreply.articles"
# Filled by kb when it renders the reply; the helpdesk's own (ticket.requester.first_name...) are left for it
AUTOREPLY_PLACEHOLDERS: dict[str, str] = {
    ARTICLES_PLACEHOLDER: "Auto-replies only: the suggested articles, one Markdown list item per article "
    "(title linked through its tracking link). Required in every auto-reply template.",
    "autoreply.ticket_id": "Auto-replies only: the helpdesk's ticket id, as the request gave it.",
}


@dataclass(frozen=True)
class Suggestion:
    """One suggested article as the reply links it."""

    title: str
    url: str


def is_autoreply(doc: Document) -> bool:
    return doc.type == ContentType.AUTOREPLY.value


def template_key(doc: Document) -> str | None:
    """What the template answers: its case reason, or None for the language's default template."""
    value = doc.meta.get("case_reason")
    return value if isinstance(value, str) and value else None


def select_template(templates: Iterable[Document], lang: str, case_reason: str | None) -> Document | None:
    """The template for a ticket in `lang`: the one for its case reason (`card/declined`), else the language's
    default; None when the language has no template at all.

    `templates` are published auto-reply documents; the first one wins on a tie (lint reports ties).
    """
    by_key: dict[str | None, Document] = {}
    for doc in templates:
        if doc.lang == lang and is_autoreply(doc) and doc.is_published:
            by_key.setdefault(template_key(doc), doc)
    if case_reason and case_reason in by_key:
        return by_key[case_reason]
    return by_key.get(None)


def articles_markdown(suggestions: Sequence[Suggestion]) -> str:
    """The list `{{autoreply.articles}}` stands for: one `- [title](url)` line per article."""
    return "\n".join(f"- [{_link_text(item.title)}]({item.url})" for item in suggestions)


def _link_text(title: str) -> str:
    """A title as Markdown link text: brackets and backslashes escaped, so no title can end the link early."""
    return title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def render(body: str, suggestions: Sequence[Suggestion], ticket_id: str) -> str:
    """The reply: `body` (the template's text as the customer reads it) with kb's placeholders filled in."""
    values = {ARTICLES_PLACEHOLDER: articles_markdown(suggestions), "autoreply.ticket_id": ticket_id}
    # One pass with the placeholder syntax lint reads: a value holding `{{...}}` is never filled in again
    text = PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)
    return text.strip() + "\n"
