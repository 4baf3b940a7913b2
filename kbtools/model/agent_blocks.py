"""Agent-only blocks, found by the rules of the renderer that styles them.

The sites are rendered by Python-Markdown with `admonition`, `pymdownx.details` and `pymdownx.superfences`
(see site_plugins/build.py). Whatever that renderer puts inside an element with the `agent` class is shown
as an agent note in the wiki and must never reach a public output, so this module finds agent blocks by
*its* rules, not by CommonMark's: a block parser that follows Python-Markdown's block processors
(admonitions, details, lists, list indents, code blocks, block quotes, headers, rules, tables, paragraphs)
on source lines instead of strings, so every element knows the file lines it came from.

The rules in short (docs/writers.md, "Agent-only blocks"): tabs expand to 4 columns; a fenced code block
is one line for block parsing (blank lines inside it never end anything); `!!!`, `???` or `???+` at the
start of a line (of its container) opens a block whose classes are the words after it, lower-cased; the
block is agent-only when `agent` is one of them; its body is the following lines indented by 4 spaces, up
to the first line that is not, and it continues across blank lines with every following chunk indented by
4 (or deeper into a list it ends with), as long as nothing else came between.

`find_agent_blocks` gives the source line ranges; `ambiguous_agent_markup` the shapes a writer could read
as an agent block that the renderer does not show as one (or shows as one only by accident), for lint.
The module knows nothing of MkDocs, markdown-it or the search engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

AGENT_CLASS = "agent"
TAB = 4  # Python-Markdown's tab_length
MAX_DEPTH = 50  # nested blocks kb reads; a deeper page is hidden whole from the public and refused by lint

# The renderer's own patterns (markdown.extensions.admonition, pymdownx.details), searched in a block's
# text one line at a time as the renderer does: `(?m)^...$`.
_ADMONITION = re.compile(r'(?m)^!!! ?([\w\-]+(?: +[\w\-]+)*)(?: +"(.*?)")? *$')
_DETAILS = re.compile(r'(?m)^\?{3}(\+)? ?(?:([\w\-]+(?: +[\w\-]+)*?)?(?: +"(.*?)")|([\w\-]+(?: +[\w\-]+)*?)) *$')
_FENCE_START = re.compile(
    r"""(?x)
    (?P<fence>~{3,}|`{3,})
    (?:[ \t]*\.?(?P<lang>[\w#.+-]+)(?=[\t ]|$))?
    (?:
        [ \t]*(\{(?P<attrs>[^\n]*)\}) |
        (?P<options>(?:(?:[ \t]*[a-zA-Z][a-zA-Z0-9_]*(?:=(?P<quot>"|').*?(?P=quot))?)(?=[\t ]|$))+) |
        (?P<unrecognized>(?:([ \t]*[^\s]+)(?=[\t ]|$))+)
    )?[ \t]*$
    """
)
_ULIST = re.compile(r"^[ ]{0,3}[*+-][ ]+(.*)")
_OLIST = re.compile(r"^[ ]{0,3}\d+\.[ ]+(.*)")
_LIST_CHILD = re.compile(r"^[ ]{0,3}((\d+\.)|[*+-])[ ]+(.*)")
_LIST_INDENT = re.compile(r"^[ ]{4,7}((\d+\.)|[*+-])[ ]+.*")
_INDENT = re.compile(r"^(([ ]{4})+)")
_QUOTE = re.compile(r"(?m)^[ ]{0,3}>[ ]?(.*)")
_HASH_HEADER = re.compile(r"(?m)^#{1,6}")
_SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)[ ]*")
_RULE = re.compile(r"(?m)^[ ]{0,3}(?=(?P<g>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=g)[ ]*$")
_TABLE_END_BORDER = re.compile(r"(?<!\\)(?:\\\\)*\|$")
_TABLE_PIPE = re.compile(r"(?<!\\)\|")  # code spans holding pipes are not modelled: rare in a header row
_SPACES = re.compile(" {2,}")
_LISTS = ("ul", "ol")

# What a writer may mean as an agent block: a marker with `agent` in any case, anywhere after it.
_LOOKS_LIKE_MARKER = re.compile(r"^\s*(!!!|\?\?\?\+?)(?P<rest>.*)$")
_AGENT_WORD = re.compile(r"(?<![\w-])agent(?![\w-])", re.IGNORECASE)
_AGENT_CLASS_ATTRIBUTE = re.compile(
    r"""class\s*=\s*["'][^"']*(?<![\w-])agent(?![\w-])|\{[^}\n]*\.agent(?![\w-])[^}\n]*\}""", re.IGNORECASE
)


@dataclass(frozen=True)
class AgentBlock:
    """An agent-only block: 1-based, inclusive file lines from its marker to its last non-blank line."""

    start: int
    end: int
    title: str


@dataclass(frozen=True)
class Ambiguity:
    line: int  # 1-based file line
    message: str


@dataclass(frozen=True)
class _Line:
    text: str
    source: tuple[int, ...]  # 0-based body lines this logical line stands for (a fence stands for many)


@dataclass(eq=False)
class _Node:
    tag: str
    classes: tuple[str, ...] = ()
    title: str = ""
    marker: int = -1  # body line of the marker, for blocks
    children: list[_Node] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # body lines whose text lands directly in this node
    code: bool = False  # an indented code block: nothing inside is markup

    def add(
        self, tag: str, classes: tuple[str, ...] = (), title: str = "", marker: int = -1, code: bool = False
    ) -> _Node:
        child = _Node(tag, classes, title, marker, code=code)
        self.children.append(child)
        return child

    @property
    def last(self) -> _Node | None:
        return self.children[-1] if self.children else None

    @property
    def is_agent(self) -> bool:
        return AGENT_CLASS in self.classes

    def walk(self) -> Iterator[_Node]:
        """This node and every node under it, in document order (no recursion: trees can be deep)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def all_lines(self) -> set[int]:
        return {line for node in self.walk() for line in node.lines}


def _split_blocks(lines: list[_Line]) -> list[list[_Line]]:
    """The blocks of `lines` exactly as Python-Markdown's `text.split('\\n\\n')` cuts their text: a cut
    at each empty line that has a line after it, scanning left to right without overlap."""
    blocks = []
    start = index = 0
    while index <= len(lines) - 3:
        if not lines[index + 1].text:
            blocks.append(lines[start : index + 1])
            start = index = index + 2
        else:
            index += 1
    blocks.append(lines[start:])
    return blocks


def _first(block: list[_Line], pattern: re.Pattern[str]) -> tuple[int, re.Match[str]] | None:
    """The first line of `block` where multi-line `pattern` matches, and the match (searched in the joined
    text, as the renderer searches a block: linear in C rather than a regular expression per line)."""
    text = "\n".join(line.text for line in block)
    match = pattern.search(text)
    return (text.count("\n", 0, match.start()), match) if match else None


def _is_table(rows: list[str]) -> bool:
    """The tables extension's test: a header row of 2+ cells (or 1 with borders) and a separator row of as
    many cells made of `|:- ` only."""
    if len(rows) < 2:
        return False
    border = rows[0].startswith("|") or _TABLE_END_BORDER.search(rows[0]) is not None

    def cells(row: str) -> list[str]:
        if border:
            row = _TABLE_END_BORDER.sub("", row.removeprefix("|"))
        return _TABLE_PIPE.split(row)

    count = len(cells(rows[0]))
    if count == 1 and border:
        table = all(row.startswith("|") or _TABLE_END_BORDER.search(row) for row in rows[1:])
    else:
        table = count > 1
    separator = cells(rows[1])
    return table and len(separator) == count and set("".join(separator)) <= set("|:- ")


def _has_text(lines: list[_Line]) -> bool:
    """Whether the text of `lines` (joined with newlines) is not empty."""
    return len(lines) > 1 or (bool(lines) and bool(lines[0].text))


def _detab(block: list[_Line], length: int = TAB) -> tuple[list[_Line], list[_Line]]:
    """(the leading lines indented by `length` or blank, dedented; the rest), as BlockProcessor.detab."""
    kept = []
    for line in block:
        if line.text.startswith(" " * length):
            kept.append(_Line(line.text[length:], line.source))
        elif not line.text.strip():
            kept.append(_Line("", line.source))
        else:
            break
    return kept, block[len(kept) :]


def _normalise(body: str) -> list[_Line]:
    """Python-Markdown's whitespace normalisation (tabs to 4 columns, blank lines emptied), then fences
    collapsed to one line each as pymdownx.superfences does before block parsing."""
    texts = body.replace("\r\n", "\n").replace("\r", "\n").expandtabs(TAB).split("\n")
    lines = [_Line("" if not text.strip(" ") else text, (number,)) for number, text in enumerate(texts)]
    return _collapse_fences(lines)


def _collapse_fences(lines: list[_Line]) -> list[_Line]:
    result: list[_Line] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        indent = len(line.text) - len(line.text.lstrip(" "))
        start = _FENCE_START.match(line.text, indent)
        end = _fence_end(lines, index, indent, start.group("fence")) if start and _fence_ok(start) else None
        if end is None:
            result.append(line)
            index += 1
            continue
        covered = tuple(number for item in lines[index : end + 1] for number in item.source)
        result.append(_Line(" " * indent + "\x02fence\x03", covered))
        index = end + 1
    return result


def _fence_ok(match: re.Match[str]) -> bool:
    return not match.group("unrecognized")


def _fence_end(lines: list[_Line], start: int, indent: int, fence: str) -> int | None:
    """The line closing the fence opened at `start` (superfences' rules), or None: then it is no fence."""
    closing = re.compile(re.escape(fence) + r"[ \t]*$")
    for index in range(start + 1, len(lines)):
        text = lines[index].text
        if not text.strip():
            continue
        own = len(text) - len(text.lstrip(" "))
        if own < indent:
            return None  # a content line not indented as far as the fence: superfences gives up
        content = text[indent:]
        if closing.match(content) and not content.startswith((" ", "\t")):
            return index
    return None


class _TooDeep(Exception):
    """Blocks nested deeper than MAX_DEPTH (hostile input: the parser would exhaust the stack)."""


class _BlockParser:
    """Python-Markdown's BlockParser and the block processors of the build, over `_Line`s."""

    def __init__(self) -> None:
        self.state: list[str] = []
        self.depth = 0
        self.processors = (
            self._admonition,
            self._details,
            self._empty,
            self._list_indent,
            self._code,
            self._table,
            self._hash_header,
            self._setext_header,
            self._rule,
            self._ordered_list,
            self._unordered_list,
            self._quote,
            self._paragraph,
        )

    def parse_chunk(self, parent: _Node, lines: list[_Line]) -> None:
        self.parse_blocks(parent, _split_blocks(lines))

    def parse_blocks(self, parent: _Node, blocks: list[list[_Line]]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH * 3:  # a nested block costs up to 3 levels (container, chunk, list item)
            raise _TooDeep
        while blocks:
            block = blocks.pop(0)
            if not block:  # an empty block: nothing to render
                continue
            for processor in self.processors:
                if processor(parent, block, blocks):
                    break
        self.depth -= 1

    def _is(self, state: str) -> bool:
        return bool(self.state) and self.state[-1] == state

    # Admonitions and details: a marker line anywhere in the block, or the continuation of the last one.

    def _admonition(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        found = _first(block, _ADMONITION)
        if found:
            index, match = found
            classes = tuple(_SPACES.sub(" ", match.group(1).lower()).split(" "))
            title = match.group(2) if match.group(2) is not None else classes[0].capitalize()
            self._open(parent, block, blocks, index, "admonition", classes, title)
            return True
        return self._continue(parent, block, blocks, "admonition")

    def _details(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        found = _first(block, _DETAILS)
        if found:
            index, match = found
            if match.group(4):
                classes = tuple(_SPACES.sub(" ", match.group(4).lower()).split(" "))
                title = classes[0].capitalize()
            else:
                names = match.group(2)
                classes = tuple(_SPACES.sub(" ", names.lower()).split(" ")) if names else ()
                title = match.group(3) or ""
            self._open(parent, block, blocks, index, "details", classes, title)
            return True
        return self._continue(parent, block, blocks, "details")

    def _open(
        self,
        parent: _Node,
        block: list[_Line],
        blocks: list[list[_Line]],
        index: int,
        tag: str,
        classes: tuple[str, ...],
        title: str,
    ) -> None:
        if index > 0:
            self.parse_blocks(parent, [block[:index]])
        body, rest = _detab(block[index + 1 :] or [_Line("", ())])
        node = parent.add(tag, classes=classes, title=title, marker=block[index].source[0])
        node.lines.extend(block[index].source)
        self.parse_chunk(node, body)
        if _has_text(rest):
            blocks.insert(0, rest)

    def _continue(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]], tag: str) -> bool:
        sibling = parent.last
        if sibling is None or sibling.tag != tag:
            return False
        first = block[0].text
        offset = indent = 0
        last_child = sibling.last
        while last_child is not None:  # content indented under a list the block ends with goes into its item
            if first[offset:].startswith(" " * TAB * 2) and last_child.tag in _LISTS:
                found = last_child.last
                sibling = found if found is not None else sibling
                last_child = found.last if found is not None else None
                offset += TAB
                indent += TAB
            else:
                last_child = None
        if not first[offset:].startswith(" " * TAB):
            return False
        body, rest = _detab(block, indent + TAB)
        self.parse_chunk(sibling, body)
        if _has_text(rest):
            blocks.insert(0, rest)
        return True

    # Python-Markdown's core block processors, in their priority order.

    def _empty(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        if block[0].text:
            return False
        if _has_text(block[1:]):
            blocks.insert(0, block[1:])
        return True

    def _list_indent(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        if not block[0].text.startswith(" " * TAB) or self._is("detabbed"):
            return False
        if not (parent.tag == "li" or (parent.last is not None and parent.last.tag in _LISTS)):
            return False
        level, sibling = self._level(parent, block)
        width = TAB * level
        block = [_Line(line.text[width:], line.source) if line.text.startswith(" " * width) else line for line in block]
        self.state.append("detabbed")
        if parent.tag == "li":
            target = parent.last if parent.last is not None and parent.last.tag in _LISTS else parent
            self.parse_blocks(target, [block])
        elif sibling.tag == "li":
            self.parse_blocks(sibling, [block])
        elif sibling.last is not None and sibling.last.tag == "li":
            self.parse_chunk(sibling.last, block)
        else:
            self.parse_blocks(sibling.add("li"), [block])
        self.state.pop()
        return True

    def _level(self, parent: _Node, block: list[_Line]) -> tuple[int, _Node]:
        match = _INDENT.match(block[0].text)
        indent_level = len(match.group(1)) // TAB if match else 0
        level = 1 if self._is("list") else 0
        while indent_level > level:
            child = parent.last
            if child is not None and (child.tag in _LISTS or child.tag == "li"):
                if child.tag in _LISTS:
                    level += 1
                parent = child
            else:
                break
        return level, parent

    def _code(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        if not block[0].text.startswith(" " * TAB):
            return False
        code, rest = _detab(block)
        sibling = parent.last
        node = sibling if sibling is not None and sibling.tag == "pre" else parent.add("pre", code=True)
        node.lines.extend(number for line in code for number in line.source)
        if _has_text(rest):
            blocks.insert(0, rest)
        return True

    def _table(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        if not _is_table([line.text.strip(" ") for line in block]):
            return False
        parent.add("table").lines.extend(number for line in block for number in line.source)
        return True

    def _hash_header(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        found = _first(block, _HASH_HEADER)
        if found:
            self._leaf_between(parent, block, blocks, found[0], found[0] + 1, "h")
        return found is not None

    def _setext_header(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        if len(block) < 2 or not _SETEXT_UNDERLINE.fullmatch(block[1].text):
            return False
        self._leaf_between(parent, block, blocks, 0, 2, "h")
        return True

    def _rule(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        found = _first(block, _RULE)
        if found:
            self._leaf_between(parent, block, blocks, found[0], found[0] + 1, "hr")
        return found is not None

    def _leaf_between(
        self, parent: _Node, block: list[_Line], blocks: list[list[_Line]], start: int, end: int, tag: str
    ) -> None:
        if start:
            self.parse_blocks(parent, [block[:start]])
        parent.add(tag).lines.extend(number for line in block[start:end] for number in line.source)
        if _has_text(block[end:]):
            blocks.insert(0, block[end:])

    def _ordered_list(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        return _OLIST.match(block[0].text) is not None and self._list(parent, block, "ol")

    def _unordered_list(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        return _ULIST.match(block[0].text) is not None and self._list(parent, block, "ul")

    def _list(self, parent: _Node, block: list[_Line], tag: str) -> bool:
        items: list[list[_Line]] = []
        for line in block:
            match = _LIST_CHILD.match(line.text)
            if match:
                items.append([_Line(match.group(3), line.source)])
            elif _LIST_INDENT.match(line.text) and not items[-1][0].text.startswith(" " * TAB):
                items.append([line])
            else:
                items[-1].append(line)
        sibling = parent.last
        if sibling is not None and sibling.tag in _LISTS:
            target = sibling
            self.state.append("looselist")
            self.parse_blocks(target.add("li"), [items.pop(0)])
            self.state.pop()
        elif parent.tag in _LISTS:
            target = parent
        else:
            target = parent.add(tag)
        self.state.append("list")
        for item in items:
            if item[0].text.startswith(" " * TAB) and target.last is not None:
                self.parse_blocks(target.last, [item])
            else:
                self.parse_blocks(target.add("li"), [item])
        self.state.pop()
        return True

    def _quote(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        found = _first(block, _QUOTE)
        if found is None:
            return False
        index = found[0]
        if index:
            self.parse_blocks(parent, [block[:index]])
        cleaned = []
        for line in block[index:]:
            match = _QUOTE.match(line.text)
            text = "" if line.text.strip() == ">" else match.group(1) if match else line.text
            cleaned.append(_Line(text, line.source))
        sibling = parent.last
        quote = sibling if sibling is not None and sibling.tag == "blockquote" else parent.add("blockquote")
        self.state.append("blockquote")
        self.parse_chunk(quote, cleaned)
        self.state.pop()
        return True

    def _paragraph(self, parent: _Node, block: list[_Line], blocks: list[list[_Line]]) -> bool:
        if not any(line.text.strip() for line in block):
            return True
        sources = [number for line in block for number in line.source]
        if self._is("list"):  # the text joins the item (or the last element's tail): no new element
            parent.lines.extend(sources)
        else:
            parent.add("p").lines.extend(sources)
        return True


@lru_cache(maxsize=16)  # outline, lint and the site build ask about the same body in turn
def parse_blocks(body: str) -> _Node | None:
    """The block tree of `body` as the renderer builds it (tags, classes and source lines only); None when
    its blocks are nested too deep to read."""
    root = _Node("root")
    if body.strip():
        lines = _normalise(body)
        if any(_nesting(line.text) > MAX_DEPTH for line in lines):
            return None
        try:
            _BlockParser().parse_chunk(root, lines)
        except _TooDeep:
            return None
    return root


def _nesting(text: str) -> int:
    """The most blocks a line can be nested in: one per `>` and per 4 columns of its leading indentation."""
    prefix = len(text) - len(text.lstrip(" >"))
    quotes = text[:prefix].count(">")
    return quotes + (prefix - quotes) // TAB


def find_agent_blocks(body: str, first_line: int = 1) -> list[AgentBlock]:
    """The outermost agent-only blocks of `body`, whose first line is file line `first_line`.

    A body nested too deep to read is one agent block from its first line to its last: nothing of it is
    public until it is fixed (lint says so).
    """
    if AGENT_CLASS not in body.lower():  # most pages hold none: skip the parse
        return []
    source = body.split("\n")
    root = parse_blocks(body)
    if root is None:
        return [AgentBlock(first_line, first_line + len(source) - 1, "")]
    found = []
    for node in _outermost_agents(root):
        lines = [line for line in node.all_lines() if source[line].strip()] or [node.marker]
        found.append(AgentBlock(first_line + min(lines), first_line + max(lines), node.title))
    return found


def with_container_blanks_filled(body: str) -> str:
    """`body` with each blank line inside an admonition or collapsible block filled with the spaces of the
    block's content, so a CommonMark parser (markdown-it, for headings and links) keeps the block open
    across blank lines as the renderer does. Lines keep their numbers."""
    if "!!!" not in body and "???" not in body:
        return body
    root = parse_blocks(body)
    if root is None:
        return body
    lines = body.split("\n")
    expanded = body.expandtabs(TAB).split("\n")
    for node in root.walk():  # outer blocks first: an inner block's deeper indent wins
        if node.tag not in ("admonition", "details") or node.marker < 0:
            continue
        text_lines = [line for line in node.all_lines() if lines[line].strip()]
        indent = len(expanded[node.marker]) - len(expanded[node.marker].lstrip(" ")) + TAB
        for number in range(node.marker + 1, max(text_lines, default=node.marker)):
            if not lines[number].strip():
                lines[number] = " " * indent
    return "\n".join(lines)


def _outermost_agents(root: _Node) -> Iterator[_Node]:
    """Agent blocks not inside another agent block, in document order."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_agent:
            yield node
        else:
            stack.extend(reversed(node.children))


def ambiguous_agent_markup(body: str, first_line: int = 1) -> list[Ambiguity]:
    """Agent-block shapes that do not mean what they seem to (lint errors), with their file lines.

    - a marker line with `agent` in it (any case, in the classes or the title) that the renderer does not
      read as an agent block, or reads as one only by accident (`!!!agent`, `!!! Agent`), outside fences
      (an indented code block counts: it is also what a tab's content looks like to the finder);
    - an agent class set another way (`{: .agent }`, `class="agent"`): not an agent block for kb's tools;
    - a line right after an agent block, not indented and with no blank line between: it is published;
    - after a blank line, a line indented less than the block's body (1 to 3 spaces): the block ended.
    """
    if AGENT_CLASS not in body.lower():
        return []
    root = parse_blocks(body)
    if root is None:
        first_text = next((number for number, text in enumerate(body.split("\n")) if text.strip()), 0)
        return [
            Ambiguity(
                first_line + first_text,
                f"blocks are nested more than {MAX_DEPTH} levels deep: kb cannot tell which text is agent-only, "
                "so the help center leaves this whole page body out; flatten the nesting",
            )
        ]
    source = body.expandtabs(TAB).split("\n")
    indented_code = {line for node in root.walk() if node.code for line in node.lines}
    fences = _fence_lines(body)
    markers = {node.marker: node for node in root.walk() if node.marker >= 0}
    found: list[Ambiguity] = []
    for number, text in enumerate(source):
        if number in fences:  # an example of the syntax: always fine
            continue
        if number in indented_code:
            looks = _LOOKS_LIKE_MARKER.match(text)
            if looks and _AGENT_WORD.search(looks.group("rest")):
                found.append(
                    Ambiguity(
                        first_line + number,
                        "this agent marker is read as an indented code block and published as text (a tab or "
                        "another container the site cannot see into, or 4 spaces too many): put an example in "
                        "a ``` fence, or move the block where the site reads it as one",
                    )
                )
            continue
        found.extend(_marker_problems(number, text, markers.get(number), first_line))
        if _AGENT_CLASS_ATTRIBUTE.search(text):
            found.append(
                Ambiguity(
                    first_line + number,
                    "an `agent` class set on an element is not an agent-only block: kb publishes it; "
                    'write the text in a `!!! agent "Agent notes"` block',
                )
            )
    for node in _outermost_agents(root):
        found.extend(_ends_early(node, source, first_line))
    return sorted(set(found), key=lambda item: (item.line, item.message))


def _fence_lines(body: str) -> set[int]:
    inside: set[int] = set()
    for line in _normalise(body):
        if len(line.source) > 1:
            inside.update(line.source)
    return inside


def _marker_problems(number: int, text: str, node: _Node | None, first_line: int) -> Iterator[Ambiguity]:
    looks = _LOOKS_LIKE_MARKER.match(text)
    if not looks or not _AGENT_WORD.search(looks.group("rest")):
        return
    line = first_line + number
    marker = looks.group(1)
    if node is None:
        yield Ambiguity(
            line,
            f"this looks like an agent-only block but the site does not read it as one, so it is published: "
            f'start the line with `{marker} agent "Agent notes"` (in the first column, or 4 spaces deeper '
            "in a list item or another block) and indent its text by 4 spaces",
        )
        return
    if not node.is_agent:
        yield Ambiguity(
            line,
            "`agent` here is only in the title, so this block is published: put `agent` among the classes "
            f'(`{marker} agent "Agent notes"`)',
        )
        return
    written = looks.group("rest")
    if not written.startswith(" ") or AGENT_CLASS not in re.findall(r"[\w-]+", written.partition('"')[0]):
        yield Ambiguity(
            line,
            f'write the marker as `{marker} agent "Agent notes"` (a space after `{marker}`, `agent` in lower case): '
            "other tools read this shape differently",
        )


def _ends_early(node: _Node, source: list[str], first_line: int) -> Iterator[Ambiguity]:
    last = max(line for line in node.all_lines() if source[line].strip()) if node.all_lines() else node.marker
    marker_indent = len(source[node.marker]) - len(source[node.marker].lstrip(" "))
    after = last + 1
    if after < len(source) and source[after].strip():
        yield Ambiguity(
            first_line + after,
            "this line ends the agent-only block above and is published: indent it by 4 spaces like the "
            "block's text, or leave a blank line before it",
        )
        return
    while after < len(source) and not source[after].strip():
        after += 1
    if after < len(source) and after > last + 1:
        indent = len(source[after]) - len(source[after].lstrip(" "))
        if marker_indent < indent < marker_indent + TAB:
            yield Ambiguity(
                first_line + after,
                f"indented by {indent - marker_indent} space(s) only, so the agent-only block above ended and "
                "this line is published: indent it by 4 spaces to keep it in the block",
            )
