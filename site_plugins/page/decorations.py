"""What kb adds around a page's content: notices, last-updated line, contact link, wiki info, macros."""

from __future__ import annotations

import html
import posixpath
import re
from datetime import date

from kbtools.content import Document
from kbtools.exports.macros import reply_markdown
from kbtools.reviews import review_due
from kbtools.translations import State, content_path, translation_state
from site_plugins.site import Site
from site_plugins.strings import strings

_PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def version_of(site: Site, doc: Document) -> str:
    """The commit a page's text comes from (its last change), or 'uncommitted'."""
    return site.history.version(content_path(doc.lang, doc.rel))


def notices(site: Site, doc: Document, original_url: str) -> str:
    """Banners above the content: an untranslated page shown in the source language, an outdated translation."""
    text = strings(site.lang)
    if site.is_fallback(doc):
        return f'<div class="admonition info kb-notice kb-fallback"><p>{html.escape(text["fallback_notice"])}</p></div>'
    if doc.lang == site.content.default_language:
        return ""
    state = translation_state(site.content, site.history, doc.rel, doc.lang)
    if state.state is not State.OUTDATED:
        return ""
    return (
        f'<div class="admonition warning kb-notice kb-outdated"><p>{html.escape(text["outdated_notice"])} '
        f'<a href="{html.escape(original_url)}" hreflang="{site.content.default_language}">'
        f"{html.escape(text['read_original'])}</a></p></div>"
    )


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
        links.append(f"- [{_markdown_text(shown.title)}]({href})")
    if not links:
        return ""
    return f"\n\n## {strings(doc.lang)['related']} {{#kb-related}}\n\n" + "\n".join(links) + "\n"


def _markdown_text(text: str) -> str:
    """Title text inside a Markdown link: Markdown's own characters escaped, HTML's as entities."""
    escaped = re.sub(r"([\\`*_\[\]])", r"\\\1", text)
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def last_updated(site: Site, doc: Document) -> str:
    text = strings(site.lang)
    commit = site.history.last_change(content_path(doc.lang, doc.rel))
    if commit is None:
        when = date.fromtimestamp(doc.path.stat().st_mtime).isoformat()
        who = text["not_committed"]
    else:
        when = commit.date.date().isoformat()
        who = f"{text['by']} {html.escape(commit.author)}"
    return (
        f'<p class="kb-updated"><small>{html.escape(text["last_updated"] + text["colon"])} '
        f'<time datetime="{when}">{when}</time> {who}</small></p>'
    )


def contact_link(site: Site, contact_url: str) -> str:
    if not contact_url:
        return ""
    label = html.escape(strings(site.lang)["contact"])
    return (
        f'<p class="kb-contact"><a class="md-button" href="{html.escape(contact_url)}" data-kb-contact>{label}</a></p>'
    )


def wiki_info(site: Site, doc: Document) -> str:
    """The facts agents need at the top of every wiki page: type, audience, owner, case reason, review."""
    text = strings(site.lang)
    taxonomy = site.taxonomy
    rows = [
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
    if due:
        overdue = " kb-overdue" if due < date.today() else ""
        rows.append((text["info.review_due"], f'<span class="kb-review{overdue}">{due.isoformat()}</span>'))
    cells = "".join(
        f"<div><dt>{html.escape(label)}</dt><dd>{value if '<span' in value else html.escape(value)}</dd></div>"
        for label, value in rows
    )
    return f'<dl class="kb-info">{cells}</dl>'


def macro_reply(site: Site, doc: Document, base_url: str) -> str:
    """The reply text the copy button copies, as the customer reads it: exactly what `kb export macros` exports.

    No agent-only block, and links to published pages as absolute URLs on the sites at `base_url` (a
    relative link means nothing in a helpdesk ticket).
    """
    return reply_markdown(doc, site.content, site.taxonomy, base_url).strip()


def macro_panel(site: Site, doc: Document, content_html: str, reply: str) -> str:
    """A macro page: when to use it, the reply with placeholders highlighted, a copy button, the actions.

    `content_html` is the reply as agents read it (agent notes included); `reply` is the text copied.
    """
    text = strings(site.lang)
    highlighted = _PLACEHOLDER.sub(r'<code class="kb-placeholder">{{\1}}</code>', content_html)
    actions = "".join(
        f"<tr><th>{html.escape(text.get(f'action.{name}', name))}</th>"
        f"<td>{html.escape(_action_value(site, name, value))} "
        f'<code class="kb-action-key">{html.escape(name)}</code></td></tr>'
        for name, value in doc.actions.items()
    )
    when = (
        f"<p><strong>{html.escape(text['macro.when'] + text['colon'])}</strong> {html.escape(doc.summary)}</p>"
        if doc.summary
        else ""
    )
    return (
        f'{when}<div class="kb-macro" data-kb-macro="{html.escape(doc.id)}">'
        f'<div class="kb-macro__bar"><strong>{html.escape(text["macro.reply"])}</strong>'
        f'<button type="button" class="md-button md-button--primary kb-copy" data-kb-copy '
        f'data-copied="{html.escape(text["macro.copied"])}">{html.escape(text["macro.copy"])}</button></div>'
        f'<div class="kb-macro__reply">{highlighted}</div>'
        f'<textarea class="kb-macro__source" hidden readonly>{html.escape(reply)}</textarea></div>'
        f'<h2 id="kb-actions">{html.escape(text["macro.actions"])}</h2>'
        f'<table class="kb-actions"><tbody>{actions}</tbody></table>'
    )


def _action_value(site: Site, name: str, value: object) -> str:
    """An action's value as agents know it: the queue's name, the case reason's label, a reply or a note."""
    text = strings(site.lang)
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
