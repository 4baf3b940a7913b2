"""Untitled admonitions (`!!! tip`) get their title in the page's language, not Python-Markdown's English one.

Python-Markdown titles an untitled admonition with its type, capitalized ("Tip", "Note", "Warning"), whatever
the page's language. Before the page is rendered, kb gives each untitled admonition of a known type an
explicit title from the site strings (`admonition.<type>`). Admonitions are located with the same
markdown-it parser the rest of kb uses, so an example inside a code fence or an indented code block is left
as it is, and nested admonitions keep their indentation.
"""

from __future__ import annotations

import re

from kbtools.model.markdown import parser
from site_plugins.strings import strings

_PREFIX = "admonition."
# An opening line with no quoted title: `!!! tip`, `???+ note`, `!!! note inline end` (extra classes).
# Python-Markdown and pymdownx.details take the title from a trailing "quoted string" when there is one.
_UNTITLED = re.compile(r"^(?P<lead>[ \t>]*(?:!!!|\?\?\?\+?) ?(?P<type>[\w-]+)(?: +[\w-]+)*) *(?P<cr>\r?)$", re.M)


def titles(lang: str, kb_root: str) -> dict[str, str]:
    """Admonition type -> title in `lang`, for the types whose title differs from Python-Markdown's own."""
    return {
        key.removeprefix(_PREFIX): title
        for key, title in strings(lang, kb_root).items()
        if key.startswith(_PREFIX) and title != key.removeprefix(_PREFIX).capitalize()
    }


def localize_admonitions(markdown: str, lang: str, kb_root: str) -> str:
    """`markdown` with a title in `lang` on every untitled admonition of a known type."""
    known = titles(lang, kb_root)
    # Most pages have none (or only titled ones): skip the parse
    if not known or not any(match.group("type") in known for match in _UNTITLED.finditer(markdown)):
        return markdown
    lines = markdown.split("\n")
    changed = False
    for token in parser().parse(markdown):
        if token.type != "admonition_open" or not token.map:
            continue
        number = token.map[0]
        match = _UNTITLED.match(lines[number])
        if match is None or match.group("type") not in known:
            continue
        lines[number] = f'{match.group("lead")} "{known[match.group("type")]}"{match.group("cr")}'
        changed = True
    return "\n".join(lines) if changed else markdown
