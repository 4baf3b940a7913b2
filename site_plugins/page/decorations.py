"""What kb adds around a page's content: notices, last-updated line, contact link, wiki info, macros.

Every fragment is a Jinja template of site_plugins/templates/page/ with autoescape: each value is escaped
unless it is itself `Markup` (a fragment built the same way, or HTML already cleaned): never by hand.
"""

from __future__ import annotations

import posixpath
import re
from datetime import date

from markupsafe import Markup

from kbtools.governance.reviews import review_due
from kbtools.governance.translations import State, content_path, translation_state
from kbtools.model.content import Document
from kbtools.model.sanitize import markdown_text
from kbtools.workflows.exports.macros import reply_markdown
from site_plugins.navigation.pages import contact_page_url
from site_plugins.rendering import fragment
from site_plugins.site import Site
from site_plugins.strings import strings

_PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def version_of(site: Site, doc: Document) -> str:
    """The commit a page's text comes from (its last change), or 'uncommitted'."""
    return site.history.version(content_path(doc.lang, doc.rel))


def notices(site: Site, doc: Document, original_url: str) -> str:
    """Banners above the content: an untranslated page shown in the source language, an outdated translation."""
    text = strings(site.lang, site.kb.root)
    if site.is_fallback(doc):
        return fragment("page/fallback_notice.html", notice=text["fallback_notice"])
    if doc.lang == site.content.default_language:
        return Markup()
    state = translation_state(site.content, site.history, doc.rel, doc.lang)
    if state.state is not State.OUTDATED:
        return Markup()
    return fragment(
        "page/outdated_notice.html",
        notice=text["outdated_notice"],
        original_url=original_url,
        original_lang=site.content.default_language,
        read_original=text["read_original"],
    )


def fallback_heading(doc: Document) -> Markup:
    """The h1 of a page shown in its source language: marked with that language, not indexed twice."""
    return fragment("page/fallback_heading.html", lang=doc.lang, title=doc.title)


def fallback_text(doc: Document, content_html: str) -> Markup:
    """`content_html` (already cleaned) marked as written in the page's own language."""
    return fragment("page/fallback_text.html", lang=doc.lang, content=Markup(content_html))


def related_section(site: Site, doc: Document) -> str:
    """Markdown for the page's `related` list: links to the pages this site publishes (in its language, or
    in the source language when not translated yet); MkDocs resolves and checks the links like any other."""
    links = []
    for related_id in doc.related:
        target = site.content.by_id.get((doc.lang, related_id)) or site.content.by_id.get(
            (site.content.default_language, related_id)
        )
        shown = site.documents.get(target.rel) if target is not None else None
        if shown is None or shown.rel == doc.rel:  # internal on the public site, a draft, itself
            continue
        href = posixpath.relpath(shown.rel, posixpath.dirname(doc.rel) or ".")
        links.append(f"- [{markdown_text(shown.title)}]({href})")
    if not links:
        return ""
    return f"\n\n## {strings(doc.lang, site.kb.root)['related']} {{#kb-related}}\n\n" + "\n".join(links) + "\n"


def last_updated(site: Site, doc: Document, show_author: bool) -> Markup:
    """The date of the page's last change; who made it only where `show_author` (the wiki, by default)."""
    text = strings(site.lang, site.kb.root)
    commit = site.history.last_change(content_path(doc.lang, doc.rel))
    if commit is None:
        when = date.fromtimestamp(doc.path.stat().st_mtime).isoformat()
        who = f" {text['not_committed']}" if show_author else ""
    else:
        when = commit.date.date().isoformat()
        who = f" {text['by']} {commit.author}" if show_author else ""
    return fragment("page/last_updated.html", label=text["last_updated"] + text["colon"], when=when, who=who)


def contact_link(site: Site, doc: Document, contact_url: str) -> Markup:
    """ "Contact support" under an article: to the contact step (which suggests articles first), saying which
    article the customer came from."""
    if not contact_url:
        return Markup()
    href = f"{contact_page_url(site, doc.rel)}?from={doc.id}"
    return fragment("page/contact_link.html", href=href, label=strings(site.lang, site.kb.root)["contact"])


def outcome_question(site: Site) -> Markup:
    """The auto-reply's "did this solve your request?" box, empty and hidden: kb-autoreply.js fills and shows it
    when the page was opened from a suggested link. Its text is in attributes, so no search index holds it."""
    text = strings(site.lang, site.kb.root)
    names = ("question", "yes", "no", "thanks_yes", "thanks_no", "expired", "error")
    attributes = Markup(" ").join(
        Markup('data-{}="{}"').format(name.replace("_", "-"), text[f"outcome.{name}"]) for name in names
    )
    return Markup('<div class="kb-outcome" data-kb-outcome hidden {}></div>').format(attributes)


def wiki_info(site: Site, doc: Document) -> Markup:
    """The facts agents need at the top of every wiki page: type, audience, owner, case reason, review."""
    text = strings(site.lang, site.kb.root)
    taxonomy = site.taxonomy
    rows: list[tuple[str, str]] = [
        (text["info.type"], text.get(f"kind.{doc.type}", doc.type)),
        (text["info.audience"], text.get(f"audience.{doc.audience}", doc.audience)),
        (text["info.owner"], taxonomy.teams[doc.owner].name if doc.owner in taxonomy.teams else doc.owner),
    ]
    sub = taxonomy.sub_reason(doc.case_reason) if doc.case_reason else None
    if sub:
        label = taxonomy.case_reason_label(doc.case_reason, site.lang)
        rows.append((text["info.case_reason"], f"{label} ({doc.case_reason})"))
        queue = taxonomy.queues.get(sub.queue)
        rows.append((text["info.queue"], queue.name if queue else sub.queue))
    if doc.keywords:
        rows.append((text["info.keywords"], ", ".join(doc.keywords)))
    due = review_due(doc, taxonomy)
    review = {"label": text["info.review_due"], "due": due.isoformat(), "overdue": due < date.today()} if due else None
    return fragment("page/wiki_info.html", rows=rows, review=review)


def macro_reply(site: Site, doc: Document, base_url: str) -> str:
    """The reply text the copy button copies, as the customer reads it: exactly what `kb export macros` exports.

    No agent-only block, and links to published pages as absolute URLs on the sites at `base_url` (a
    relative link means nothing in a helpdesk ticket).
    """
    return reply_markdown(doc, site.content, site.taxonomy, base_url).strip()


def macro_panel(site: Site, doc: Document, content_html: str, reply: str) -> Markup:
    """A macro page: when to use it, the reply with placeholders highlighted, a copy button, the actions.

    `content_html` is the reply as agents read it (agent notes included), already cleaned; `reply` is the text
    copied.
    """
    text = strings(site.lang, site.kb.root)
    # A placeholder's name is only word characters and dots: nothing to escape
    highlighted = Markup(_PLACEHOLDER.sub(r'<code class="kb-placeholder">{{\1}}</code>', content_html))
    actions = [
        (text.get(f"action.{name}", name), _action_value(site, name, value), name)
        for name, value in doc.actions.items()
    ]
    return fragment(
        "page/macro_panel.html",
        text=text,
        id=doc.id,
        summary=doc.summary,
        when_label=text["macro.when"] + text["colon"],
        reply_html=highlighted,
        reply=reply,
        actions=actions,
        outcomes=macro_outcomes(site, doc),
    )


def _action_value(site: Site, name: str, value: object) -> str:
    """An action's value as agents know it: the queue's name, the case reason's label, a reply or a note."""
    text = strings(site.lang, site.kb.root)
    taxonomy = site.taxonomy
    if name == "group" and isinstance(value, str) and value in taxonomy.queues:
        return f"{taxonomy.queues[value].name} ({value})"
    if name == "case_reason" and isinstance(value, str) and (label := taxonomy.case_reason_label(value, site.lang)):
        return f"{label} ({value})"
    if name == "public" and isinstance(value, bool):
        return text["action.public.yes" if value else "action.public.no"]
    if name in ("status", "priority") and isinstance(value, str):
        return text.get(f"{name}.{value}", value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


_OUTCOME_STRINGS = ("uses", "satisfaction", "bound", "reopened", "handle", "minutes", "version", "none")


def macro_outcomes(site: Site, doc: Document) -> Markup:
    """Where the wiki's macro page shows its own outcomes: kb-macro.js fills it from the service's report
    (/internal/api/v1/reports/macro-outcomes) and shows it; hidden without the service."""
    text = strings(site.lang, site.kb.root)
    labels = [(name, text[f"macro.outcomes.{name}"]) for name in _OUTCOME_STRINGS]
    return fragment("page/macro_outcomes.html", text=text, macro=doc.id, lang=doc.lang, labels=labels)
