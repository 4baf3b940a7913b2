"""Raw HTML written in a Markdown body, with its lines, checked against kbtools.model.sanitize's allow-list.

markdown-it (with HTML on, unlike kbtools.model.markdown's parser) finds HTML blocks and inline tags and leaves
code spans, fences and indented code alone, so an example in backticks is never reported. The build checks
the rendered page with the same allow-list, so what Python-Markdown reads differently is still caught there.
"""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin

from kbtools.model.sanitize import Problem, problems


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).use(admon_plugin).enable("table")


def body_problems(body: str, first_line: int = 1) -> list[Problem]:
    """What the build would remove from the raw HTML of `body`, with file lines (`first_line`: the body's)."""
    if "<" not in body:  # no tag, no raw HTML: most pages, and no second parse
        return []
    found: list[Problem] = []
    for token in _parser().parse(body):
        if token.type == "html_block" and token.map:
            found += problems(token.content, first_line + token.map[0])
        elif token.type == "inline" and token.map and token.children:
            found += _inline(token.children, first_line + token.map[0])
    return found


def _inline(children: list[Token], line: int) -> list[Problem]:
    found: list[Problem] = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "html_inline":
            found += problems(child.content, line)
            line += child.content.count("\n")  # a tag may span lines
    return found
