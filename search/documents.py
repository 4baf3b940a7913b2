"""What the search index holds about a page, computed from the content model (no search engine here).

A page becomes an `IndexRecord`: its front-matter facts, where it is published, the last commit that
changed it, and its body rendered from Markdown to plain text in `Section`s, one per heading, so a hit
can show its best passage under the heading it sits in and link to that heading's anchor. Text inside
agent-only blocks (the renderer's rules: kbtools.model.agent_blocks) is kept apart (`Section.agent`) so that
public searches never see it.

The FTS5 baseline in bench/ indexes the same records, so both engines are compared on the same text.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

from markdown_it.token import Token

from kbtools.model.agent_blocks import TAB, with_container_blanks_filled
from kbtools.model.content import ContentSet, Document
from kbtools.model.history import ContentHistory
from kbtools.model.markdown import inline_text, parser
from kbtools.model.project import CONTENT_DIR
from kbtools.model.publishing import is_visible, shows_source_instead
from kbtools.model.taxonomy import Taxonomy
from kbtools.model.urls import page_url
from kbtools.model.vocabulary import AUDIENCES as AUDIENCE_VALUES
from kbtools.model.vocabulary import Audience

PUBLIC = Audience.PUBLIC.value
INTERNAL = Audience.INTERNAL.value
AUDIENCES = AUDIENCE_VALUES

PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}")
_ATTR_ID = re.compile(r"\s*\{\s*#[\w-]+[^}]*\}\s*$")
_BLOCKS_WITH_TEXT = ("fence", "code_block")


@dataclass
class Section:
    """The text under one heading (the page's introduction has no heading), up to the next heading."""

    heading: str
    anchor: str
    level: int
    text: str = ""  # visible to everyone who sees the page
    agent: str = ""  # from agent-only blocks: the wiki only

    def to_stored(self) -> dict[str, object]:
        return {
            "heading": self.heading,
            "anchor": self.anchor,
            "level": self.level,
            "text": self.text,
            "agent": self.agent,
        }


@dataclass
class IndexRecord:
    id: str
    lang: str
    rel: str
    title: str
    type: str
    audience: str
    category: str
    owner: str
    case_reason: str
    tags: list[str]
    keywords: list[str]
    summary: str
    version: str  # the last commit that changed the file, short, or 'uncommitted' (ContentHistory.version)
    url: str  # on the site of its own audience, in its language
    sections: list[Section]
    # Languages whose site shows this page, per audience: a page not translated yet is shown in the
    # default language on the other languages' sites too.
    shown_in: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.lang}/{self.rel}"

    @property
    def headings(self) -> list[str]:
        return [section.heading for section in self.sections if section.heading]

    @property
    def body(self) -> str:
        """Public body text (what the help center shows)."""
        return "\n".join(section.text for section in self.sections if section.text)

    @property
    def agent_text(self) -> str:
        return "\n".join(section.agent for section in self.sections if section.agent)

    @property
    def is_public(self) -> bool:
        return bool(self.shown_in.get(PUBLIC))


def render_sections(doc: Document) -> list[Section]:
    """The body of `doc` as plain text, one section per heading outside agent blocks.

    Agent-only blocks are those of `doc.outline` (the renderer's rules, kbtools.model.agent_blocks): their lines
    are blanked out of the public text, and their own text goes to the section they sit in. Headings are
    matched to `doc.outline.headings` by line, so anchors are exactly the site's.
    """
    # One parse for the outline and the text, unless the page has agent-only blocks, whose lines are left out
    # of a second parse (and the outline is known already, e.g. from a worker of kb.load).
    tokens = [] if doc.outline_known and doc.outline.agent_blocks else doc.tokens()
    hidden = doc.outline.agent_lines
    lines = doc.body.split("\n")
    headings = {heading.line: heading for heading in doc.outline.headings}
    sections = [Section("", "", 0)]
    starts = [doc.body_line]  # file line where each section starts
    parts: list[list[str]] = [[]]  # public text of each section
    if hidden:  # parsed again without the agent-only lines
        public_body = "\n".join("" if doc.body_line + offset in hidden else text for offset, text in enumerate(lines))
        tokens = parser().parse(with_container_blanks_filled(public_body))  # blocks open across blank lines
    row: list[str] | None = None  # cells of the table row being read: one line per row
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            line = doc.body_line + (token.map[0] if token.map else 0)
            heading = headings.get(line)
            text = _ATTR_ID.sub("", inline_text(tokens[index + 1])).strip()
            sections.append(Section(text, heading.anchor if heading else "", int(token.tag[1])))
            starts.append(line)
            parts.append([])
        else:
            row = _read(tokens, index, row, parts[-1], skip_titles=False)
    agent_parts: list[list[str]] = [[] for _ in sections]
    for block in doc.outline.agent_blocks:
        number = max(index for index, start in enumerate(starts) if start <= block.start)
        block_lines = lines[block.start - doc.body_line + 1 : block.end - doc.body_line + 1]
        agent_parts[number].extend(_text_of(textwrap.dedent("\n".join(block_lines).expandtabs(TAB))))
    for section, public, agent in zip(sections, parts, agent_parts, strict=True):
        section.text = "\n".join(public)
        section.agent = "\n".join(agent)
    return [section for section in sections if section.heading or section.text or section.agent]


def _text_of(markdown: str) -> list[str]:
    """Every text of `markdown` (headings included, admonition titles left out), one item per paragraph."""
    found: list[str] = []
    tokens = parser().parse(markdown)
    row: list[str] | None = None
    for index in range(len(tokens)):
        row = _read(tokens, index, row, found, skip_titles=True)
    return found


def _read(
    tokens: list[Token], index: int, row: list[str] | None, into: list[str], skip_titles: bool
) -> list[str] | None:
    """Add the text of token `index` to `into`; returns the table row being read."""
    token = tokens[index]
    previous = tokens[index - 1].type if index else ""
    if token.type == "tr_open":
        return []
    if token.type == "tr_close" and row is not None:
        _add(into, " · ".join(cell for cell in row if cell))
        return None
    if token.type == "inline":
        if previous == "heading_open" and not skip_titles:
            return row  # read with its heading
        if previous == "admonition_title_open" and skip_titles:
            return row  # "Agent notes"
        if row is not None:
            row.append(" ".join(inline_text(token).split()))
        else:
            _add(into, inline_text(token))
    elif token.type in _BLOCKS_WITH_TEXT:
        _add(into, token.content.strip())
    return row


def _add(into: list[str], text: str) -> None:
    text = " ".join(text.split())
    if text:
        into.append(text)


def indexed_text(text: str) -> str:
    """Text as indexed: macro placeholders ({{ticket.requester.first_name}}) are syntax, not words."""
    return PLACEHOLDER.sub(" ", text)


def shown_in(content: ContentSet, taxonomy: Taxonomy) -> dict[tuple[str, str], dict[str, list[str]]]:
    """(lang, rel) -> audience -> languages whose site of that audience shows the page.

    The site build's rules (kbtools.model.publishing.is_visible): published only; the public site shows a
    public page of a public category whose source, for a translation, is public too; a page not
    translated yet is shown in the default language on every other language's site.
    """
    default = content.default_language

    def shows(doc: Document, audience: str) -> bool:
        return is_visible(doc, audience, taxonomy)

    found: dict[tuple[str, str], dict[str, list[str]]] = {}
    for doc in content:
        where: dict[str, list[str]] = {}
        for audience in AUDIENCES:
            source = content.source_of(doc)
            if not shows(doc, audience) or (source is not None and not shows(source, audience)):
                continue
            langs = [doc.lang]
            if doc.lang == default:
                langs += [
                    lang for lang in content.languages if lang != default and shows_source_instead(content, doc, lang)
                ]
            where[audience] = langs
        if where:
            found[(doc.lang, doc.rel)] = where
    return found


def records(content: ContentSet, taxonomy: Taxonomy, history: ContentHistory) -> Iterable[IndexRecord]:
    """An `IndexRecord` for every published page of either audience."""
    for doc, where in published(content, taxonomy):
        yield record(doc, where, history, content.default_language)


def published(content: ContentSet, taxonomy: Taxonomy) -> Iterable[tuple[Document, dict[str, list[str]]]]:
    """Every published page of either audience, with the sites that show it (cheap: nothing is rendered)."""
    visibility = shown_in(content, taxonomy)
    for doc in content:
        where = visibility.get((doc.lang, doc.rel))
        if where:
            yield doc, where


def record(doc: Document, where: dict[str, list[str]], history: ContentHistory, default: str) -> IndexRecord:
    """The `IndexRecord` of a published page (its body rendered to sections: the costly part)."""
    own_site = PUBLIC if PUBLIC in where else INTERNAL
    return IndexRecord(
        id=doc.id,
        lang=doc.lang,
        rel=doc.rel,
        title=doc.title,
        type=doc.type,
        audience=doc.audience,
        category=doc.category,
        owner=doc.owner,
        case_reason=doc.case_reason,
        tags=doc.tags,
        keywords=doc.keywords,
        summary=doc.summary,
        version=history.version(f"{CONTENT_DIR}/{doc.lang}/{doc.rel}"),
        url=page_url(own_site, doc.lang, doc.rel, default),
        sections=render_sections(doc),
        shown_in=where,
    )
