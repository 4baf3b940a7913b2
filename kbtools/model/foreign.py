"""Syntax of other documentation tools that kb's renderer would show as literal text.

One definition shared by `kb lint` (a warning with file and line) and `kb import` (what it converts, and what is
left for a person's eye): DocFX / Microsoft Learn callouts, images and includes, colon fences (DocFX,
Docusaurus), Liquid or Jinja tags in links, Hugo shortcodes and kramdown attribute blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtools.model.markdown import parser


@dataclass(frozen=True)
class ForeignSyntax:
    kind: str
    line: int
    text: str  # the matched text, shortened for messages

    @property
    def hint(self) -> str:
        return HINTS[self.kind]


CALLOUT = re.compile(r"^\s*>\s*\[!(NOTE|TIP|IMPORTANT|CAUTION|WARNING)\]", re.IGNORECASE)
IMAGE = re.compile(r":::image\b", re.IGNORECASE)
INCLUDE = re.compile(r"\[!INCLUDE\b", re.IGNORECASE)
DIRECTIVE = re.compile(r"\[!(?:div|video|zone|row|column)\b|^\s*:::\s*\w", re.IGNORECASE)
TEMPLATE_LINK = re.compile(r"\]\([^)\n]*(?:\{\{|\{%)")
TEMPLATE_TAG = re.compile(r"\{%-?\s*\w.*?%\}|\{\{[<%].*?[>%]\}\}")
ATTRIBUTE_BLOCK = re.compile(r"^\s*\{:\s*[^}]*\}\s*$|^\s*\{::\w")
_TRIGGER = re.compile(r"\[!|:::|\{%|\{\{[<%]|\]\([^)\n]*\{\{|^\s*\{:", re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")

# Checked in this order; a line reports its first match only (a callout line holding an include is one fix)
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("callout", CALLOUT),
    ("image-block", IMAGE),
    ("include", INCLUDE),
    ("template-link", TEMPLATE_LINK),
    ("template-tag", TEMPLATE_TAG),
    ("directive", DIRECTIVE),
    ("attribute-block", ATTRIBUTE_BLOCK),
)

HINTS: dict[str, str] = {
    "callout": "a DocFX/GitHub callout shows as a quote with literal '[!NOTE]': write an admonition (!!! note)",
    "image-block": "a DocFX ':::image' block shows as literal text: write ![alt text](file.png)",
    "include": "'[!INCLUDE]' is not expanded here: paste the snippet's text into the page",
    "template-link": "a Liquid/Jinja tag inside a link is not expanded, so the link is broken and not checked: "
    "link to the .md file with a relative path",
    "template-tag": "a Liquid/Jinja tag or Hugo shortcode is not expanded: it shows as literal text",
    "directive": "a DocFX or Docusaurus directive (':::' fence, [!div], [!VIDEO]) shows as literal text: "
    "use an admonition (!!! note), a plain link or Markdown",
    "attribute-block": "a kramdown attribute block on its own line shows as literal text: put '{: .class}' at the "
    "end of the element it styles, or remove it",
}


def find_foreign_syntax(body: str, first_line: int = 1) -> list[ForeignSyntax]:
    """Foreign syntax in `body` (whose first line is `first_line`), outside code blocks and code spans."""
    if not _TRIGGER.search(body):  # most pages: no second parse (lint reads thousands of files)
        return []
    code_lines: set[int] = set()
    for token in parser().parse(body):
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(token.map[0], token.map[1]))
    found = []
    previous_blank = True
    for offset, line in enumerate(body.split("\n")):
        if offset in code_lines:
            previous_blank = False
            continue
        text = _CODE_SPAN.sub("", line)
        for kind, pattern in PATTERNS:
            match = pattern.search(text)
            if match and (kind != "attribute-block" or previous_blank):
                found.append(ForeignSyntax(kind, first_line + offset, _shorten(text.strip())))
                break
        previous_blank = not line.strip()
    return found


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
