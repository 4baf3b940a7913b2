"""Choosing the best passage of a hit and highlighting the query's words in it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from search.analysis import matching_spans

WIDTH = 240  # characters of passage shown
_LEAD = 60  # context kept before the first match


@dataclass(frozen=True)
class Passage:
    section: int
    agent: bool
    score: float


def best_passage(
    matches: Iterable[tuple[str, int, bool]], idf: dict[str, float], sections: int, include_agent: bool
) -> Passage | None:
    """The section whose text holds the most (and rarest) query terms.

    `matches` are (term, section number, from an agent block) for every occurrence of a query term.
    Public text wins a tie with agent text; the earlier section wins a tie.
    """
    counts: dict[tuple[int, bool], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for term, section, agent in matches:
        if 0 <= section < sections and (include_agent or not agent):
            counts[(section, agent)][term] += 1
    best: Passage | None = None
    for (section, agent), found in sorted(counts.items()):
        score = sum(idf.get(term, 1.0) * (1 + 0.25 * min(count - 1, 4)) for term, count in found.items())
        if best is None or score > best.score + 1e-9:
            best = Passage(section, agent, score)
    return best


def highlight(lang: str, text: str, terms: set[str], width: int = WIDTH) -> tuple[tuple[str, bool], ...]:
    """A window of `text` around the densest run of query terms, as (text, highlighted) fragments."""
    text = " ".join(text.split())
    spans = matching_spans(lang, text, terms)
    if not spans:
        return ((_cut(text, 0, width), False),)
    start, end = _window(text, spans, width)
    fragments: list[tuple[str, bool]] = []
    if start > 0:
        fragments.append(("…", False))
    position = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        if span_start > position:
            fragments.append((text[position:span_start], False))
        fragments.append((text[span_start:span_end], True))
        position = span_end
    if position < end:
        fragments.append((text[position:end], False))
    if end < len(text):
        fragments.append(("…", False))
    return tuple(fragments)


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The `width`-character window holding the most matches, widened to whole words."""
    best_start, best_count = spans[0][0], 0
    for index, (first, _) in enumerate(spans):
        count = sum(1 for start, end in spans[index:] if end <= first + width - _LEAD)
        if count > best_count:
            best_start, best_count = first, count
    start = max(0, best_start - _LEAD)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def _cut(text: str, start: int, width: int) -> str:
    if len(text) <= width:
        return text
    end = text.rfind(" ", start, start + width)
    return text[start : end if end > start else start + width] + " …"
