"""Markdown structure of a page body: headings with their anchors, links, agent-only blocks, placeholders.

Parsed once with markdown-it-py (tokens carry source line ranges), so lint, the site build, search and
exports all see the same structure, and syntax inside code fences is never mistaken for the real thing.
Agent-only blocks are the exception: they are found by the renderer's own block rules
(kbtools.model.agent_blocks), because CommonMark reads admonitions differently, and every component that must
leave them out (lint, the public site, search, exports) takes them from here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin

from kbtools.model.agent_blocks import AGENT_CLASS, find_agent_blocks, with_container_blanks_filled

AGENT_BLOCK = AGENT_CLASS  # `!!! agent "Agent notes"`: shown in the wiki, stripped from the public site

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")  # `{{ name }}`: also how replies are filled in
_ATTR_ID = re.compile(r"\s*\{\s*#([\w-]+)[^}]*\}\s*$")
_ID_COUNT = re.compile(r"^(.*)_([0-9]+)$")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str
    line: int


@dataclass(frozen=True)
class Link:
    target: str
    line: int
    in_agent_block: bool
    is_image: bool = False


@dataclass(frozen=True)
class Block:
    """An agent-only block (kbtools.model.agent_blocks); lines are 1-based and inclusive, marker to last text line."""

    kind: str
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Placeholder:
    name: str
    line: int


@dataclass
class Outline:
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    agent_blocks: list[Block] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)

    @property
    def anchors(self) -> set[str]:
        return {heading.anchor for heading in self.headings}

    @property
    def agent_lines(self) -> set[int]:
        """File lines inside agent-only blocks (blank lines between their parts included)."""
        return {line for block in self.agent_blocks for line in range(block.start, block.end + 1)}


@cache
def parser() -> MarkdownIt:
    """The markdown-it configuration shared by every kb component."""
    return MarkdownIt("commonmark", {"html": False}).use(admon_plugin).enable("table")


def slugify(text: str, separator: str = "-") -> str:
    """Heading anchor exactly as MkDocs' default `toc` extension makes it (accents folded to ASCII)."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


def _unique(anchor: str, seen: set[str]) -> str:
    # Same de-duplication as Python-Markdown's toc: "faq", "faq_1", "faq_2"...
    while anchor in seen or not anchor:
        match = _ID_COUNT.match(anchor)
        anchor = f"{match.group(1)}_{int(match.group(2)) + 1}" if match else f"{anchor}_1"
    seen.add(anchor)
    return anchor


def inline_text(token: Token) -> str:
    """The visible text of an inline token (what the toc extension slugifies)."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def body_tokens(body: str) -> list[Token]:
    """markdown-it tokens of `body`, blocks kept open across blank lines as the renderer keeps them (so links
    and headings in them count)."""
    return parser().parse(with_container_blanks_filled(body))


def outline(body: str, first_line: int = 1, tokens: list[Token] | None = None) -> Outline:
    """Structure of `body`, whose first line is line `first_line` of its file (`tokens`: its body_tokens, if
    the caller has them already)."""
    result = Outline()
    result.agent_blocks = [
        Block(AGENT_BLOCK, block.title, block.start, block.end) for block in find_agent_blocks(body, first_line)
    ]
    agent_lines = result.agent_lines
    tokens = tokens if tokens is not None else body_tokens(body)
    seen_anchors: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text = inline_text(inline).strip()
            custom = _ATTR_ID.search(text)
            if custom:
                text = text[: custom.start()].rstrip()
                anchor = _unique(custom.group(1), seen_anchors)
            else:
                anchor = _unique(slugify(text), seen_anchors)
            line = first_line + (token.map[0] if token.map else 0)
            result.headings.append(Heading(int(token.tag[1]), text, anchor, line))
        elif token.type == "inline":
            _collect_links(token, first_line, agent_lines, result.links)
    result.placeholders = _placeholders(body, tokens, first_line)
    return result


def _collect_links(token: Token, first_line: int, agent_lines: set[int], links: list[Link]) -> None:
    line = first_line + (token.map[0] if token.map else 0)
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            links.append(Link(str(child.attrs.get("href", "")), line, line in agent_lines))
        elif child.type == "image":
            links.append(Link(str(child.attrs.get("src", "")), line, line in agent_lines, is_image=True))


def _placeholders(body: str, tokens: list[Token], first_line: int) -> list[Placeholder]:
    code_lines: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(token.map[0], token.map[1]))
    found = []
    for offset, text in enumerate(body.splitlines()):
        if offset in code_lines or "{{" not in text:
            continue
        for match in PLACEHOLDER.finditer(text):
            found.append(Placeholder(match.group(1), first_line + offset))
    return found
