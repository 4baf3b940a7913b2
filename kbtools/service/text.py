"""Free text a client sends (a search, a vote's comment): what kb refuses to store."""

from __future__ import annotations

import re

# Characters free text may not hold: NUL and the other C0 controls but tab, line feed and carriage return
# (PostgreSQL refuses NUL in text; none belongs in a query or a comment), and unpaired UTF-16 surrogates,
# which JSON's \ud800 escapes can produce but no UTF-8 text can hold.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as free text (a query, a comment), or None."""
    match = _FORBIDDEN.search(text)
    if match is None:
        return None
    char = match.group(0)
    kind = "an unpaired surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    return f"contains {kind} (U+{ord(char):04X}) at position {match.start()}: not allowed in text"
