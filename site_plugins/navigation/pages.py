"""Generated pages: the home page, a landing page per category and the tag pages."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass

from kbtools.model.content import Document
from kbtools.model.sanitize import markdown_text
from kbtools.model.taxonomy import CONTENT_TYPES
from kbtools.model.urls import CONTACT_DIR, SEARCH_DIR, TAGS_DIR, page_path
from kbtools.model.vocabulary import Audience
from site_plugins.rendering import render
from site_plugins.site import Site
from site_plugins.strings import strings


@dataclass(frozen=True)
class GeneratedPage:
    path: str
    markdown: str


# Every label, title and summary placed in these pages' Markdown goes through `markdown_text`: shown as
# written, never read as Markdown or HTML. Titles in front-matter are YAML strings; kb-page escapes them.


# Generated pages are ways to articles, never search results themselves (mkdocs-material's `search.exclude`)
_NOT_A_RESULT = "search:\n  exclude: true\n"


def _front(title: str, extra: str = "") -> str:
    return f"---\ntitle: {json.dumps(title)}\n{extra}{_NOT_A_RESULT}---\n\n"  # JSON strings are YAML strings


def _link(from_path: str, doc: Document) -> str:
    target = posixpath.relpath(doc.rel, posixpath.dirname(from_path) or ".")
    summary = f" — {markdown_text(doc.summary)}" if doc.summary else ""
    return f"- [{markdown_text(doc.title)}]({target}){summary}"


def page_order(doc: Document) -> tuple[int, int, int, str]:
    """Pages with an `order` first (lowest first), then by type and title."""
    types = {t: i for i, t in enumerate(CONTENT_TYPES)}
    explicit = doc.order
    return (0 if explicit is not None else 1, explicit or 0, types.get(doc.type, 9), doc.title.casefold())


def categories_with_pages(site: Site) -> list[tuple[str, list[Document]]]:
    """(category id, its documents in `page_order`), in the taxonomy's order, empty ones left out."""
    result = []
    for category in site.taxonomy.categories:
        docs = [d for d in site.documents.values() if d.category == category]
        if docs:
            result.append((category, sorted(docs, key=page_order)))
    return result


def home_page(site: Site, site_name: str, contact_url: str = "") -> GeneratedPage:
    """The home page. The help center's is search first: a search box (kb-home.js hands it to the header's
    search, answered by kb's engine or the built-in one), popular articles in the reader's language (fetched
    by kb-home.js from the service; the `featured` list of taxonomy.yml until then, or without a service),
    the categories with their descriptions, and "Still need help?" to the contact step."""
    text = strings(site.lang, site.kb.root)
    intro = text["home_intro"] if site.is_public else text["wiki_home_intro"]
    lines = [
        # The title as a heading, not front-matter: the theme then names the tab "<site name>", not
        # "<site name> - <site name>"
        f"---\nhide: [navigation, toc, feedback, path]\n{_NOT_A_RESULT}---\n\n",
        f"# {markdown_text(site_name)}\n",
        f"{intro}\n",
    ]
    if site.is_public:
        lines += [home_search(site), popular_section(site)]
    lines += [f"## {markdown_text(text['home.topics'])}\n", '<div class="grid cards" markdown>\n']
    for category, docs in categories_with_pages(site):
        found = site.taxonomy.categories[category]
        label = markdown_text(site.taxonomy.label(found.labels, site.lang))
        description = markdown_text(site.taxonomy.label(found.descriptions, site.lang)) if found.descriptions else ""
        lines.append(f"-   **[{label}]({category}/index.md)**\n\n    ---\n\n    {description}\n")
        lines.append(f"    _{len(docs)} {text['articles_count']}_\n")
    lines.append("</div>\n")
    if site.is_public and contact_url:
        lines.append(
            f'<div class="kb-still" markdown>\n\n## {markdown_text(text["contact.still"])}\n\n'
            f"[{markdown_text(text['contact.button'])}](contact.md){{ .md-button .md-button--primary }}\n\n</div>\n"
        )
    return GeneratedPage("index.md", "\n".join(lines))


def home_search(site: Site) -> str:
    """The home page's search box. Without script it opens the header's search with ?q= (as the 404 page)."""
    return render("home_search.html", text=strings(site.lang, site.kb.root))


def featured_documents(site: Site) -> list[Document]:
    """The pages of taxonomy.yml's `featured` list as this site shows them (translated or not), in its order;
    ids it does not publish are left out (`kb lint` reports them: featured-page)."""
    by_id = {doc.id: doc for doc in site.documents.values()}
    return [by_id[page_id] for page_id, _line in site.taxonomy.featured if page_id in by_id]


def popular_section(site: Site) -> str:
    """Popular articles: the featured pages, which kb-home.js replaces with the service's most viewed articles
    in the site's language when it has some. Hidden when there is neither."""
    up = "" if site.lang == site.content.default_language else "../"  # to the help center's root
    featured = [(page_path(doc.rel), doc.title) for doc in featured_documents(site)]
    return render(
        "popular_section.html", lang=site.lang, root=up, text=strings(site.lang, site.kb.root), featured=featured
    )


def category_page(site: Site, category: str, docs: list[Document]) -> GeneratedPage:
    text = strings(site.lang, site.kb.root)
    found = site.taxonomy.categories[category]
    path = f"{category}/index.md"
    lines = [_front(site.taxonomy.label(found.labels, site.lang))]
    if found.descriptions:
        lines.append(markdown_text(site.taxonomy.label(found.descriptions, site.lang)) + "\n")
    for content_type in CONTENT_TYPES:
        of_type = [d for d in docs if d.type == content_type]
        if of_type:
            lines.append(f"## {text['type.' + content_type]}\n")
            lines.extend(_link(path, d) for d in of_type)
            lines.append("")
    return GeneratedPage(path, "\n".join(lines))


def tag_pages(site: Site) -> list[GeneratedPage]:
    text = strings(site.lang, site.kb.root)
    by_tag: dict[str, list[Document]] = {}
    for doc in site.documents.values():
        for tag in doc.tags:
            by_tag.setdefault(tag, []).append(doc)
    if not by_tag:
        return []
    pages = []
    index_lines = [_front(text["tags"]), text["tags_intro"] + "\n"]
    for tag in sorted(by_tag, key=lambda t: site.taxonomy.tag_label(t, site.lang).casefold()):
        label = site.taxonomy.tag_label(tag, site.lang)
        path = f"{TAGS_DIR}/{tag}.md"
        docs = sorted(by_tag[tag], key=lambda d: d.title.casefold())
        index_lines.append(f"- [{markdown_text(label)}]({tag}.md) ({len(docs)})")
        body = [
            _front(label),
            f"{text['tag_page_intro']} _{markdown_text(label)}_.\n",
            *(_link(path, d) for d in docs),
        ]
        pages.append(GeneratedPage(path, "\n".join(body) + "\n"))
    pages.append(GeneratedPage(f"{TAGS_DIR}/index.md", "\n".join(index_lines) + "\n"))
    return pages


def tag_url(tag: str) -> str:
    return f"{TAGS_DIR}/{tag}/"


SEARCH_PAGE = f"{SEARCH_DIR}.md"  # paths of generated pages: kbtools.model.urls.GENERATED_PATHS


def generated_pages(site: Site, site_name: str, contact_url: str = "") -> list[GeneratedPage]:
    """Every page kb generates for `site`: home, category landing pages, tag pages, the help center's contact
    step (when there is a contact URL) and the wiki's search page."""
    pages = [home_page(site, site_name, contact_url)]
    pages += [category_page(site, category, docs) for category, docs in categories_with_pages(site)]
    pages += tag_pages(site)
    if site.is_public and contact_url:
        pages.append(contact_page(site, contact_url))
    if not site.is_public:  # the wiki searches through the agent search service
        pages.append(search_page(site))
    return pages


def page_paths(site: Site, contact_url: str = "") -> set[str]:
    """Source paths of every page `site` publishes (content and generated), e.g. 'cards/x.md', 'tags/index.md'."""
    return set(site.documents) | {page.path for page in generated_pages(site, "", contact_url)}


CONTACT_PAGE = f"{CONTACT_DIR}.md"


def contact_page_url(site: Site, from_path: str) -> str:
    """Relative link from the page at `from_path` (a source path) to this site's contact step."""
    return posixpath.relpath(f"{CONTACT_DIR}/", posixpath.dirname(posixpath.splitext(from_path)[0] + "/") or ".") + "/"


def contact_page(site: Site, contact_url: str) -> GeneratedPage:
    """The deflection step before contact: the customer says what the problem is and sees matching articles
    as they type (kb-contact.js); "Contact support" then goes to `contact_url`, with the typed subject in
    place of `{subject}` when the URL has it. Nothing typed is sent to kb."""
    text = strings(site.lang, site.kb.root)
    up = "../" if site.lang == site.content.default_language else "../../"  # to the help center's root
    step = render(
        "contact_step.html",
        lang=site.lang,
        root=up,
        text=text,
        contact_url=contact_url,
        contact_href=contact_url.replace("{subject}", ""),
    )
    lines = [
        _front(text["contact.title"], "hide: [navigation, toc, feedback]\n"),
        f"{markdown_text(text['contact.intro'])}\n",
        step,
    ]
    return GeneratedPage(CONTACT_PAGE, "\n".join(lines))


def search_page(site: Site) -> GeneratedPage:
    """The wiki's search page: the agent search service, with filters and keyboard navigation (kb-search.js)."""
    text = strings(site.lang, site.kb.root)
    taxonomy = site.taxonomy

    types = [(t, text[f"type.{t}"]) for t in CONTENT_TYPES]
    categories = [(c.id, taxonomy.label(c.labels, site.lang)) for c in taxonomy.categories.values()]
    tags = sorted(((t, taxonomy.tag_label(t, site.lang)) for t in taxonomy.tags), key=lambda p: p[1].casefold())
    languages = [(language.code, language.name) for language in taxonomy.languages]
    messages = [
        (name, text[key])
        for name, key in (
            ("copy", "macro.copy"),
            ("copied", "macro.copied"),
            ("none", "search.none"),
            ("unavailable", "search.unavailable"),
            ("suggest", "search.suggest"),
            (Audience.INTERNAL.value, "badge.internal"),
            *((f"type-{t}", f"kind.{t}") for t in CONTENT_TYPES),
        )
    ]
    box = render(
        "search_page.html",
        lang=site.lang,
        text=text,
        messages=messages,
        types=types,
        categories=categories,
        tags=tags,
        languages=languages,
    )
    markdown = _front(text["search"], "hide: [toc, feedback]\n") + "\n" + box
    return GeneratedPage(SEARCH_PAGE, markdown)
