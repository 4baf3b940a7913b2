"""Every shape of agent-only block a writer can produce, and canary words to follow each line.

`SHAPES` are read by the renderer and by kb's finder the same way (the tests prove it); `AMBIGUOUS` are
shapes whose reading a writer could get wrong: lint refuses them (file line of the finding, words of its
message), whatever the renderer does with them.
"""

from __future__ import annotations

import re

from agent_render import canary

SHAPES: dict[str, str] = {
    "simple": '!!! agent "Agent notes"\n    Check the ledger.\n\nPublic after.',
    "no title": "!!! agent\n    Check the ledger.\n\nPublic after.",
    "empty title": '!!! agent ""\n    Check the ledger.\n\nPublic after.',
    "one blank line inside": '!!! agent "Agent notes"\n    First.\n\n    Second.\n\nPublic after.',
    "two blank lines inside": '!!! agent "Agent notes"\n    First.\n\n\n    Second.\n\nPublic after.',
    "three blank lines inside": '!!! agent "Agent notes"\n    First.\n\n\n\n    Second.\n\nPublic after.',
    "fence with blank lines inside": (
        '!!! agent "Agent notes"\n    Run:\n\n    ```sh\n    ledger show\n\n\n    ledger fix\n    ```\n\n'
        "    Then close.\n\nPublic after."
    ),
    "tilde fence": '!!! agent "Agent notes"\n    ~~~\n    code\n\n    more\n    ~~~\n\nPublic after.',
    "indented code inside": '!!! agent "Agent notes"\n    Run:\n\n        ledger show\n\nPublic after.',
    "tabs": '!!! agent "Agent notes"\n\tFirst.\n\n\tSecond.\n\nPublic after.',
    "tab and spaces": '!!! agent "Agent notes"\n\tFirst.\n\n    Second.\n\nPublic after.',
    "collapsible": '??? agent "Agent notes"\n    Check the ledger.\n\n    More.\n\nPublic after.',
    "collapsible open": '???+ agent "Agent notes"\n    Check the ledger.\n\n\n    More.\n\nPublic after.',
    "collapsible no title": "??? agent\n    Check the ledger.\n\nPublic after.",
    "agent second class": '!!! note agent "Agent notes"\n    Check the ledger.\n\n\n    More.\n\nPublic after.',
    "agent last of three": '!!! warning inline agent "Agent notes"\n    Check the ledger.\n\nPublic after.',
    "collapsible agent second": '??? tip agent "Agent notes"\n    Check.\n\n    More.\n\nPublic after.',
    "extra spaces between classes": '!!! note   agent "Agent notes"\n    Check.\n\nPublic after.',
    "no space after marker": '!!!agent "Agent notes"\n    Check.\n\nPublic after.',
    "capitalised": '!!! Agent "Agent notes"\n    Check.\n\nPublic after.',
    "marker right after a paragraph": 'Public first.\n!!! agent "Agent notes"\n    Check.\n\nPublic after.',
    "marker indented 2 (published)": 'Public first.\n\n  !!! agent "Agent notes"\n    Check.\n\nPublic after.',
    "agent only in the title (published)": '!!! note "agent"\n    Check.\n\nPublic after.',
    "body not indented (published)": '!!! agent "Agent notes"\nNot indented.\n\nPublic after.',
    "body indented 2 (published)": '!!! agent "Agent notes"\n  Two spaces.\n\nPublic after.',
    "lazy line after the block (published)": '!!! agent "Agent notes"\n    Check.\nLazy line.\n\nPublic after.',
    "later chunk indented 2 (published)": '!!! agent "Agent notes"\n    Check.\n\n  Two spaces.\n\nPublic after.',
    "heading inside": '!!! agent "Agent notes"\n    ## Escalation\n\n    Call L2.\n\nPublic after.',
    "list inside": '!!! agent "Agent notes"\n    - one\n    - two\n\n        more of two\n\n    After list.\n\nPublic.',
    "table inside": '!!! agent "Agent notes"\n    | a | b |\n    |---|---|\n    | c | d |\n\nPublic after.',
    "quote inside": '!!! agent "Agent notes"\n    > quoted\n\n    After.\n\nPublic after.',
    "note inside agent": (
        '!!! agent "Agent notes"\n    Before.\n\n    !!! note "Inner"\n        Inner text.\n\n\n'
        "        Inner later.\n\n    After.\n\nPublic after."
    ),
    "agent inside note": (
        '!!! note "Public note"\n    Public part.\n\n    !!! agent "Agent notes"\n        Secret.\n\n\n'
        "        Secret later.\n\n    Public again.\n\nPublic after."
    ),
    "collapsible inside admonition": (
        '!!! note "Public"\n    Public.\n\n    ??? agent "Agent"\n        Secret.\n\n    Public again.\n\nAfter.'
    ),
    "admonition inside collapsible": (
        '??? note "Public"\n    Public.\n\n    !!! agent "Agent"\n        Secret.\n\n        More.\n\nAfter.'
    ),
    "agent inside agent": '!!! agent "Outer"\n    Outer.\n\n    ??? agent "Inner"\n        Inner.\n\nPublic after.',
    "in a list item": (
        '- Step one.\n\n    !!! agent "Agent notes"\n        Secret.\n\n\n        Secret later.\n\n'
        "    Back in the item.\n\n- Step two.\n\nPublic after."
    ),
    "in a list item, no blank line (published)": (
        '- Step one.\n    !!! agent "Agent notes"\n        Secret.\n\nPublic after.'
    ),
    "in an ordered list": '1. One.\n\n    ??? agent "Agent notes"\n        Secret.\n\n2. Two.\n\nPublic after.',
    "in a nested list": (
        '- Outer.\n\n    - Inner.\n\n        !!! agent "Agent notes"\n            Secret.\n\n'
        "            Later.\n\n- Outer two.\n\nPublic after."
    ),
    "in a blockquote": '> Quoted.\n>\n> !!! agent "Agent notes"\n>     Secret.\n\nPublic after.',
    "two blocks in a row": (
        '!!! agent "One"\n    Secret one.\n\n!!! agent "Two"\n    Secret two.\n\n\n    Two later.\n\nPublic.'
    ),
    "public note then agent": '!!! note "Public"\n    Public.\n\n!!! agent "Agent"\n    Secret.\n\nPublic after.',
    "example in a fence (published)": '```markdown\n!!! agent "Agent notes"\n    Example.\n```\n\nPublic.',
    "example in indented code (published)": 'Example:\n\n    !!! agent "Agent notes"\n        Example.\n\nPublic.',
    "agent-notes is another class (published)": '!!! agent-notes "Agent notes"\n    Text.\n\nPublic after.',
    "block at the end": 'Public first.\n\n!!! agent "Agent notes"\n    Secret.\n\n\n    Last.',
}

# (shape, line of the finding counted from the body's first line, words of the message)
AMBIGUOUS: list[tuple[str, int, str]] = [
    ("no space after marker", 1, "lower case"),
    ("capitalised", 1, "lower case"),
    ("marker indented 2 (published)", 3, "does not read it as one"),
    ("agent only in the title (published)", 1, "only in the title"),
    ("body not indented (published)", 2, "ends the agent-only block"),
    ("body indented 2 (published)", 2, "ends the agent-only block"),
    ("lazy line after the block (published)", 3, "ends the agent-only block"),
    ("later chunk indented 2 (published)", 4, "indented by 2 space(s) only"),
    ("in a list item, no blank line (published)", 2, "does not read it as one"),
    ("agent-notes is another class (published)", 1, "only in the title"),
    ("example in indented code (published)", 3, "indented code block"),
]
AMBIGUOUS_NAMES = {name for name, _, _ in AMBIGUOUS}
CLEAN = [name for name in SHAPES if name not in AMBIGUOUS_NAMES]

_FENCE = re.compile(r"^[\s>]*(```|~~~)")
_MARKER = re.compile(r"^[\s>]*(!!!|\?\?\?)")


def with_canaries(body: str, first: int = 0) -> str:
    """`body` with a unique canary word on each line that shows text: at the end of the line, inside the
    title of a block marker; none on blank lines, fence lines and markers without a title."""
    lines = []
    for offset, line in enumerate(body.split("\n")):
        word = canary(first + offset)
        if not line.strip() or _FENCE.match(line) or set(line.strip()) <= set("|-: ") or line.strip() == ">":
            lines.append(line)
        elif _MARKER.match(line):
            lines.append(line[:-1] + f' {word}"' if line.endswith('"') and not line.endswith('""') else line)
        else:
            lines.append(f"{line} {word}")
    return "\n".join(lines)


def canaries_on(body: str, lines: set[int]) -> set[str]:
    """Canary words written on the given 0-based lines of `body`."""
    found: set[str] = set()
    for offset, text in enumerate(body.split("\n")):
        if offset in lines:
            found.update(re.findall(r"\bz[0-9]{3}q\b", text))
    return found
