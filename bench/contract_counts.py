"""How many places write each API parameter and each domain word as a string literal, and the largest modules
and functions: the figures of issue 10 ("one declaration per fact"), rerunnable on any checkout.

    python bench/contract_counts.py [ROOT]        # default: this repository

A place is a string constant in the package's Python sources (kbtools/, search/, site_plugins/; tests and
docs are not counted) whose whole text is the word; docstrings and longer strings do not count. The domain
words' declaration (kbtools/model/vocabulary.py, one enumeration each) is counted apart, so the figures are the
places left that write the word instead of naming its member. Some words have other meanings (a macro's
`public` action, an event's `article` field, `type` as a key), so zero is not the aim for all of them.
Complexity needs `radon` (pip install radon); without it only line counts are printed.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

PACKAGES = ("kbtools", "search", "site_plugins")
API_PARAMETERS = ("from", "to", "lang", "site", "type", "format", "q", "page", "per_page", "session", "log")
DOMAIN_WORDS = {
    "audience": ("public", "internal"),
    "content type": ("article", "troubleshooting", "sop", "macro"),
    "status": ("draft", "published", "archived"),
    "event type": ("view", "vote", "search", "contact", "macro_used", "contact_step", "contact_answer"),
    "feedback reason": ("unclear", "incorrect", "missing", "not_working", "other"),
    "report site": ("all",),
}
VOCABULARY = Path("kbtools") / "vocabulary.py"  # where the domain words are declared


def _sources(root: Path) -> list[Path]:
    return [path for package in PACKAGES for path in sorted((root / package).rglob("*.py"))]


def literal_places(root: Path, words: tuple[str, ...], skip: Path | None = None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in _sources(root):
        if skip is not None and path == root / skip:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in words:
                counts[node.value] += 1
    return counts


def largest(root: Path) -> None:
    modules = sorted(((len(p.read_text(encoding="utf-8").splitlines()), p) for p in _sources(root)), reverse=True)
    print("Largest modules (lines):")
    for lines, path in modules[:5]:
        print(f"  {lines:5}  {path.relative_to(root)}")
    try:
        from radon.complexity import cc_visit
    except ImportError:
        print("(radon not installed: no function figures)")
        return
    functions = []
    for path in _sources(root):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if not hasattr(block, "methods"):  # functions and methods, not classes
                name = f"{path.relative_to(root)}:{block.name}"
                functions.append((block.endline - block.lineno + 1, block.complexity, name))
    print("Largest functions (lines, cyclomatic complexity):")
    for lines, complexity, name in sorted(functions, reverse=True)[:5]:
        print(f"  {lines:5} {complexity:4}  {name}")
    print("Most complex functions (lines, cyclomatic complexity):")
    for lines, complexity, name in sorted(functions, key=lambda f: (-f[1], -f[0]))[:5]:
        print(f"  {lines:5} {complexity:4}  {name}")


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    counts = literal_places(root, API_PARAMETERS)
    print("API parameters, places written as a literal:")
    print("  " + ", ".join(f"{word} {counts[word]}" for word in API_PARAMETERS))
    declared = (root / VOCABULARY).exists()
    print(f"Domain words, places written as a literal{' outside ' + str(VOCABULARY) if declared else ''}:")
    for kind, words in DOMAIN_WORDS.items():
        counts = literal_places(root, words, VOCABULARY)
        print(f"  {kind}: " + ", ".join(f"{word} {counts[word]}" for word in words))
    largest(root)


if __name__ == "__main__":
    main()
