"""Markdown structure of a page body: headings with their anchors, links, agent-only blocks, placeholders.

Parsed once with markdown-it-py (tokens carry source line ranges), so lint, the site build, search and
exports all see the same structure, and syntax inside code fences is never mistaken for the real thing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin

AGENT_BLOCK = "agent"  # `!!! agent "Agent notes"`: shown in the wiki, stripped from the public site

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
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
    """A fenced admonition such as an agent-only block; lines are 1-based and inclusive."""

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


def outline(body: str, first_line: int = 1) -> Outline:
    """Structure of `body`, whose first line is line `first_line` of its file."""
    result = Outline()
    tokens = parser().parse(body)
    seen_anchors: set[str] = set()
    agent_depth = 0
    for index, token in enumerate(tokens):
        if token.type == "admonition_open":
            if token.meta.get("tag") == AGENT_BLOCK:
                agent_depth += 1
                start, end = token.map or (0, 0)
                title = token.info.strip().removeprefix(AGENT_BLOCK).strip().strip('"')
                result.agent_blocks.append(Block(AGENT_BLOCK, title, first_line + start, first_line + end - 1))
        elif token.type == "admonition_close":
            opener = _matching_open(tokens, index)
            if opener is not None and opener.meta.get("tag") == AGENT_BLOCK:
                agent_depth -= 1
        elif token.type == "heading_open":
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
            _collect_links(token, first_line, agent_depth > 0, result.links)
    result.placeholders = _placeholders(body, tokens, first_line)
    return result


def _matching_open(tokens: list[Token], close_index: int) -> Token | None:
    depth = 0
    for index in range(close_index - 1, -1, -1):
        token = tokens[index]
        if token.type == "admonition_close":
            depth += 1
        elif token.type == "admonition_open":
            if depth == 0:
                return token
            depth -= 1
    return None


def _collect_links(token: Token, first_line: int, in_agent: bool, links: list[Link]) -> None:
    line = first_line + (token.map[0] if token.map else 0)
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            links.append(Link(str(child.attrs.get("href", "")), line, in_agent))
        elif child.type == "image":
            links.append(Link(str(child.attrs.get("src", "")), line, in_agent, is_image=True))


def _placeholders(body: str, tokens: list[Token], first_line: int) -> list[Placeholder]:
    code_lines: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(token.map[0], token.map[1]))
    found = []
    for offset, text in enumerate(body.splitlines()):
        if offset in code_lines or "{{" not in text:
            continue
        for match in _PLACEHOLDER.finditer(text):
            found.append(Placeholder(match.group(1), first_line + offset))
    return found
