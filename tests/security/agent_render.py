"""The real renderer's view of agent blocks: Python-Markdown with the build's extensions, and which words of
the output sit inside an element with the `agent` class. Used to prove kbtools.model.agent_blocks against it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown

from site_plugins.build import _MARKDOWN_EXTENSIONS

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CANARY = re.compile(r"\bz[0-9]{3}q\b")


def canary(number: int) -> str:
    return f"z{number:03d}q"


def render(body: str, extra: list[str] | None = None) -> str:
    extensions = [e for e in _MARKDOWN_EXTENSIONS if isinstance(e, str)] + (extra or [])
    return markdown.markdown(body, extensions=extensions)


class _AgentText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.inside: list[str] = []
        self.outside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = next((value or "" for name, value in attrs if name == "class"), "").split()
        self.stack.append("agent" in classes or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        (self.inside if self.stack and self.stack[-1] else self.outside).append(data)


def canaries(html: str) -> tuple[set[str], set[str]]:
    """(canary words inside an element with the `agent` class, canary words anywhere else)."""
    parser = _AgentText()
    parser.feed(html)
    parser.close()
    return set(CANARY.findall(" ".join(parser.inside))), set(CANARY.findall(" ".join(parser.outside)))
